using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>How the CLI prints JSON (<c>--json</c>, and the JSON parts of its text): indented, with quotes and '&lt;' '&gt;' as they are.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Indented { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
