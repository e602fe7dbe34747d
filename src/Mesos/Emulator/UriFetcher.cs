using System.Formats.Tar;
using System.IO.Compression;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The Mesos fetcher for local agents: downloads a task's <see cref="CommandInfo.Types.URI"/>s into its sandbox before
/// the command starts. <c>http://</c> and <c>https://</c> URIs are downloaded, <c>file://</c> URIs and absolute paths
/// copied; the file is named by <c>output_file</c> (relative to the sandbox, directories made) or else by the last
/// segment of the URI; <c>executable</c> makes it executable (and it is not extracted); <c>extract</c> (the default)
/// unpacks <c>.tar</c>, <c>.tar.gz</c>, <c>.tgz</c> and <c>.zip</c> archives into the directory of the file, as Mesos
/// does; other files are kept as they are. No cache (<c>cache</c> is ignored).
/// </summary>
internal static class UriFetcher
{
    // One client for every agent: fetches of many tasks share its connections.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>
    /// Fetches every URI in order; the first failure ends the fetch with a <see cref="UriFetchException"/> naming the URI.
    /// </summary>
    public static async Task FetchAllAsync(string sandbox, IEnumerable<CommandInfo.Types.URI> uris, CancellationToken cancel)
    {
        foreach (var uri in uris)
        {
            try
            {
                await FetchAsync(sandbox, uri, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or HttpRequestException or InvalidDataException
                or ArgumentException or NotSupportedException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
            {
                throw new UriFetchException(uri.Value, e is TaskCanceledException ? "timed out" : e.Message);
            }
        }
    }

    /// <summary>
    /// The path in <paramref name="sandbox"/> a URI is saved to: its <c>output_file</c>, else the last segment of the URI.
    /// Throws <see cref="ArgumentException"/> for an absolute <c>output_file</c>, one outside the sandbox, or a URI that
    /// names no file.
    /// </summary>
    public static string OutputPath(string sandbox, CommandInfo.Types.URI uri)
    {
        if (uri.HasOutputFile)
        {
            var name = uri.OutputFile;
            if (name.Length == 0 || Path.IsPathRooted(name))
            {
                throw new ArgumentException($"output_file '{name}' must be a non-empty path relative to the sandbox");
            }

            return SandboxPath.Resolve(sandbox, name) ?? throw new ArgumentException($"output_file '{name}' is outside the sandbox");
        }

        var path = Source(uri.Value) is { } source ? source.LocalPath : (Uri.TryCreate(uri.Value, UriKind.Absolute, out var u) ? Uri.UnescapeDataString(u.AbsolutePath) : uri.Value);
        var last = Path.GetFileName(path.TrimEnd('/'));
        // "." and ".." (a URI ending in a directory) resolve to no file in the sandbox.
        return SandboxPath.Resolve(sandbox, last) ?? throw new ArgumentException("the URI names no file; give an output_file");
    }

    private static async Task FetchAsync(string sandbox, CommandInfo.Types.URI uri, CancellationToken cancel)
    {
        var target = OutputPath(sandbox, uri);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Source(uri.Value) is { } local)
        {
            if (!File.Exists(local.LocalPath))
            {
                throw new IOException($"no such file: {local.LocalPath}");
            }

            await using var from = File.OpenRead(local.LocalPath);
            await using var to = File.Create(target);
            await from.CopyToAsync(to, cancel).ConfigureAwait(false);
        }
        else if (Uri.TryCreate(uri.Value, UriKind.Absolute, out var remote) && remote.Scheme is "http" or "https")
        {
            using var response = await Http.GetAsync(remote, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            await using var from = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            await using var to = File.Create(target);
            await from.CopyToAsync(to, cancel).ConfigureAwait(false);
        }
        else
        {
            throw new NotSupportedException("only http://, https://, file:// URIs and absolute paths can be fetched");
        }

        if (uri.Executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, File.GetUnixFileMode(target) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        else if (!uri.Executable && uri.Extract)
        {
            await ExtractAsync(target, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Unpacks an archive next to itself (.NET refuses entries that would land outside that directory).</summary>
    private static async Task ExtractAsync(string archive, CancellationToken cancel)
    {
        var into = Path.GetDirectoryName(archive)!;
        var name = archive.ToLowerInvariant();
        if (name.EndsWith(".zip", StringComparison.Ordinal))
        {
            await ZipFile.ExtractToDirectoryAsync(archive, into, overwriteFiles: true, cancel).ConfigureAwait(false);
        }
        else if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
        {
            await using var file = File.OpenRead(archive);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            await TarFile.ExtractToDirectoryAsync(gzip, into, overwriteFiles: true, cancel).ConfigureAwait(false);
        }
        else if (name.EndsWith(".tar", StringComparison.Ordinal))
        {
            await TarFile.ExtractToDirectoryAsync(archive, into, overwriteFiles: true, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>The local file a <c>file://</c> URI or an absolute path names; null for anything else.</summary>
    private static Uri? Source(string value) =>
        value.StartsWith('/') ? new Uri("file://" + value)
        : value.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(value, UriKind.Absolute, out var file) && file.IsFile ? file
        : null;
}

/// <summary>A URI of a task could not be fetched.</summary>
internal sealed class UriFetchException(string uri, string reason) : Exception($"{uri}: {reason}")
{
    public string Uri { get; } = uri;
}

/// <summary>
/// One fetch of URIs into sandboxes, run off the master loop (the agent polls <see cref="Completion"/>); created
/// unstarted so the agent can checkpoint before it begins.
/// </summary>
internal sealed class SandboxFetch(Func<CancellationToken, Task> work)
{
    private readonly CancellationTokenSource _cancel = new();
    private Task? _completion;

    /// <summary>The fetch's end (faulted with a <see cref="UriFetchException"/> on failure); not completed before <see cref="Start"/>.</summary>
    public Task Completion => _completion ?? NotStarted.Task;

    private TaskCompletionSource NotStarted { get; } = new();

    public void Start() => _completion ??= Task.Run(() => work(_cancel.Token));

    public void Cancel() => _cancel.Cancel();
}
