using ActorScheduler.Hosting.Persistence;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Hosting.Tests.Hosting;

/// <summary>
/// An embedding application not clustered reads <see cref="ActorSchedulerHostingExtensions.GetActiveSchedulerNode"/> as
/// "the scheduler runs here", so that code written for a cluster (ask only where it runs) works unclustered as well.
/// </summary>
public sealed class EmbeddedActiveSchedulerNodeTests : IDisposable
{
    private const string Spec = "name: hello-world\npods:\n  hello:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("actorscheduler-embedded-active-").FullName;

    [Fact]
    public async Task Not_clustered_the_scheduler_runs_on_this_node()
    {
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("embedded-active", (akka, _) => akka
                .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .WithSqliteJournal(Path.Combine(_dir, "journal.db"))
                .WithActorScheduler(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = new Uri("http://127.0.0.1:1/") })))
            .Build();
        await host.StartAsync();

        Assert.Equal(new ActiveSchedulerNode(true, null, null), host.Services.GetRequiredService<ActorSystem>().GetActiveSchedulerNode());
        await host.StopAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
