namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>Every bundled example deploys to COMPLETE out of the box (the embedded emulator, 3 agents).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExamplesEndToEndTests
{
    public static IEnumerable<object[]> Examples() =>
        Directory.EnumerateDirectories(Path.Combine(SchedulerProcess.RepoRoot, "examples"))
            // Service specs (simulation-tests and embedding are a user's test project and application, run by .ci/run).
            .Where(dir => File.Exists(Path.Combine(dir, "svc.yml")))
            .Select(Path.GetFileName)
            // Covered in depth by HelloWorld/ResourceSets/AgentOptionsEndToEndTests (the last three with shaped agents), and
            // canary (which waits for operators) by PlanCommandsEndToEndTests.
            .Where(name => name is not "hello-world" and not "init-and-server" and not "mount-volumes" and not "racks" and not "pre-reserved" and not "canary")
            .Order()
            .Select(name => new object[] { name! });

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_deploys_to_COMPLETE(string example)
    {
        using var data = new TempDataDir();
        using var artifacts = new TempDataDir();
        var apiPort = SchedulerProcess.FreePort();
        string[] args =
        [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples", example, "svc.yml"),
            "--data-dir", data.Path, "--api-port", apiPort.ToString(), "--master-port", SchedulerProcess.FreePort().ToString(),
            "-o", "SLEEP_DURATION=120",
            .. example switch
            {
                "scale" => ["-o", "NODE_COUNT=5"],
                "zones" => ["--zones", "3"],
                "container-options" => ["-o", $"APP_URI=file://{AppArchive(artifacts.Path)}"],
                // The local agents resolve secrets from the emulator's store (an unknown one fails the task).
                "secrets-and-tls" => ["--secret", "secrets-and-tls/api-key=local-key"],
                _ => Array.Empty<string>(),
            },
        ];
        using var scheduler = SchedulerProcess.Launch(apiPort, args);

        await scheduler.WaitUntilAsync(scheduler.DeployCompleteAsync, TimeSpan.FromSeconds(120), $"{example} deploy COMPLETE");
        if (example == "zones")
        {
            // Every task's zone, as the agents' fault domains gave it; one task's alone; an unknown task is 404.
            var zones = (await scheduler.GetAsync("v1/state/zone/tasks"))!.Value.Body.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            var tasks = (await scheduler.GetAsync("v1/pod/status"))!.Value.Body.GetProperty("pods").EnumerateArray()
                .SelectMany(p => p.GetProperty("instances").EnumerateArray()).SelectMany(i => i.GetProperty("tasks").EnumerateArray())
                .Select(t => t.GetProperty("name").GetString()!).ToList();
            Assert.Equal(tasks.Order(), zones.Keys.Order());
            Assert.All(zones.Values, zone => Assert.False(string.IsNullOrEmpty(zone)));
            Assert.Equal(zones[tasks[0]], (await scheduler.GetAsync($"v1/state/zone/tasks/{tasks[0]}"))!.Value.Body.GetString());
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await scheduler.GetAsync("v1/state/zone/tasks/nope-0-server"))!.Value.Code);
        }

        if (example == "container-options")
        {
            // The pod's uri was fetched into the sandbox of each of its tasks, and extracted there.
            var mesos = Path.Combine(data.Path, "mesos");
            var fetched = Directory.GetFiles(mesos, "app-1.0.tgz", SearchOption.AllDirectories);
            var versions = Directory.GetFiles(mesos, "VERSION", SearchOption.AllDirectories);
            Assert.Equal(2, fetched.Length);
            Assert.Equal(fetched.Select(Path.GetDirectoryName).Order(), versions.Select(v => Path.GetDirectoryName(Path.GetDirectoryName(v))).Order());
            Assert.All(versions, v => Assert.Equal("1.0\n", File.ReadAllText(v)));
            Assert.All(fetched, f => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(f)!, "stdout")), $"{f} is not in a task sandbox"));
        }

        if (example == "volumes")
        {
            // Each instance's pod volume is one directory both its tasks write through their own sandboxes: the writer's
            // line, then the reader's, which read the writer's there (the tasks run once the deploy completes: waited for).
            static List<string[]> Journals(TempDataDir data) => data.Files("journal")
                .Where(f => f.Contains("/volumes/", StringComparison.Ordinal)).Select(File.ReadAllLines).ToList();
            await scheduler.WaitUntilAsync(() => Task.FromResult(Journals(data) is { Count: 2 } journals && journals.All(j => j.Length == 2)),
                TimeSpan.FromSeconds(60), "the writer's and the reader's lines in both pod volumes");
            Assert.Equal(
                [["written by archive-0-writer", "archive-0-reader read written by archive-0-writer"],
                 ["written by archive-1-writer", "archive-1-reader read written by archive-1-writer"]],
                Journals(data).OrderBy(j => j[0], StringComparer.Ordinal));
            var sandboxes = Directory.GetDirectories(Path.Combine(data.Path, "mesos"), "shared", SearchOption.AllDirectories)
                .Where(d => new DirectoryInfo(d).LinkTarget is not null).ToList();
            Assert.Equal(4, sandboxes.Count);
            Assert.Equal(2, sandboxes.Select(d => new DirectoryInfo(d).LinkTarget).Distinct().Count());

            // The decision journal names the volume, held by the executor.
            var explanation = (await scheduler.GetAsync("v2/debug/offers?pod=archive-0"))!.Value.Body.GetProperty("outcomes").EnumerateArray()
                .SelectMany(o => o.GetProperty("explanation").EnumerateArray().Select(l => l.GetString()!));
            Assert.Contains("PASS(VolumeEvaluationStage): ROOT volume 'shared' (100 MB) of pod archive-0 (its executor's, shared by its tasks), carved from the ROOT disk", explanation);

            // The writer dies: the pod is relaunched in place on the same volume, whose lines are still there; the writer
            // and the reader (killed with it, the writer being essential) each add one, in either order.
            var writer = data.TaskProcesses().Single(pid => TempDataDir.IsSleep(pid) && TempDataDir.Sandbox(pid).Contains("archive-0-writer", StringComparison.Ordinal));
            System.Diagnostics.Process.GetProcessById(writer).Kill();
            string[] Archive0() => Journals(data).SingleOrDefault(j => j.Length > 0 && j[0] == "written by archive-0-writer") ?? [];
            await scheduler.WaitUntilAsync(() => Task.FromResult(Archive0().Length == 4), TimeSpan.FromSeconds(60), "the relaunched tasks' lines in archive-0's pod volume");
            var journal = Archive0();
            Assert.Equal(["written by archive-0-writer", "archive-0-reader read written by archive-0-writer"], journal[..2]);
            Assert.Equal(journal[..2].Order(StringComparer.Ordinal), journal[2..].Order(StringComparer.Ordinal));
        }

        if (example == "secrets-and-tls")
        {
            // The secret reached the task both ways: as API_KEY (the command says whether it is set) and as a file.
            await scheduler.WaitUntilAsync(() => Task.FromResult(data.Files("stdout").Any(f => File.ReadAllText(f).Contains("key set: yes", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(60), "the gateway's API_KEY from the emulator's secret store");
            Assert.All(data.Files("api-key"), f => Assert.Equal("local-key", File.ReadAllText(f)));
            Assert.NotEmpty(data.Files("api-key"));
        }

        if (example == "taskcfg")
        {
            // Each task fetched its template from the API and its bootstrap rendered it with the task's environment (RUNNING
            // comes first: the command renders, then appends its own line).
            List<string> Rendered() => Directory.GetFiles(data.Path, "worker.conf", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "conf").Select(File.ReadAllText).Order(StringComparer.Ordinal).ToList();
            await scheduler.WaitUntilAsync(() => Task.FromResult(Rendered() is { Count: 2 } files && files.All(f => f.EndsWith("metrics=off\n", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(60), "both tasks rendered conf/worker.conf");
            var rendered = Rendered();
            Assert.Equal(2, rendered.Count);
            Assert.All(rendered, text => Assert.Contains("log_level=info\nthreads=2\nmetrics=off\n", text, StringComparison.Ordinal));
            Assert.StartsWith("# Rendered into the task sandbox", rendered[0], StringComparison.Ordinal);
            Assert.Contains("task=worker-0-run\n", rendered[0], StringComparison.Ordinal);
            Assert.Contains("task=worker-1-run\n", rendered[1], StringComparison.Ordinal);
            Assert.All(Directory.GetFiles(data.Path, "settings", SearchOption.AllDirectories),
                f => Assert.Equal("config-templates", Path.GetFileName(Path.GetDirectoryName(f))));

            // The raw template of a task's config in the target version, as stored with it; unknown names are 404 messages.
            var target = (await scheduler.GetAsync("v1/configurations/targetId"))!.Value.Body.GetString();
            using var http = new HttpClient { BaseAddress = scheduler.ApiUrl };
            using var template = await http.GetAsync($"v1/artifacts/template/{target}/worker/run/settings");
            Assert.Equal(System.Net.HttpStatusCode.OK, template.StatusCode);
            Assert.Equal(File.ReadAllText(Path.Combine(SchedulerProcess.RepoRoot, "examples/taskcfg/worker.conf.mustache")), await template.Content.ReadAsStringAsync());
            foreach (var (path, message) in new[]
            {
                ("nope/worker/run/settings", "Configuration nope not found"),
                ($"{target}/nope/run/settings", $"Pod nope not found in configuration {target}"),
                ($"{target}/worker/nope/settings", $"Task nope not found in pod worker of configuration {target}"),
                ($"{target}/worker/run/nope", $"Config nope not found in task run of pod worker of configuration {target}"),
            })
            {
                var answer = (await scheduler.GetAsync($"v1/artifacts/template/{path}"))!.Value;
                Assert.Equal((System.Net.HttpStatusCode.NotFound, message), (answer.Code, answer.Body.GetProperty("message").GetString()));
            }
        }
    }

    /// <summary>An artifact as a service would ship one: <c>app-1.0.tgz</c> holding <c>app/VERSION</c>.</summary>
    private static string AppArchive(string dir)
    {
        var content = Path.Combine(dir, "content");
        Directory.CreateDirectory(Path.Combine(content, "app"));
        File.WriteAllText(Path.Combine(content, "app", "VERSION"), "1.0\n");
        var archive = Path.Combine(dir, "app-1.0.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            System.Formats.Tar.TarFile.CreateFromDirectory(content, gzip, includeBaseDirectory: false);
        }

        return archive;
    }
}
