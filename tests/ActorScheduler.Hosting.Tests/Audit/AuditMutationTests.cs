using System.Text;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ActorScheduler.Hosting.Tests.Audit;

/// <summary>
/// Property: <c>actorscheduler audit</c> on a journal whose rows were damaged — mutated event bytes, manifests, tags,
/// persistence ids, serializer ids, timestamps — shows what it can and says what it cannot (an <c>undecodable</c> line
/// per bad event), or exits 2 with one error line: never an exception, never a stack trace. Seeded mutations of the
/// journal a real deployment left (<see cref="DeployedJournal"/>), read as a timeline, as JSON and for one pod.
/// </summary>
public sealed class AuditMutationTests(DeployedJournal deployed) : IClassFixture<DeployedJournal>
{
    private static readonly DateTime Now = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Columns = ["message", "manifest", "tags", "persistence_id", "identifier", "created"];

    [Fact]
    public async Task Audit_of_a_journal_with_damaged_rows_shows_them_as_undecodable_or_is_one_error_line()
    {
        var seed = Mutations.Seed(3631);
        var random = new Random(seed);
        var rows = ReadRows(deployed.Journal);
        for (var i = 0; i < Mutations.Iterations(200); i++)
        {
            var copy = Path.Combine(deployed.Scratch, $"mutated-{seed}-{i}.db");
            File.Copy(deployed.Journal, copy);
            var damage = new List<string>();
            using (var connection = new SqliteConnection($"Data Source={copy};Pooling=False"))
            {
                connection.Open();
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    var row = rows[random.Next(rows.Count)];
                    var column = Columns[random.Next(Columns.Length)];
                    object value = column switch
                    {
                        "message" => Mutations.Mutate(row.Message, random),
                        "identifier" => random.Next(3) == 0 ? -1 : random.Next(),
                        "created" => random.Next(3) switch { 0 => -1L, 1 => long.MaxValue, _ => (long)random.Next() },
                        "manifest" => Mutations.Mutate(row.Manifest, random),
                        "tags" => Mutations.Mutate(row.Tags, random),
                        _ => Mutations.Mutate(row.PersistenceId, random),
                    };
                    using var update = connection.CreateCommand();
                    update.CommandText = $"update journal set {column} = $value where rowid = $rowid";
                    update.Parameters.AddWithValue("$value", value);
                    update.Parameters.AddWithValue("$rowid", row.RowId);
                    try
                    {
                        update.ExecuteNonQuery();
                        damage.Add($"row {row.RowId} {column} = {(value is byte[] bytes ? Mutations.Show(bytes) : value is string text ? Mutations.Show(text) : value)}");
                    }
                    catch (SqliteException)
                    {
                        // A mutation the table refuses (a persistence id and sequence number another row has): no damage.
                    }
                }
            }

            foreach (var args in new[] { new AuditArguments(Journal: copy), new AuditArguments(Journal: copy, Json: true), new AuditArguments(Journal: copy, Pod: "hello-0") })
            {
                var problem = await AuditProblemAsync(args);
                if (problem is not null)
                {
                    throw Mutations.Failure($"audit{(args.Json ? " --json" : string.Empty)}{(args.Pod is null ? string.Empty : " --pod " + args.Pod)}", seed, i, problem, string.Join("\n", damage));
                }
            }

            File.Delete(copy);
        }
    }

    /// <summary>Null when audit answered as the property says; else what was wrong.</summary>
    private static async Task<string?> AuditProblemAsync(AuditArguments args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int code;
        try
        {
            code = await AuditCommand.RunAsync(args, output, error, Now);
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}";
        }

        var errors = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (errors.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)))
        {
            return $"exit {code} with a stack trace or an exception's name on stderr:\n{error}";
        }

        return code switch
        {
            0 => null,
            2 when errors.Length == 1 && errors[0].StartsWith("error: ", StringComparison.Ordinal) => null,
            _ => $"exit {code} with stderr:\n{error}",
        };
    }

    private static List<Row> ReadRows(string journal)
    {
        var rows = new List<Row>();
        using var connection = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "select rowid, message, manifest, tags, persistence_id from journal";
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new Row(reader.GetInt64(0), (byte[])reader.GetValue(1), reader.GetString(2), reader.IsDBNull(3) ? string.Empty : reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }

    private sealed record Row(long RowId, byte[] Message, string Manifest, string Tags, string PersistenceId);
}
