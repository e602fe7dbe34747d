namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// Where the audit reads a journal's rows from — the SQLite file of a data dir (<see cref="JournalFile"/>) or a
/// PostgreSQL database (<see cref="PostgresJournalRows"/>) — so that decoding, filters and formatting stay one place
/// (<see cref="AuditQuery"/>, <see cref="AuditDecoder"/>, <see cref="AuditOutput"/>) whatever the store.
/// </summary>
internal interface IJournalRows : IDisposable
{
    /// <summary>The journal as messages name it: the file's path, or <c>postgres://user@host:port/database</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The rows not deleted, in the order they were written (the journal's global <c>ordering</c>), written at or
    /// after <paramref name="since"/> and before <paramref name="until"/> when given: the window is applied by the
    /// store, and the rows are streamed, so a journal of millions of rows is never held in memory. With
    /// <paramref name="pod"/>, a store may leave out the rows of the shared entity journal (<c>&lt;service&gt;/entities</c>)
    /// whose tags do not name <c>pod:&lt;pod&gt;</c>: such a row holds no event of that pod or of its steps (both carry that
    /// tag), so <see cref="AuditQuery"/>, which filters every entry anyway, shows the same.
    /// </summary>
    IEnumerable<JournalRow> Rows(DateTime? since = null, DateTime? until = null, string? pod = null);
}
