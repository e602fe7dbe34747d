using System.Globalization;
using System.Text;
using ActorScheduler.Actors;
using Npgsql;

namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// The fence that ties a clustered node's journal writes to the scheduler lease (<see cref="PostgresLease"/>), checked
/// by the database server itself. The lease alone stops a node's scheduler within the last quarter of its TTL after
/// the node lost it; a node frozen mid-write past that margin (a long GC pause, a suspended VM) would still land its
/// write once it thaws, after another node took the lease and replayed the journal. With the fence, such a write is
/// refused by the server.
/// <para>
/// <b>How.</b> <see cref="Prepare"/> gives the tables <c>journal</c> and <c>snapshot</c> a statement-level trigger
/// (<c>BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE … FOR EACH STATEMENT</c>: whatever the journal plugin issues — its
/// multi-row inserts, the snapshot store's upserts, the deletes and the <c>deleted</c> flag's updates — checked once a
/// statement, not once a row). It reads the session setting <see cref="Setting"/>, which a clustered node's journal
/// connections carry from their start (<see cref="Fenced"/>: the connection string's <c>Options=-c …</c>, so it holds on
/// every pooled connection, and a pool's <c>DISCARD ALL</c> resets it to that value), and, when it is set, refuses the
/// statement (SQLSTATE <see cref="JournalFailures.LeaseFenceSqlState"/>) unless the lease's row is this node's
/// incarnation's (<c>address#8hex</c>, the very owner string the lease writes) and unexpired by the server's clock
/// (<c>clock_timestamp()</c>, the time of the check, not of the transaction's start). A connection without the setting
/// — single-node <c>run --journal-connection</c>, <c>audit</c>, tests, a DBA's <c>psql</c> — is not checked. A refused
/// statement aborts its transaction, which the plugin rolls back: nothing of the batch is stored.
/// </para>
/// <para>
/// <b>Why a check that passed still holds.</b> The check locks the lease's row <c>FOR KEY SHARE</c> until the writing
/// transaction ends, and the lease table has a unique index on <c>(name, owner)</c>, which makes <c>owner</c> a key
/// column to PostgreSQL. Another node takes the lease by changing the row's owner (or, after a release, by inserting it
/// anew once the holder's <c>DELETE</c> went through): a key update or a delete, which waits for every key-share lock on
/// the row. So a write that passed the check commits before any take-over can, and the new holder — which replays the
/// journal only once it holds the lease — sees it; a write checked after the take-over committed finds the row another
/// owner's and is refused; and one whose check meets a take-over in progress waits for it, then re-reads the row
/// (PostgreSQL re-checks a locked row's new version in READ COMMITTED) and is refused. The holder's own renewals change
/// only <c>expires_at</c>, a non-key update that key-share locks do not block: the journal's writes and the lease's
/// heartbeat never wait for each other. (<c>FOR SHARE</c>, without the index, would give the same ordering but make
/// each renewal wait for the node's writes in flight, and those for the renewal.) The row may expire while a write that
/// passed the check is still running: the take-over still waits for it, so the guarantee is the order — every write the
/// fence let through commits before the next holder's take-over — not that a write ends within the TTL.
/// </para>
/// <para>
/// <b>Cost.</b> One indexed row lookup and a row lock per statement (the first statement of a transaction writes the lock
/// into the row; later ones find it theirs), the plugin writing up to 1,000 rows a statement. Measured in the README
/// ("Running a clustered HA scheduler", the fence).
/// </para>
/// </summary>
internal static class JournalFence
{
    /// <summary>The session setting that names the lease owner a connection's writes are checked against.</summary>
    internal const string Setting = "actorscheduler.lease_owner";

    /// <summary>
    /// The fence's function and the triggers on the journal's two tables, created where missing (under
    /// <see cref="PostgresJournal.Prepare"/>'s advisory lock); the lease's unique index on <c>(name, owner)</c> is
    /// <see cref="PostgresLease.Ddl"/>'s. The function is replaced every time, so that a newer version's check takes
    /// the place of an older one's; the triggers are only added, not dropped and created again, which would lock the
    /// tables against the writes of a node already running.
    /// </summary>
    internal static readonly string Ddl = string.Create(CultureInfo.InvariantCulture, $$"""
        create or replace function scheduler_lease_fence() returns trigger language plpgsql as $fence$
        declare
          ours text := nullif(current_setting('{{Setting}}', true), '');
          holder text;
          left_ms bigint;
        begin
          if ours is null then
            return null;
          end if;
          perform from {{PostgresLease.Table}} where owner = ours and expires_at > clock_timestamp() for key share;
          if found then
            return null;
          end if;
          select owner, ceil(extract(epoch from expires_at - clock_timestamp()) * 1000) into holder, left_ms
            from {{PostgresLease.Table}} order by expires_at desc limit 1;
          raise exception using errcode = '{{JournalFailures.LeaseFenceSqlState}}', message = format(
            '%s on %s refused: this node [%s] does not hold the scheduler lease (%s)', tg_op, tg_table_name, ours,
            case when holder is null then 'no node holds it'
                 when holder = ours then format('its own row expired %s ms ago', -left_ms)
                 when left_ms > 0 then format('held by [%s] for %s ms more', holder, left_ms)
                 else format('last held by [%s], expired %s ms ago', holder, -left_ms) end);
        end
        $fence$;
        do $do$ begin
          if not exists (select from pg_trigger where tgname = 'scheduler_lease_fence' and tgrelid = 'journal'::regclass) then
            create trigger scheduler_lease_fence before insert or update or delete or truncate on journal
              for each statement execute function scheduler_lease_fence();
          end if;
          if not exists (select from pg_trigger where tgname = 'scheduler_lease_fence' and tgrelid = 'snapshot'::regclass) then
            create trigger scheduler_lease_fence before insert or update or delete or truncate on snapshot
              for each statement execute function scheduler_lease_fence();
          end if;
        end $do$;
        """);

    /// <summary>
    /// <paramref name="connectionString"/> with its connections' writes fenced by the lease of <paramref name="owner"/>:
    /// <see cref="Setting"/> set in the connection's start-up options, beside the operator's own <c>Options</c>. The value
    /// is escaped as PostgreSQL splits those options (a backslash before a space or a backslash).
    /// </summary>
    internal static string Fenced(string connectionString, string owner)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var escaped = new StringBuilder(owner.Length + 8);
        foreach (var c in owner)
        {
            if (c is '\\' || char.IsWhiteSpace(c))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        var option = $"-c {Setting}={escaped}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? option : $"{builder.Options} {option}";
        return builder.ConnectionString;
    }
}
