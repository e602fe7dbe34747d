using System.CommandLine;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Mesos;
using ActorScheduler.Mesos.Emulator;

var root = new RootCommand("ActorScheduler: a scheduler for stateful services on Apache Mesos, built on Akka.NET.");

// actorscheduler run <svc.yml>
var specArgument = new Argument<string>("spec") { Description = "Service spec (YAML). Values come from <spec>.env beside it, the environment and -o." };
var overrideOption = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
var dataDirOption = new Option<string>("--data-dir") { Description = "Journal, agent work dirs and task sandboxes.", DefaultValueFactory = _ => ".actorscheduler" };
var apiHostOption = new Option<string>("--api-host") { Description = "Address the HTTP API binds to (127.0.0.1 keeps it local).", DefaultValueFactory = _ => "127.0.0.1" };
var apiPortOption = new Option<int>("--api-port") { Description = "Port of the scheduler HTTP API on 127.0.0.1.", DefaultValueFactory = _ => 8080 };
var masterPortOption = new Option<int>("--master-port") { Description = "Port of the embedded Mesos master emulator.", DefaultValueFactory = _ => 5050 };
var agentsOption = new Option<int>("--agents") { Description = "Number of local agents of the embedded emulator.", DefaultValueFactory = _ => 3 };
var zonesOption = new Option<int>("--zones") { Description = "Spread the embedded emulator's agents over N fault-domain zones (zone-1..N, region 'local'); 0 = no domains.", DefaultValueFactory = _ => 0 };
zonesOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 0)
    {
        result.AddError("--zones must be 0 or more");
    }
});
var masterOption = new Option<string?>("--master") { Description = "Use this Mesos master (e.g. http://127.0.0.1:5050) instead of the embedded emulator." };
var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Log scheduler decisions (INFO) to the console." };
var run = new Command("run", "Deploy a service and keep it running: embedded Mesos emulator, scheduler and HTTP API in one process.")
{
    specArgument, overrideOption, dataDirOption, apiHostOption, apiPortOption, masterPortOption, agentsOption, zonesOption, masterOption, verboseOption,
};
run.SetAction((parse, ct) => CommandGuard.RunAsync(() => RunCommand.RunAsync(
    new RunArguments(
        parse.GetValue(specArgument)!,
        parse.GetValue(overrideOption) ?? [],
        parse.GetValue(dataDirOption)!,
        parse.GetValue(apiPortOption),
        parse.GetValue(masterPortOption),
        parse.GetValue(agentsOption),
        parse.GetValue(masterOption),
        parse.GetValue(verboseOption),
        ApiHost: parse.GetValue(apiHostOption)!,
        Zones: parse.GetValue(zonesOption)),
    Console.Out,
    Console.Error,
    ct)));
root.Subcommands.Add(run);

// actorscheduler validate <svc.yml> / render <svc.yml>
var validateSpec = new Argument<string>("spec") { Description = "Service spec (YAML)." };
var validateOverrides = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable)." };
var previousOption = new Option<string?>("--previous") { Description = "Also check the spec as an update of this older spec (volumes cannot change, pods cannot shrink, …)." };
var validate = new Command("validate", "Check a spec: prints \"valid\" (exit 0) or every error with file:line:column (exit 1).") { validateSpec, validateOverrides, previousOption };
validate.SetAction((parse, _) => CommandGuard.RunAsync(() => SpecCommands.ValidateAsync(
    parse.GetValue(validateSpec)!, parse.GetValue(validateOverrides) ?? [], Console.Out, Console.Error, parse.GetValue(previousOption))));
root.Subcommands.Add(validate);

var renderSpec = new Argument<string>("spec") { Description = "Service spec (YAML)." };
var renderOverrides = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable)." };
var renderJson = new Option<bool>("--json") { Description = "Print the rendered text and the spec model as JSON." };
var render = new Command("render", "Print the rendered spec and its plans as trees.") { renderSpec, renderOverrides, renderJson };
render.SetAction((parse, _) => CommandGuard.RunAsync(() => SpecCommands.RenderAsync(
    parse.GetValue(renderSpec)!, parse.GetValue(renderOverrides) ?? [], parse.GetValue(renderJson), Console.Out, Console.Error)));
root.Subcommands.Add(render);

// actorscheduler debug offers
var apiOption = new Option<string>("--api") { Description = "The scheduler's HTTP API.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var podOption = new Option<string?>("--pod") { Description = "Only this pod instance (e.g. hello-0)." };
var limitOption = new Option<int>("--limit") { Description = "How many of the latest evaluations to show.", DefaultValueFactory = _ => 10 };
var jsonOption = new Option<bool>("--json") { Description = "Print the API's JSON." };
var offers = new Command("offers", "Why offers were used or declined: per-pod summaries and the latest evaluations with their PASS/FAIL lines.")
{
    apiOption, podOption, limitOption, jsonOption,
};
offers.SetAction((parse, ct) => CommandGuard.RunAsync(() => DebugCommands.OffersAsync(
    parse.GetValue(apiOption)!, parse.GetValue(podOption), parse.GetValue(limitOption), parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
root.Subcommands.Add(new Command("debug", "Look inside a running scheduler.") { offers });

// actorscheduler mesos-local
var portOption = new Option<int>("--port") { Description = "Port to serve the Mesos scheduler API on (127.0.0.1).", DefaultValueFactory = _ => 5050 };
var localAgentsOption = new Option<int>("--agents") { Description = "Number of local agents.", DefaultValueFactory = _ => 3 };
var hostOption = new Option<string>("--host") { Description = "Address to serve on (127.0.0.1 keeps it local; 0.0.0.0 for containers).", DefaultValueFactory = _ => "127.0.0.1" };
var localDataDirOption = new Option<string>("--data-dir") { Description = "Agent work dirs, checkpoints and task sandboxes.", DefaultValueFactory = _ => ".actorscheduler/mesos" };

// Fault injection from the start (the /faults endpoints change it at run time).
var dropUpdatesOption = new Option<double>("--drop-updates") { Description = "Drop this share (0..1) of agent status updates on their way to frameworks; agents retry them." };
var duplicateUpdatesOption = new Option<double>("--duplicate-updates") { Description = "Deliver this share (0..1) of agent status updates twice." };
var delayUpdatesOption = new Option<double>("--delay-updates") { Description = "Hold back this share (0..1) of agent status updates by --update-delay-ms." };
var updateDelayOption = new Option<int>("--update-delay-ms") { Description = "How long a delayed update is held, and how long after the original a duplicate follows.", DefaultValueFactory = _ => 1000 };
var seedOption = new Option<int?>("--seed") { Description = "Seed of the fault injection's random draws: the same seed repeats the same faults (default: random, printed)." };
var mesosLocal = new Command("mesos-local", "Serve a Mesos master emulator with local agents that run tasks as real processes.")
{
    portOption, localAgentsOption, localDataDirOption, hostOption, zonesOption,
    dropUpdatesOption, duplicateUpdatesOption, delayUpdatesOption, updateDelayOption, seedOption,
};
mesosLocal.SetAction((parse, ct) => CommandGuard.RunAsync(() => MesosLocalCommand.RunAsync(
    new MesosEmulatorOptions
    {
        Host = parse.GetValue(hostOption)!,
        Port = parse.GetValue(portOption),
        Agents = parse.GetValue(localAgentsOption),
        Zones = parse.GetValue(zonesOption),
        DataDir = Path.GetFullPath(parse.GetValue(localDataDirOption)!),
        StatusUpdateFaults = new ActorScheduler.Mesos.Emulator.Faults.StatusUpdateFaults(
            parse.GetValue(dropUpdatesOption),
            parse.GetValue(duplicateUpdatesOption),
            parse.GetValue(delayUpdatesOption),
            TimeSpan.FromMilliseconds(parse.GetValue(updateDelayOption))),
        Seed = parse.GetValue(seedOption),
    },
    Console.Out,
    ct)));
root.Subcommands.Add(mesosLocal);

return await root.Parse(args).InvokeAsync(new InvocationConfiguration
{
    ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
    EnableDefaultExceptionHandler = false,
});
