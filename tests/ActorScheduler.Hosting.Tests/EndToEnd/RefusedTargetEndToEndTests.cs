using ActorScheduler.Actors;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Messages.Events;
using ActorScheduler.Specs;
using Akka;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Hosting.Tests.EndToEnd;

/// <summary>
/// A journal whose stored target a check of this version refuses (an older version took it: here a plan named
/// <c>decommission</c>): <c>run</c> with the same spec refuses it with its located errors and exit 1; <c>run</c> with a
/// fixed spec starts, takes it as the target — checked on its own, since the old target cannot be loaded to check it
/// against — and deploys it to COMPLETE.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RefusedTargetEndToEndTests
{
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromSeconds(120);

    private static readonly string[] Values = ["-o", "SLEEP_DURATION=300", "-o", "WORLD_COUNT=1"];

    [Fact]
    public async Task A_stored_target_refused_by_a_newer_check_gives_way_to_a_fixed_spec_and_the_same_spec_is_refused_with_its_errors()
    {
        using var data = new TempDataDir();
        var dataDir = System.IO.Path.Combine(data.Path, "data");
        var (apiPort, masterPort) = (SchedulerProcess.FreePort(), SchedulerProcess.FreePort());
        using (var first = SchedulerProcess.Start(dataDir, apiPort, masterPort, Values))
        {
            await first.WaitUntilAsync(first.DeployCompleteAsync, DeployTimeout, "the first deploy COMPLETE");
            Assert.Equal(0, await first.InterruptAsync(TimeSpan.FromSeconds(60)));
        }

        // The target an older version took: hello-world with a plan named decommission, which this version refuses.
        var helloWorld = System.IO.Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml");
        var rendered = ServiceSpecLoader.LoadFile(helloWorld, new Dictionary<string, string> { ["SLEEP_DURATION"] = "300", ["WORLD_COUNT"] = "1" }).RenderedText!;
        var refused = rendered + """

            plans:
              decommission:
                phases:
                  hello:
                    pod: hello
            """;
        var refusedFile = System.IO.Path.Combine(data.Path, "svc.yml");
        await File.WriteAllTextAsync(refusedFile, refused);
        var refusedId = await StoreTargetAsAnOlderVersionDidAsync(System.IO.Path.Combine(dataDir, "journal.db"), refused, refusedFile);

        // The same spec: refused before anything starts, located in the file, exit 1.
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await RunCommand.RunAsync(new RunArguments(refusedFile, [], dataDir, 0, 0, 1, null, false), output, error, CancellationToken.None);
        Assert.Equal(1, code);
        var line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.Matches($@"^error: {System.Text.RegularExpressions.Regex.Escape(refusedFile)}:\d+:\d+: plans\.decommission: 'decommission' is the scheduler's own plan", line);
        Assert.Empty(output.ToString());

        // A fixed spec: the scheduler starts, the fixed spec becomes the target, and the deploy completes.
        using var second = SchedulerProcess.Start(dataDir, apiPort, masterPort, Values);
        await second.WaitUntilAsync(second.DeployCompleteAsync, DeployTimeout, "deploy COMPLETE on the fixed spec");
        var target = (await second.GetAsync("v1/configurations/targetId"))!.Value.Body.GetString();
        Assert.NotEqual(refusedId, target);
        // The log says so, with why the old target no longer loads and that the update checks against it were skipped.
        var warning = Assert.Single(second.Output.Split('\n'), l => l.Contains($"The target config {refusedId}: it no longer loads: ", StringComparison.Ordinal));
        Assert.Contains($"{refusedFile}:", warning);
        Assert.Contains("plans.decommission: 'decommission' is the scheduler's own plan", warning);
        Assert.Contains("is checked on its own: the checks against the target (pod counts, volumes, user, region, …) are skipped", warning);
        Assert.Equal(0, await second.InterruptAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// Stores <paramref name="renderedYaml"/> and makes it the target in the journal's config stream, the events the
    /// config store of an older version, whose checks took it, wrote; returns its config id.
    /// </summary>
    private static async Task<string> StoreTargetAsAnOlderVersionDidAsync(string journal, string renderedYaml, string source)
    {
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("older-version", (akka, _) =>
                akka.AddHocon(SchedulerHocon.Text, HoconAddMode.Prepend).WithSqliteJournal(journal)))
            .Build();
        await host.StartAsync();
        var at = Timestamp.FromDateTime(DateTime.UtcNow);
        var stored = new ConfigStored { ConfigId = Guid.NewGuid().ToString(), ServiceName = "hello-world", RenderedYaml = renderedYaml, Source = source, At = at };
        var store = host.Services.GetRequiredService<ActorSystem>().ActorOf(Props.Create(() => new OlderConfigStore()));
        await store.Ask<Done>(new object[] { stored, new TargetConfigSet { ConfigId = stored.ConfigId, At = at } }, TimeSpan.FromSeconds(30));
        await host.StopAsync();
        SqliteConnection.ClearAllPools();
        return stored.ConfigId;
    }

    /// <summary>The config stream's writer: appends the events it is given after the stream's own.</summary>
    private sealed class OlderConfigStore : ReceivePersistentActor
    {
        public OlderConfigStore()
        {
            Recover<object>(_ => { });
            Command<object[]>(events =>
            {
                var replyTo = Sender;
                PersistAll(events, _ => { });
                DeferAsync(Done.Instance, done => replyTo.Tell(done));
            });
        }

        public override string PersistenceId => "hello-world/config";
    }
}
