using System.CommandLine;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Messages.Plans;
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
var masterOption = new Option<string?>("--master") { Description = "Use this Mesos master (e.g. http://127.0.0.1:5050) instead of the embedded emulator." };
var apiTokenOption = new Option<string?>("--api-token")
{
    Description = "Require 'Authorization: Bearer <token>' on every API call that changes something (default: $ACTORSCHEDULER_API_TOKEN; the CLI sends that variable).",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ACTORSCHEDULER_API_TOKEN"),
};
var enableBackoffOption = new Option<bool>("--enable-backoff") { Description = "Delay relaunches of failed tasks: 60 s, x1.15 per further failure, at most 300 s (DC/OS ENABLE_BACKOFF); persisted." };
// The options that took a whole number of seconds take a duration too; a number without its unit stays seconds.
const string durationOrSeconds = "A duration, a number and its unit ms, s, m, h or d (90s, 5m, 1.5h, 2d), or a number of seconds";
var permanentFailureTimeoutOption = new Option<string?>("--permanent-failure-timeout")
{
    Description = $"How long a RUNNING-goal task may stay failed before its pod is replaced on a new footprint (DC/OS permanent-failure-timeout-secs); the clock survives restarts. {durationOrSeconds}; 1s or more. Default: never.",
};
var claimsPerCycleOption = new Option<int>("--claims-per-cycle")
{
    Description = "Pod instances one offer cycle places at most: more deploy faster and hold offers longer.",
    DefaultValueFactory = _ => ActorScheduler.Actors.SchedulerSettings.DefaultMaxClaimsPerCycle,
};
var offerHoldingOption = new Option<string>("--offer-holding")
{
    Description = "What an offer cycle that placed --claims-per-cycle pods does with the offers it leaves: backlog (default) keeps those the pods still waiting need, for a faster deploy; none declines them, so every offer is answered by the cycle it came in (clusters shared with other frameworks).",
    DefaultValueFactory = _ => ActorScheduler.Actors.Offers.OfferHoldModes.NameOf(ActorScheduler.Actors.Offers.OfferHoldMode.Backlog),
};
var sweepOption = new Option<string?>("--reservation-sweep-interval")
{
    Description = $"The time between sweeps of a scheduler with nothing to place: it revives offers once to collect reservations labelled by it that no pod owns (an agent back from a long partition). {durationOrSeconds}. 0: never.",
    DefaultValueFactory = _ => DurationText.Format(ActorScheduler.Actors.SchedulerSettings.DefaultReservationSweepInterval),
};
var registryMaxAgentAgeOption = new Option<string?>("--registry-max-agent-age")
{
    Description = $"How long the master keeps an unreachable agent (its --registry_max_agent_age, default two weeks): while given-up reservations may still be on such an agent, the framework keeps the role of a pod type the spec removed for this long. {durationOrSeconds}; 1s or more.",
    DefaultValueFactory = _ => DurationText.Format(ActorScheduler.Actors.Mesos.GatewaySettings.DefaultRegistryMaxAgentAge),
};
var decisionsKeptOption = new Option<long>("--offer-decisions-kept")
{
    Description = "Offer decision records (tag offer-decision) the journal keeps: the latest; older ones are deleted as new ones come. 0: keep every one.",
    DefaultValueFactory = _ => ActorScheduler.Actors.SchedulerSettings.DefaultOfferDecisionRecordsKept,
};
var fitnessOption = new Option<string>("--fitness")
{
    Description = "How a pod chooses among the offers it fits: binpack (the offer it fills most, away from its own type), spread (fewest of its type on the agent and in the zone, most left over) or first-fit (the first that passes, as the DC/OS SDK).",
    DefaultValueFactory = _ => ActorScheduler.Actors.Offers.PlacementFitness.NameOf(ActorScheduler.Actors.Offers.PlacementFitness.Default.Kind),
};
var fitnessCandidatesOption = new Option<int>("--fitness-candidates")
{
    Description = "Offers that fit compared for one pod (binpack and spread); the first that scores perfectly ends the search.",
    DefaultValueFactory = _ => ActorScheduler.Actors.Offers.PlacementFitness.DefaultCandidates,
};
var decommissionParallelismOption = new Option<int>("--decommission-parallelism")
{
    Description = "Pod instances a scale-in decommissions at once. 1 (default, as the DC/OS SDK): one by one, and an interrupt leaves every pod after the one under way untouched; more: faster, each pod waiting for offers of its own agent.",
    DefaultValueFactory = _ => ActorScheduler.Actors.Plans.DecommissionPlan.DefaultParallelism,
};
var tlsCaCertOption = new Option<string?>("--tls-ca-cert")
{
    Description = "PEM certificate of the CA that signs the certificates of tasks with transport-encryption (with --tls-ca-key). Without it the scheduler generates a CA on first need and keeps it, private key included, in its journal.",
};
var tlsCaKeyOption = new Option<string?>("--tls-ca-key") { Description = "The unencrypted PEM private key (RSA or EC) of --tls-ca-cert." };
var journalConnectionOption = new Option<string?>("--journal-connection")
{
    Description = "Keep the journal in this PostgreSQL database instead of the data dir's SQLite file: Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database. The scheduler creates its tables there. Should the server be lost while it runs, run stops with exit 3, for a supervisor to start it again: it recovers from the journal once the server answers. A server that stops answering counts as lost once the driver gives up on it: Command Timeout=10 and Timeout=5 (seconds) unless the connection string sets its own.",
};
var clusterPortOption = new Option<int?>("--cluster-port")
{
    Description = "Run clustered (HA): this node joins the cluster of scheduler nodes on this port; one runs the scheduler (a cluster singleton), the others take over in seconds, and each serves the API. Needs --journal-connection and --master.",
};
var clusterSeedOption = new Option<string[]>("--cluster-seed")
{
    Description = "A node to join, akka.tcp://actorscheduler@host:port (repeatable). Default: this node itself, forming the cluster.",
    AllowMultipleArgumentsPerToken = false,
};
var clusterHostnameOption = new Option<string?>("--cluster-hostname") { Description = "The address other scheduler nodes reach this one at (default 127.0.0.1)." };
// The cluster's timings; defaults and production advice as hocon/cluster.conf (SchedulerClusterOptions holds the defaults).
var clusterDefaults = new ActorScheduler.Hosting.SchedulerClusterOptions { Port = 1 };
var clusterStableAfterOption = new Option<string?>("--cluster-stable-after")
{
    Description = $"How long membership must stay unchanged before the split-brain resolver downs an unreachable node (keep-majority). A duration, a number and its unit ms, s, m, h or d: 500ms, 7s, 1.5m. Default {DurationText.Format(clusterDefaults.StableAfter)}; keep 7s or more in production, so that a long GC pause or a network blip is not taken for a crash.",
};
var clusterHeartbeatIntervalOption = new Option<string?>("--cluster-heartbeat-interval")
{
    Description = $"How often the nodes' failure detectors exchange heartbeats. Default {DurationText.Format(clusterDefaults.HeartbeatInterval)}.",
};
var clusterHeartbeatPauseOption = new Option<string?>("--cluster-heartbeat-pause")
{
    Description = $"The silence tolerated before a node is marked unreachable; longer than --cluster-heartbeat-interval. Default {DurationText.Format(clusterDefaults.AcceptableHeartbeatPause)}; keep 3s or more in production.",
};
var clusterDownRemovalMarginOption = new Option<string?>("--cluster-down-removal-margin")
{
    Description = $"How long a downed node's scheduler is presumed still running before another node starts it. Default {DurationText.Format(clusterDefaults.DownRemovalMargin)}. A crashed active node is replaced after about heartbeat pause + stable-after + this margin, plus the scheduler's start. Above zero: Akka reads 0 as off, which waits stable-after a second time.",
};
var clusterLeaseTtlOption = new Option<string?>("--cluster-lease-ttl")
{
    Description = $"How long the scheduler lease in the journal's database stays its node's without a renewal: the scheduler runs only on the node that holds it, which renews it every quarter of this and stops the scheduler when it cannot, so that two nodes never run it at once, not even across a network partition. Default {DurationText.Format(clusterDefaults.LeaseTimeToLive)}, at least 1s; keep it no longer than heartbeat pause + stable-after + down-removal margin, or a crashed node's lease delays the take-over.",
};
var apiAdvertiseUrlOption = new Option<string?>("--api-advertise-url")
{
    Description = "The URL other machines reach this node's API at (http://host:port/). Clustered, a standby node redirects (307) every API request to the active node's advertised URL, so any node's API works. Default: the --api-host address, or for 0.0.0.0 the --cluster-hostname when clustered and this machine's host name when not.",
};
// TLS on the cluster's remoting; the password never on the command line (the process list shows it to every user).
var clusterTlsCertificateOption = new Option<string?>(RunClusterTls.CertificateOption)
{
    Description = $"TLS on the cluster's remoting: a PKCS#12 (.pfx) file with the certificate and its private key, the same on every node. Each node presents it and accepts only a peer presenting it too (mutual TLS, pinned; no host name check); node addresses become akka.ssl.tcp://. Its password: ${RunClusterTls.PasswordVariable} or --cluster-tls-password-file, never on the command line.",
};
var clusterTlsPasswordFileOption = new Option<string?>(RunClusterTls.PasswordFileOption)
{
    Description = $"A file holding the password of --cluster-tls-certificate (its content, less a trailing newline; instead of ${RunClusterTls.PasswordVariable}).",
};
var clusterTlsCaOption = new Option<string?>(RunClusterTls.CaOption)
{
    Description = "The cluster's own CA: one or more CA certificates (PEM, or one DER certificate). With it --cluster-tls-certificate is this node's own certificate, signed by that CA, and a peer is accepted if its certificate chains to one of these CAs (and no other root), is valid, names the TLS client and server usages when it names usages, and is not revoked. Host names are not checked.",
};
var clusterTlsRevokedOption = new Option<string?>(RunClusterTls.RevokedOption)
{
    Description = "Revoked node certificates of --cluster-tls-ca: a text file of serial numbers in hex, one a line (as openssl x509 -noout -serial prints them; # starts a comment). A listed peer is refused; a node whose own certificate is listed does not start. Read when the node starts.",
};
var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Log scheduler decisions (INFO) to the console." };
var run = new Command("run", "Deploy a service and keep it running: embedded Mesos emulator, scheduler and HTTP API in one process. With STATSD_UDP_HOST and STATSD_UDP_PORT set, its metrics are pushed over StatsD every STATSD_POLL_INTERVAL_S seconds (default 10).")
{
    specArgument, overrideOption, dataDirOption, apiHostOption, apiPortOption, masterPortOption, agentsOption, masterOption, verboseOption, apiTokenOption,
    enableBackoffOption, permanentFailureTimeoutOption, claimsPerCycleOption, offerHoldingOption, sweepOption, registryMaxAgentAgeOption, decisionsKeptOption, fitnessOption, fitnessCandidatesOption,
    decommissionParallelismOption,
    tlsCaCertOption,
    tlsCaKeyOption,
    journalConnectionOption,
    clusterPortOption,
    clusterSeedOption,
    clusterHostnameOption,
    clusterStableAfterOption,
    clusterHeartbeatIntervalOption,
    clusterHeartbeatPauseOption,
    clusterDownRemovalMarginOption,
    clusterLeaseTtlOption,
    apiAdvertiseUrlOption,
    clusterTlsCertificateOption,
    clusterTlsPasswordFileOption,
    clusterTlsCaOption,
    clusterTlsRevokedOption,
};
var runAgentFlags = new EmulatorAgentFlags();
runAgentFlags.AddTo(run, masterOption, [agentsOption, masterPortOption]);
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
        ConfigureEmulator: options => runAgentFlags.ApplyTo(parse, options),
        ApiToken: parse.GetValue(apiTokenOption))
    {
        EnableBackoff = parse.GetValue(enableBackoffOption),
        PermanentFailureTimeout = parse.GetValue(permanentFailureTimeoutOption),
        MaxClaimsPerCycle = parse.GetValue(claimsPerCycleOption),
        OfferHolding = parse.GetValue(offerHoldingOption)!,
        ReservationSweepInterval = parse.GetValue(sweepOption),
        RegistryMaxAgentAge = parse.GetValue(registryMaxAgentAgeOption),
        OfferDecisionRecordsKept = parse.GetValue(decisionsKeptOption),
        Fitness = parse.GetValue(fitnessOption)!,
        FitnessCandidates = parse.GetValue(fitnessCandidatesOption),
        DecommissionParallelism = parse.GetValue(decommissionParallelismOption),
        TlsCaCertificateFile = parse.GetValue(tlsCaCertOption),
        TlsCaKeyFile = parse.GetValue(tlsCaKeyOption),
        JournalConnection = parse.GetValue(journalConnectionOption),
        ClusterPort = parse.GetValue(clusterPortOption),
        ClusterSeeds = parse.GetValue(clusterSeedOption) ?? [],
        ClusterHostname = parse.GetValue(clusterHostnameOption),
        ClusterStableAfter = parse.GetValue(clusterStableAfterOption),
        ClusterHeartbeatInterval = parse.GetValue(clusterHeartbeatIntervalOption),
        ClusterHeartbeatPause = parse.GetValue(clusterHeartbeatPauseOption),
        ClusterDownRemovalMargin = parse.GetValue(clusterDownRemovalMarginOption),
        ClusterLeaseTtl = parse.GetValue(clusterLeaseTtlOption),
        ApiAdvertiseUrl = parse.GetValue(apiAdvertiseUrlOption),
        ClusterTlsCertificate = parse.GetValue(clusterTlsCertificateOption),
        ClusterTlsPasswordFile = parse.GetValue(clusterTlsPasswordFileOption),
        ClusterTlsCa = parse.GetValue(clusterTlsCaOption),
        ClusterTlsRevoked = parse.GetValue(clusterTlsRevokedOption),
    },
    Console.Out,
    Console.Error,
    ct)));
root.Subcommands.Add(run);

// actorscheduler validate <svc.yml> / render <svc.yml>
var validateSpec = new Argument<string>("spec") { Description = "Service spec (YAML)." };
var validateOverrides = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable)." };
var previousOption = new Option<string?>("--previous") { Description = "Also check the spec as an update of this older spec (volumes cannot change, pods cannot shrink, …); the -o values apply to the new spec only, so --previous svc.yml checks a change of values alone." };
var validateJson = new Option<bool>("--json") { Description = "Print the verdict and every error (file, line, column, key path, message) as one JSON document; same exit codes." };
var validate = new Command("validate", "Check a spec: prints \"valid\" (exit 0) or every error with file:line:column (exit 1).") { validateSpec, validateOverrides, previousOption, validateJson };
validate.SetAction((parse, _) => CommandGuard.RunAsync(() => SpecCommands.ValidateAsync(
    parse.GetValue(validateSpec)!, parse.GetValue(validateOverrides) ?? [], Console.Out, Console.Error, parse.GetValue(previousOption), parse.GetValue(validateJson))));
root.Subcommands.Add(validate);

var renderSpec = new Argument<string>("spec") { Description = "Service spec (YAML)." };
var renderOverrides = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable)." };
var renderJson = new Option<bool>("--json") { Description = "Print the rendered text and the spec model as JSON." };
var render = new Command("render", "Print the rendered spec and its plans as trees.") { renderSpec, renderOverrides, renderJson };
render.SetAction((parse, _) => CommandGuard.RunAsync(() => SpecCommands.RenderAsync(
    parse.GetValue(renderSpec)!, parse.GetValue(renderOverrides) ?? [], parse.GetValue(renderJson), Console.Out, Console.Error)));
root.Subcommands.Add(render);

// actorscheduler bootstrap (inside a task's sandbox)
var printEnvOption = new Option<bool>("--print-env") { Description = "First print the task's environment, sorted, one NAME=value a line." };
var noTemplateOption = new Option<bool>("--no-template") { Description = "Render no config template." };
var allowMissingOption = new Option<bool>("--allow-missing") { Description = "Render a value the environment lacks as empty (as DC/OS's bootstrap does) instead of failing." };
var bootstrap = new Command("bootstrap", "Run inside a task: render each config template named by a CONFIG_TEMPLATE_<NAME>=<template>,<dest> variable with the task's environment, in the sandbox ($MESOS_SANDBOX, else the current directory). Exit 1 with an error line per template that did not render.")
{
    printEnvOption, noTemplateOption, allowMissingOption,
};
bootstrap.SetAction((parse, _) => CommandGuard.RunAsync(() => BootstrapCommand.RunAsync(
    BootstrapCommand.ProcessEnvironment(), parse.GetValue(printEnvOption), !parse.GetValue(noTemplateOption), parse.GetValue(allowMissingOption), Console.Out, Console.Error)));
root.Subcommands.Add(bootstrap);

// actorscheduler debug offers|reservations|tasks
var apiOption = new Option<string>("--api") { Description = "The scheduler's HTTP API.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var podOption = new Option<string?>("--pod") { Description = "Only this pod instance (e.g. hello-0)." };
var limitOption = new Option<int>("--limit") { Description = "How many of the latest evaluations to show.", DefaultValueFactory = _ => 10 };
var jsonOption = new Option<bool>("--json") { Description = "Print the API's JSON." };
var unplacedOption = new Option<bool>("--unplaced") { Description = "Only pod instances no offer has placed since they last started waiting, and how many of those evaluated (not with --pod)." };
var offers = new Command("offers", "Why offers were used or declined: per-pod summaries and the latest evaluations with their PASS/FAIL lines.")
{
    apiOption, podOption, limitOption, jsonOption, unplacedOption,
};
offers.SetAction((parse, ct) => CommandGuard.RunAsync(() => DebugCommands.OffersAsync(
    parse.GetValue(apiOption)!, parse.GetValue(podOption), parse.GetValue(limitOption), parse.GetValue(jsonOption), Console.Out, Console.Error, ct,
    parse.GetValue(unplacedOption))));
var reservations = new Command("reservations", "Every reservation the pods' tasks and executors hold: resource ids, owners, volumes.") { apiOption, podOption, jsonOption };
reservations.SetAction((parse, ct) => CommandGuard.RunAsync(() => DebugCommands.ReservationsAsync(
    parse.GetValue(apiOption)!, parse.GetValue(podOption), parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
var tasks = new Command("tasks", "Every task's latest status (state, health, message), by pod.") { apiOption, podOption, jsonOption };
tasks.SetAction((parse, ct) => CommandGuard.RunAsync(() => DebugCommands.TasksAsync(
    parse.GetValue(apiOption)!, parse.GetValue(podOption), parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));

// actorscheduler debug config list|show|target|target_id, debug state framework_id|properties|property|refresh_cache (the DC/OS CLI's)
Command DataCommand(string name, string description, Func<ParseResult, bool, CancellationToken, Task<int>> action, params Argument[] arguments)
{
    var command = new Command(name, description) { apiOption, jsonOption };
    foreach (var argument in arguments)
    {
        command.Arguments.Add(argument);
    }

    command.SetAction((parse, ct) => CommandGuard.RunAsync(() => action(parse, parse.GetValue(jsonOption), ct)));
    return command;
}

var configId = new Argument<string>("id") { Description = "Config id (see debug config list)." };
var debugConfig = new Command("config", "The stored spec versions.")
{
    DataCommand("list", "List the stored config ids, oldest first.", (parse, json, ct) => StateCli.ConfigListAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)),
    DataCommand("show", "Show one stored config version.", (parse, json, ct) => StateCli.ConfigShowAsync(parse.GetValue(apiOption)!, parse.GetValue(configId)!, json, Console.Out, Console.Error, ct), configId),
    DataCommand("target", "Show the config version being deployed.", (parse, json, ct) => StateCli.ConfigTargetAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)),
    DataCommand("target_id", "Print the id of the config version being deployed.", (parse, json, ct) => StateCli.ConfigTargetIdAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)),
};
var propertyName = new Argument<string>("name") { Description = "Property name (see debug state properties)." };
var refreshCache = new Command("refresh_cache", "Reconcile every task the scheduler knows with the Mesos master now.") { apiOption };
refreshCache.SetAction((parse, ct) => CommandGuard.RunAsync(() => StateCli.RefreshAsync(parse.GetValue(apiOption)!, Console.Out, Console.Error, ct)));
var debugState = new Command("state", "Scheduler-level state.")
{
    DataCommand("framework_id", "Print the framework id the Mesos master gave the scheduler.", (parse, json, ct) => StateCli.FrameworkIdAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)),
    DataCommand("properties", "List the scheduler's property names.", (parse, json, ct) => StateCli.PropertiesAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)),
    DataCommand("property", "Print one scheduler property.", (parse, json, ct) => StateCli.PropertyAsync(parse.GetValue(apiOption)!, parse.GetValue(propertyName)!, json, Console.Out, Console.Error, ct), propertyName),
    refreshCache,
};

// actorscheduler pod pause|resume <pod> [-t task]…, also as the DC/OS CLI's debug pod pause|resume.
Command PodPauseResume(string name)
{
    var podArgument = new Argument<string>("pod") { Description = "Pod instance (e.g. hello-0)." };
    var taskOption = new Option<string[]>("--task", "-t") { Description = "A task of the pod (e.g. server); repeatable; all tasks when left out." };
    var description = name == "pause"
        ? "Relaunch a pod instance's tasks (or those named with -t) with their command replaced by a sleep, on the same reservations (status PAUSED)."
        : "Relaunch paused tasks of a pod instance (or those named with -t) with their real command.";
    var command = new Command(name, description) { podArgument, taskOption, apiOption };
    command.SetAction((parse, ct) => CommandGuard.RunAsync(() => PodCli.CommandAsync(
        parse.GetValue(apiOption)!, name, parse.GetValue(podArgument)!, Console.Out, Console.Error, ct, parse.GetValue(taskOption) ?? [])));
    return command;
}

var debugPod = new Command("pod", "Pause and resume pod instances (as pod pause|resume).") { PodPauseResume("pause"), PodPauseResume("resume") };

root.Subcommands.Add(new Command("debug", "Look inside a running scheduler.") { offers, reservations, tasks, debugConfig, debugState, debugPod });
root.Subcommands.Add(DataCommand("describe", "Show the config version being deployed (as debug config target).", (parse, json, ct) => StateCli.ConfigTargetAsync(parse.GetValue(apiOption)!, json, Console.Out, Console.Error, ct)));

// actorscheduler endpoints [name]
var endpointName = new Argument<string?>("name") { Description = "One endpoint (a port name, e.g. http); all names when left out.", Arity = ArgumentArity.ZeroOrOne };
var endpoints = new Command("endpoints", "List the service's advertised endpoints, or show one: its task addresses, DNS names and VIP.") { endpointName, apiOption, jsonOption };
endpoints.SetAction((parse, ct) => CommandGuard.RunAsync(() => EndpointsCli.ShowAsync(
    parse.GetValue(apiOption)!, parse.GetValue(endpointName), parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
root.Subcommands.Add(endpoints);

// actorscheduler plan list|status|start|stop|pause|resume|force-restart|force-complete
var planCommand = new Command("plan", "Show and steer the plans of a running scheduler.");
Argument<string> PlanArgument() => new("plan") { Description = "Plan name (e.g. deploy)." };
Argument<string?> PhaseArgument(string description) => new("phase") { Description = description, Arity = ArgumentArity.ZeroOrOne };
Argument<string?> StepArgument() => new("step") { Description = "Step name or id within the phase (e.g. hello-0:[server]).", Arity = ArgumentArity.ZeroOrOne };

var planList = new Command("list", "List the scheduler's plans.") { apiOption, jsonOption };
planList.SetAction((parse, ct) => CommandGuard.RunAsync(() => PlanCli.ListAsync(parse.GetValue(apiOption)!, parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
planCommand.Subcommands.Add(planList);

var statusPlan = PlanArgument();
var planStatus = new Command("status", "Show a plan as a tree of phases and steps with their statuses.") { statusPlan, apiOption, jsonOption };
planStatus.SetAction((parse, ct) => CommandGuard.RunAsync(() => PlanCli.StatusAsync(
    parse.GetValue(apiOption)!, parse.GetValue(statusPlan)!, parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
planCommand.Subcommands.Add(planStatus);

void AddPlanCommand(string name, string description, PlanCommandKind kind, bool phase, bool step, bool parameters)
{
    var planArgument = PlanArgument();
    var phaseArgument = PhaseArgument(step ? "Phase name or id (needed with a step)." : "Phase name or id; the whole plan when left out.");
    var stepArgument = StepArgument();
    var parameterOption = new Option<string[]>("--parameter", "-p") { Description = "Set a plan parameter (environment of the tasks it launches): -p KEY=VALUE (repeatable)." };
    var command = new Command(name, description) { planArgument, apiOption };
    if (phase)
    {
        command.Arguments.Add(phaseArgument);
    }

    if (step)
    {
        command.Arguments.Add(stepArgument);
    }

    if (parameters)
    {
        command.Options.Add(parameterOption);
    }

    command.SetAction((parse, ct) => CommandGuard.RunAsync(() => PlanCli.CommandAsync(
        parse.GetValue(apiOption)!,
        kind,
        parse.GetValue(planArgument)!,
        phase ? parse.GetValue(phaseArgument) : null,
        step ? parse.GetValue(stepArgument) : null,
        parameters ? parse.GetValue(parameterOption) ?? [] : [],
        Console.Out,
        Console.Error,
        ct)));
    planCommand.Subcommands.Add(command);
}

AddPlanCommand("start", "Start a plan (restarting it if complete), with parameters.", PlanCommandKind.Start, phase: false, step: false, parameters: true);
AddPlanCommand("stop", "Stop a plan: interrupt it and reset all its steps to PENDING.", PlanCommandKind.Stop, phase: false, step: false, parameters: false);
AddPlanCommand("pause", "Interrupt a plan or one of its phases: nothing new starts until resumed.", PlanCommandKind.Interrupt, phase: true, step: false, parameters: false);
AddPlanCommand("resume", "Continue a plan or phase (on a canary phase: let the next canary step run).", PlanCommandKind.Continue, phase: true, step: false, parameters: false);
AddPlanCommand("force-restart", "Reset a plan, phase or step to PENDING so its tasks relaunch.", PlanCommandKind.Restart, phase: true, step: true, parameters: false);
AddPlanCommand("force-complete", "Mark a plan, phase or step COMPLETE without running it.", PlanCommandKind.ForceComplete, phase: true, step: true, parameters: false);
root.Subcommands.Add(planCommand);

// actorscheduler pod list|status|info
var podList = new Command("list", "List the pod instances.") { apiOption, jsonOption };
podList.SetAction((parse, ct) => CommandGuard.RunAsync(() => PodCli.ListAsync(parse.GetValue(apiOption)!, parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
var statusPod = new Argument<string?>("pod") { Description = "One pod instance (e.g. hello-0); all when left out.", Arity = ArgumentArity.ZeroOrOne };
var podStatus = new Command("status", "Show pods and their tasks (state, health, readiness) as a tree.") { statusPod, apiOption, jsonOption };
podStatus.SetAction((parse, ct) => CommandGuard.RunAsync(() => PodCli.StatusAsync(
    parse.GetValue(apiOption)!, parse.GetValue(statusPod), parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
var infoPod = new Argument<string>("pod") { Description = "Pod instance (e.g. hello-0)." };
var podInfo = new Command("info", "Print a pod instance's task infos and latest statuses (Mesos JSON).") { infoPod, apiOption };
podInfo.SetAction((parse, ct) => CommandGuard.RunAsync(() => PodCli.InfoAsync(parse.GetValue(apiOption)!, parse.GetValue(infoPod)!, Console.Out, Console.Error, ct)));
var podCommands = new Command("pod", "Show and steer the pods of a running scheduler.") { podList, podStatus, podInfo };
foreach (var (name, description) in new[]
{
    ("restart", "Kill a pod instance's tasks; they relaunch in place on the same reservations and volumes."),
    ("replace", "Give up a pod instance's reservations and volumes (data is lost) and relaunch its tasks on a new footprint."),
})
{
    var podArgument = new Argument<string>("pod") { Description = "Pod instance (e.g. hello-0)." };
    var podCommand = new Command(name, description) { podArgument, apiOption };
    podCommand.SetAction((parse, ct) => CommandGuard.RunAsync(() => PodCli.CommandAsync(
        parse.GetValue(apiOption)!, name, parse.GetValue(podArgument)!, Console.Out, Console.Error, ct)));
    podCommands.Subcommands.Add(podCommand);
}

podCommands.Subcommands.Add(PodPauseResume("pause"));
podCommands.Subcommands.Add(PodPauseResume("resume"));

root.Subcommands.Add(podCommands);

// actorscheduler update start|status|pause|resume|rollback
var updateSpec = new Option<string>("--spec") { Description = "The new service spec (YAML), rendered here with svc.env beside it, the environment and -o.", Required = true };
var updateOverrides = new Option<string[]>("--option", "-o") { Description = "Set a template value: -o KEY=VALUE (repeatable)." };
var updateStart = new Command("start", "Submit a new spec version: validated as an update of the target; accepted → rolled out by the deploy plan, refused → errors (exit 1).")
{
    updateSpec, updateOverrides, apiOption,
};
updateStart.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.StartAsync(
    parse.GetValue(apiOption)!, parse.GetValue(updateSpec)!, parse.GetValue(updateOverrides) ?? [], Console.Out, Console.Error, ct)));
var updateStatus = new Command("status", "Show the rollout (the deploy plan) as a tree.") { apiOption, jsonOption };
updateStatus.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.StatusAsync(parse.GetValue(apiOption)!, parse.GetValue(jsonOption), Console.Out, Console.Error, ct)));
var updatePause = new Command("pause", "Pause the rollout (interrupt the deploy plan).") { apiOption };
updatePause.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.PauseAsync(parse.GetValue(apiOption)!, Console.Out, Console.Error, ct)));
var updateResume = new Command("resume", "Resume the rollout (continue the deploy plan).") { apiOption };
updateResume.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.ResumeAsync(parse.GetValue(apiOption)!, Console.Out, Console.Error, ct)));
var rollbackTo = new Option<string?>("--to") { Description = "Config id to go back to (see debug config list); default: the target in place before the current one was set, one further back with each rollback." };
var updateRollback = new Command("rollback", "Deploy a previous spec version again (validated like any update); repeated, it steps further back through the earlier targets.") { rollbackTo, apiOption };
updateRollback.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.RollbackAsync(parse.GetValue(apiOption)!, parse.GetValue(rollbackTo), Console.Out, Console.Error, ct)));
var completePhase = new Argument<string>("phase") { Description = "Phase name or id of the deploy plan." };
var completeStep = new Argument<string>("step") { Description = "Step name or id within the phase (e.g. hello-0:[server])." };
var updateForceComplete = new Command("force-complete", "Mark a step of the rollout COMPLETE without running it (plan force-complete deploy <phase> <step>).") { completePhase, completeStep, apiOption };
updateForceComplete.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.ForceCompleteAsync(
    parse.GetValue(apiOption)!, parse.GetValue(completePhase)!, parse.GetValue(completeStep)!, Console.Out, Console.Error, ct)));
var restartPhase = PhaseArgument("Phase name or id (needed with a step); the whole rollout when left out.");
var restartStep = StepArgument();
var updateForceRestart = new Command("force-restart", "Reset the rollout, a phase or a step to PENDING so its tasks relaunch (plan force-restart deploy [phase [step]]).") { restartPhase, restartStep, apiOption };
updateForceRestart.SetAction((parse, ct) => CommandGuard.RunAsync(() => UpdateCli.ForceRestartAsync(
    parse.GetValue(apiOption)!, parse.GetValue(restartPhase), parse.GetValue(restartStep), Console.Out, Console.Error, ct)));
root.Subcommands.Add(new Command("update", "Change a running service's spec and follow the rollout.")
{
    updateStart, updateStatus, updatePause, updateResume, updateForceComplete, updateForceRestart, updateRollback,
});

// actorscheduler audit
var auditDataDir = new Option<string?>("--data-dir") { Description = $"The data dir of a run; its journal is journal.db in it (default: {AuditCommand.DefaultDataDir})." };
var auditJournal = new Option<string?>("--journal") { Description = "The journal file itself (a copy, a backup), instead of --data-dir." };
var auditJournalConnection = new Option<string?>("--journal-connection")
{
    Description = "The journal in this PostgreSQL database (as run --journal-connection: Host=…;Port=…;Username=…;Password=…;Database=… or postgres://user:password@host:port/database), instead of --data-dir. Read in one read-only transaction.",
};
var auditPod = new Option<string?>("--pod") { Description = "Only events about this pod instance (e.g. hello-0): its own, its steps', the router's decisions and offers skipped about it, its erasure." };
var auditPlan = new Option<string?>("--plan") { Description = "Only events of this plan (e.g. deploy): the plan's, its phases' and its steps'." };
var auditStep = new Option<string?>("--step") { Description = "Only events of steps of this name (e.g. hello-0:[server]); with --plan, of that plan's." };
var auditOffers = new Option<bool>("--offers") { Description = "Only the offer router's decisions: each pod's PASS/FAIL per offer with the reasons, the offers a quick check ruled out per pod, what each cycle accepted and declined." };
var auditSince = new Option<string?>("--since") { Description = "Only events written at or after this time: ISO-8601 (2026-12-07T10:00:00Z; no offset: UTC), now, or a time ago: - and a duration, a number and its unit ms, s, m, h or d (-90s, -1.5m, -2h, -7d)." };
var auditUntil = new Option<string?>("--until") { Description = "Only events written before this time (as --since)." };
var auditLimit = new Option<int>("--limit") { Description = "Show the latest N matching events; a last line says how many earlier ones were left out. 0: all.", DefaultValueFactory = _ => ActorScheduler.Hosting.Audit.AuditQuery.DefaultLimit };
var auditJson = new Option<bool>("--json") { Description = "Print a JSON array: {time, persistence_id, sequence_nr, entity, stream, kind, tags, facts, event} an event, event being the protobuf event as JSON (private keys emptied)." };
var audit = new Command("audit", "Read a scheduler's journal after the fact: a timeline of what it decided, when and why (launches, statuses, step changes, offer decisions, configs, operator actions), one line an event. Reads the journal read-only: works beside a running scheduler.")
{
    auditDataDir, auditJournal, auditJournalConnection, auditPod, auditPlan, auditStep, auditOffers, auditSince, auditUntil, auditLimit, auditJson,
};
audit.SetAction((parse, _) => CommandGuard.RunAsync(() => AuditCommand.RunAsync(
    new AuditArguments(
        parse.GetValue(auditDataDir),
        parse.GetValue(auditJournal),
        parse.GetValue(auditPod),
        parse.GetValue(auditPlan),
        parse.GetValue(auditStep),
        parse.GetValue(auditOffers),
        parse.GetValue(auditSince),
        parse.GetValue(auditUntil),
        parse.GetValue(auditLimit),
        parse.GetValue(auditJson))
    { JournalConnection = parse.GetValue(auditJournalConnection) },
    Console.Out,
    Console.Error)));
root.Subcommands.Add(audit);

// actorscheduler mesos-local
var mesosLocal = new Command("mesos-local", "Serve a Mesos master emulator with local agents that run tasks as real processes.");
var mesosLocalFlags = new MesosLocalFlags();
mesosLocalFlags.AddTo(mesosLocal);
mesosLocal.SetAction((parse, ct) =>
{
    var options = mesosLocalFlags.ToOptions(parse, BootstrapShim.CommandOf(typeof(BootstrapCommand).Assembly.Location));
    return CommandGuard.RunAsync(() => MesosLocalCommand.RunAsync(options, Console.Out, ct, Console.Error));
});
root.Subcommands.Add(mesosLocal);

// A command line the parser rejects (an unknown option, a value of the wrong type, an argument missing) is bad
// arguments like any other: one `error:` line each and exit 2, not the parser's message followed by the whole usage.
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var parseError in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {ParseErrorText.Of(parseError.Message)}");
    }

    await Console.Error.WriteLineAsync($"usage: {CommandPath(parsed.CommandResult)} --help");
    return 2;
}

// --help: System.CommandLine's text, with the optional arguments bracketed in its Arguments section as in its usage line.
if (parsed.Action is System.CommandLine.Help.HelpAction)
{
    var help = new StringWriter();
    parsed.Invoke(new InvocationConfiguration { Output = help });
    await Console.Out.WriteAsync(HelpText.MarkOptionalArguments(help.ToString(), parsed.CommandResult.Command));
    return 0;
}

// Ctrl+C and SIGTERM are TerminationSignals' (not System.CommandLine's, whose handler could abort a process it outlived).
return await parsed.InvokeAsync(
    new InvocationConfiguration
    {
        ProcessTerminationTimeout = null,
        EnableDefaultExceptionHandler = false,
    },
    TerminationSignals.Register());

// "actorscheduler debug offers": the command a parse result stopped at, from the root.
static string CommandPath(System.CommandLine.Parsing.CommandResult result)
{
    var names = new List<string>();
    for (System.CommandLine.Parsing.SymbolResult? at = result; at is not null; at = at.Parent)
    {
        if (at is System.CommandLine.Parsing.CommandResult command)
        {
            names.Insert(0, command.Parent is null ? "actorscheduler" : command.Command.Name);
        }
    }

    return string.Join(' ', names);
}
