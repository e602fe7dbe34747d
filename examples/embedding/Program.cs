// An application of your own that runs the scheduler inside its Akka.NET actor system (Akka.Hosting), then follows the
// deploy plan in-process until it is COMPLETE.
//   Embedding <svc.yml> <master URL> [data dir]
// Exit codes: 0 the deploy completed; 1 it did not within the time allowed; 2 bad arguments or a spec that does not load.
using ActorScheduler.Hosting;
using ActorScheduler.Hosting.Persistence;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length is < 2 or > 3 || !Uri.TryCreate(args[1], UriKind.Absolute, out var master) || master.Scheme is not ("http" or "https"))
{
    Console.Error.WriteLine("usage: Embedding <svc.yml> <master URL, e.g. http://127.0.0.1:5050/> [data dir]");
    return 2;
}

var loaded = ServiceSpecLoader.LoadFile(args[0]);
if (!loaded.IsValid)
{
    foreach (var error in loaded.Errors)
    {
        Console.Error.WriteLine(error);   // file:line:column: key path: what was expected
    }

    return 2;
}

var dataDir = args.Length == 3 ? args[2] : Path.Combine(Path.GetTempPath(), $"embedding-{Guid.NewGuid():N}");
Directory.CreateDirectory(dataDir);

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddAkka("my-app", (akka, _) =>
{
    akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
        .WithSqliteJournal(Path.Combine(dataDir, "journal.db"))
        .WithActorScheduler(new ActorSchedulerOptions
        {
            ServiceName = loaded.Spec!.Name,
            RenderedSpec = loaded.RenderedText!,
            SchedulerEnvironment = loaded.SchedulerEnvironment,
            ConfigTemplates = loaded.ConfigTemplates,
            MasterUrl = master,
        });
});

using var host = builder.Build();
await host.StartAsync();
var scheduler = host.Services.GetRequiredService<IRequiredActor<SchedulerRegistryKeys.Scheduler>>();

var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
var last = "";
var completed = false;
while (DateTime.UtcNow < deadline)
{
    object? answer;
    try
    {
        answer = await (await scheduler.GetAsync()).Ask<object>(new PlanProtocol.GetPlan("deploy"), TimeSpan.FromSeconds(10));
    }
    catch (AskTimeoutException)
    {
        answer = null;   // busy, or restarting: ask again
    }

    if (answer is PlanInfo plan)
    {
        var line = $"deploy {plan.Status}: " + string.Join(", ", plan.Phases.SelectMany(p => p.Steps).Select(s => $"{s.Name} {s.Status}"));
        if (line != last)
        {
            Console.WriteLine(line);
            last = line;
        }

        if (plan.Status == ActorScheduler.Messages.Plans.Status.Complete)
        {
            completed = true;
            break;
        }
    }

    await Task.Delay(TimeSpan.FromMilliseconds(250));
}

await host.StopAsync();
Console.WriteLine(completed ? "deploy COMPLETE" : "deploy not COMPLETE within 2 minutes");
return completed ? 0 : 1;
