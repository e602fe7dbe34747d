using System.Globalization;
using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Messages.Events;
using ActorScheduler.Mesos.Client;
using Google.Protobuf;

namespace ActorScheduler.Hosting.Audit;

/// <summary>The timeline as text (one line an event, columns aligned) or as JSON (an array of entries with the protobuf event as JSON).</summary>
internal static class AuditOutput
{
    /// <summary>Stream labels longer than this are not padded to: one long step name does not push every line right.</summary>
    private const int MaxStreamColumn = 40;

    /// <summary><c>2026-12-07T12:03:04.123Z  pod hello-0  TaskLaunchRecorded  hello-0-server launched as task id … on agent …</c>.</summary>
    public static void WriteText(IReadOnlyList<AuditEntry> entries, TextWriter output)
    {
        var streamWidth = Math.Min(MaxStreamColumn, entries.Count == 0 ? 0 : entries.Max(e => e.Stream.Label.Length));
        var kindWidth = entries.Count == 0 ? 0 : entries.Max(e => e.Kind.Length);
        foreach (var entry in entries)
        {
            output.Write(JournalTime.Format(entry.Time));
            output.Write("  ");
            output.Write(entry.Stream.Label.PadRight(streamWidth));
            output.Write("  ");
            output.Write(entry.Kind.PadRight(kindWidth));
            output.Write("  ");
            output.WriteLine(entry.Facts);
        }
    }

    /// <summary>
    /// The line after a timeline the limit cut: how many earlier events matched and how to see them; null when none
    /// were left out.
    /// </summary>
    public static string? LeftOut(long leftOut, int limit) => leftOut == 0
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"{leftOut:N0} earlier event{(leftOut == 1 ? string.Empty : "s")} left out (only the latest {limit:N0} shown): --limit 0 shows them all, --since/--until or a filter narrow the timeline");

    /// <summary>
    /// <c>[{"time", "persistence_id", "sequence_nr", "entity"?, "stream", "kind", "tags", "event", "error"?, "redacted"?}]</c>:
    /// <c>event</c> is the protobuf message as JSON (proto field names, as the API shows Mesos messages), null for an
    /// event that could not be decoded (<c>error</c> says why). Private keys (TLS) and secret values in task infos are
    /// emptied, and <c>redacted</c> names them: whoever reads an audit must not get keys the service's tasks trust.
    /// </summary>
    public static void WriteJson(IReadOnlyList<AuditEntry> entries, TextWriter output)
    {
        // Written out entry by entry: a timeline of every event of a long journal is not held twice.
        var buffer = new MemoryStream();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Cli.CliJson.Indented.Encoder });
        void Drain()
        {
            json.Flush();
            output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            buffer.SetLength(0);
        }

        json.WriteStartArray();
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            json.WriteString("time", JournalTime.Format(entry.Time));
            json.WriteString("persistence_id", entry.PersistenceId);
            json.WriteNumber("sequence_nr", entry.SequenceNr);
            if (entry.Entity is not null)
            {
                json.WriteString("entity", entry.Entity);
            }

            json.WriteString("stream", entry.Stream.Label);
            json.WriteString("kind", entry.Kind);
            json.WriteStartArray("tags");
            foreach (var tag in entry.Tags)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
            json.WriteString("facts", entry.Facts);
            if (entry.Event is null)
            {
                json.WriteNull("event");
                json.WriteString("error", entry.Facts);
            }
            else
            {
                var (shown, redacted) = Redacted(entry.Event);
                json.WritePropertyName("event");
                using (var document = JsonDocument.Parse(MesosCodec.JsonFormatter.Format(shown)))
                {
                    document.WriteTo(json);
                }

                if (redacted.Count > 0)
                {
                    json.WriteStartArray("redacted");
                    foreach (var field in redacted)
                    {
                        json.WriteStringValue(field);
                    }

                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
            Drain();
        }

        json.WriteEndArray();
        Drain();
        output.WriteLine();
    }

    /// <summary><paramref name="event"/> without its private keys and secret values, and the fields emptied; the same object when it has none.</summary>
    internal static (IMessage Shown, IReadOnlyList<string> Redacted) Redacted(IMessage @event)
    {
        switch (@event)
        {
            case TlsCaGenerated ca when !ca.PrivateKeyPkcs8.IsEmpty:
                var caShown = ca.Clone();
                caShown.PrivateKeyPkcs8 = ByteString.Empty;
                return (caShown, ["private_key_pkcs8"]);
            case TlsArtifactsIssued artifacts when !artifacts.PrivateKey.IsEmpty || !artifacts.Keystore.IsEmpty:
                var artifactsShown = artifacts.Clone();
                artifactsShown.PrivateKey = ByteString.Empty;
                artifactsShown.Keystore = ByteString.Empty;
                return (artifactsShown, ["private_key", "keystore"]);
            case TaskLaunchRecorded launch when launch.Tasks.Any(t => t.TaskInfo is { } info && !ReferenceEquals(SchedulerApi.WithoutSecretValues(info), info)):
                var launchShown = launch.Clone();
                foreach (var task in launchShown.Tasks.Where(t => t.TaskInfo is not null))
                {
                    task.TaskInfo = SchedulerApi.WithoutSecretValues(task.TaskInfo);
                }

                return (launchShown, ["tasks.task_info secret values"]);
            default:
                return (@event, []);
        }
    }
}
