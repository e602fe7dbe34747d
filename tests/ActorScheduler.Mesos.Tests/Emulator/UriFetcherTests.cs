using System.Formats.Tar;
using System.IO.Compression;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The local agents' fetcher on its own: where a URI goes, what is fetched, and what fails with which message.</summary>
public sealed class UriFetcherTests
{
    private static CommandInfo.Types.URI Uri(string value, string? output = null, bool extract = true, bool executable = false)
    {
        var uri = new CommandInfo.Types.URI { Value = value, Extract = extract, Executable = executable };
        if (output is not null)
        {
            uri.OutputFile = output;
        }

        return uri;
    }

    [Fact]
    public void The_output_file_is_relative_to_the_sandbox_else_the_last_segment_of_the_uri_names_it()
    {
        using var dir = new TempDir();
        Assert.Equal(Path.Combine(dir.Path, "config-templates", "settings"), UriFetcher.OutputPath(dir.Path, Uri("http://h/x/y", "config-templates/settings")));
        Assert.Equal(Path.Combine(dir.Path, "app.tgz"), UriFetcher.OutputPath(dir.Path, Uri("https://h/dl/app.tgz?v=1")));
        Assert.Equal(Path.Combine(dir.Path, "tool"), UriFetcher.OutputPath(dir.Path, Uri("/opt/bin/tool")));
        Assert.Equal(Path.Combine(dir.Path, "a b"), UriFetcher.OutputPath(dir.Path, Uri("file:///tmp/a%20b")));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("conf/../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public void An_output_file_that_is_absolute_empty_or_escapes_the_sandbox_is_refused(string output)
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => UriFetcher.OutputPath(dir.Path, Uri("http://h/x", output)));
    }

    [Fact]
    public async Task A_uri_that_names_no_file_and_has_no_output_file_fails_naming_it()
    {
        using var dir = new TempDir();
        var failure = await Assert.ThrowsAsync<UriFetchException>(() => UriFetcher.FetchAllAsync(dir.Path, [Uri("http://127.0.0.1:9/")], default));
        Assert.Contains("http://127.0.0.1:9/: the URI names no file", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Http_file_and_absolute_path_uris_are_fetched_and_executable_ones_made_executable()
    {
        using var dir = new TempDir();
        using var source = new TempDir();
        await using var server = await FileServer.StartAsync();
        var served = server.Serve("templates/settings", "threads={{THREADS}}\n");
        var local = Path.Combine(source.Path, "tool.sh");
        await File.WriteAllTextAsync(local, "echo hi\n");

        await UriFetcher.FetchAllAsync(dir.Path, [Uri(served, "config-templates/settings", extract: false), Uri("file://" + local, "copy.sh"), Uri(local, executable: true)], default);

        Assert.Equal("threads={{THREADS}}\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "config-templates", "settings")));
        Assert.Equal("echo hi\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "copy.sh")));
        Assert.True(File.GetUnixFileMode(Path.Combine(dir.Path, "tool.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(dir.Path, "copy.sh")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task Tar_gz_and_zip_archives_are_extracted_unless_extract_is_false()
    {
        using var dir = new TempDir();
        using var source = new TempDir();
        var content = Path.Combine(source.Path, "content");
        Directory.CreateDirectory(Path.Combine(content, "bin"));
        await File.WriteAllTextAsync(Path.Combine(content, "bin", "run"), "run\n");
        var tgz = Path.Combine(source.Path, "app.tgz");
        await using (var file = File.Create(tgz))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await TarFile.CreateFromDirectoryAsync(content, gzip, includeBaseDirectory: false);
        }

        var zip = Path.Combine(source.Path, "lib.zip");
        await using (var file = File.Create(zip))
        using (var archive = new ZipArchive(file, ZipArchiveMode.Create))
        {
            await using var entry = archive.CreateEntry("lib/data.txt").Open();
            await entry.WriteAsync("data\n"u8.ToArray());
        }

        await UriFetcher.FetchAllAsync(dir.Path, [Uri(tgz), Uri(zip, "deps/lib.zip"), Uri(zip, "kept.zip", extract: false)], default);

        Assert.Equal("run\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "bin", "run")));
        Assert.Equal("data\n", await File.ReadAllTextAsync(Path.Combine(dir.Path, "deps", "lib", "data.txt")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "kept.zip")));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "lib")));
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "missing file", "no such file" },
        { "404", "HTTP 404" },
        { "ftp://h/x", "only http://, https://, file:// URIs and absolute paths can be fetched" },
        { "escape", "is outside the sandbox" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failed_fetch_names_the_uri_and_the_error(string what, string expected)
    {
        using var dir = new TempDir();
        await using var server = await FileServer.StartAsync();
        var uri = what switch
        {
            "missing file" => Uri(Path.Combine(dir.Path, "nothing-here")),
            "404" => Uri(new System.Uri(server.Url, "absent").ToString()),
            "escape" => Uri(server.Serve("x", "x"), "../x"),
            _ => Uri(what),
        };

        var failure = await Assert.ThrowsAsync<UriFetchException>(() => UriFetcher.FetchAllAsync(dir.Path, [uri], default));

        Assert.Equal(uri.Value, failure.Uri);
        Assert.StartsWith(uri.Value + ": ", failure.Message, StringComparison.Ordinal);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }
}
