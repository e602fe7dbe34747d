using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// Runs the real <c>actorscheduler</c> executable as a child process (so it can be killed with SIGKILL) and talks
/// to it over its HTTP API.
/// </summary>
internal sealed class SchedulerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private HttpClient _http;

    private SchedulerProcess(Process process, int apiPort)
    {
        _process = process;
        ApiUrl = new Uri($"http://127.0.0.1:{apiPort}/");
        _http = new HttpClient { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri ApiUrl { get; private set; }

    /// <summary>
    /// Waits for the <c>api:</c> line of <c>run</c>'s banner and talks to the API there from now on (for
    /// <c>--api-port 0</c>, where only the banner tells the port).
    /// </summary>
    public async Task<Uri> UseApiFromBannerAsync(TimeSpan timeout)
    {
        Uri? url = null;
        await WaitUntilAsync(
            () => Task.FromResult(System.Text.RegularExpressions.Regex.Match(Output, @"^api:\s+(\S+)\s*$", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } line
                && Uri.TryCreate(line.Groups[1].Value, UriKind.Absolute, out url)),
            timeout,
            "the api: line of the banner");
        ApiUrl = url!;
        _http.Dispose();
        _http = new HttpClient { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(10) };
        return ApiUrl;
    }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ActorScheduler.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root");
        }
    }

    public static SchedulerProcess Start(string dataDir, int apiPort, int masterPort, params string[] extra) =>
        StartWith(new Dictionary<string, string>(), dataDir, apiPort, masterPort, extra);

    /// <summary>As <see cref="Start"/>, with these environment variables set for the process.</summary>
    public static SchedulerProcess StartWith(IReadOnlyDictionary<string, string> environment, string dataDir, int apiPort, int masterPort, params string[] extra) =>
        Launch(apiPort, new[] { "run", Path.Combine(RepoRoot, "examples/hello-world/svc.yml"), "--data-dir", dataDir, "--api-port", apiPort.ToString() }
            .Concat(extra.Contains("--master") ? [] : ["--master-port", masterPort.ToString()]) // no embedded emulator with --master
            .Concat(extra), environment);

    /// <summary>Any <c>actorscheduler</c> command line (e.g. <c>mesos-local</c>).</summary>
    public static SchedulerProcess Launch(int apiPort, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "actorscheduler.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments.Prepend(dll))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var result = new SchedulerProcess(process, apiPort);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>A loopback port free now and not handed out before in this test run (<see cref="LoopbackPorts.Free"/>).</summary>
    public static int FreePort() => LoopbackPorts.Free();

    /// <summary>GET a JSON document from the API; null while the API does not answer.</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body)?> GetAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with the process output after the timeout.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"actorscheduler exited ({_process.ExitCode}) while waiting for {what}:\n{Output}");
            }

            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds}s waiting for {what}:\n{Output}");
    }

    public async Task<bool> DeployCompleteAsync() =>
        await GetAsync("v1/plans/deploy") is { Code: HttpStatusCode.OK } answer && answer.Body.GetProperty("status").GetString() == "COMPLETE";

    public async Task<IReadOnlyDictionary<string, (string Id, string Status)>> TasksAsync()
    {
        var result = new Dictionary<string, (string, string)>();
        if (await GetAsync("v1/pod/status") is not { } answer)
        {
            return result;
        }

        foreach (var pod in answer.Body.GetProperty("pods").EnumerateArray())
        {
            foreach (var instance in pod.GetProperty("instances").EnumerateArray())
            {
                foreach (var task in instance.GetProperty("tasks").EnumerateArray())
                {
                    result[task.GetProperty("name").GetString()!] = (task.GetProperty("id").GetString()!, task.GetProperty("status").GetString()!);
                }
            }
        }

        return result;
    }

    /// <summary>SIGKILL: no shutdown hook runs.</summary>
    public void Crash()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGINT, as Ctrl-C does; returns the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        await SignalAsync("INT");
        return await WaitForExitAsync(timeout);
    }

    /// <summary>Sends a signal by name (<c>INT</c>, <c>TERM</c>), as <c>kill -NAME pid</c> does; does not wait for its effect.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
        await kill!.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {_process.Id} failed (has actorscheduler exited?):\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _http.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}

/// <summary>A temp data dir whose task processes (found by their working directory) are killed on dispose.</summary>
internal sealed class TempDataDir : IDisposable
{
    public TempDataDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"actorscheduler-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Processes whose working directory lies in this data dir: the tasks.</summary>
    public IReadOnlyList<int> TaskProcesses()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var cwd = new DirectoryInfo(System.IO.Path.Combine(dir, "cwd")).LinkTarget;
                if (cwd is not null && cwd.StartsWith(Path, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    /// <summary>The working directory of a process (a task's sandbox), or empty.</summary>
    public static string Sandbox(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget ?? string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Whether the process is a <c>sleep</c> (the long-running part of the example tasks).</summary>
    public static bool IsSleep(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Every file named <paramref name="name"/> under the data dir (volumes are directories there).</summary>
    public IReadOnlyList<string> Files(string name) =>
        Directory.EnumerateFiles(Path, name, SearchOption.AllDirectories).ToList();

    public void Dispose()
    {
        foreach (var pid in TaskProcesses())
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
