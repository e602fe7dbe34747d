using System.Diagnostics;
using System.Globalization;
using ActorScheduler.Messages.Events;
using ActorScheduler.Simulation;
using Akka.Actor;
using Akka.Hosting;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Bench;

/// <summary>
/// The offer storm: N single-task pods deployed through the real scheduler actors onto M simulated agents under an
/// <see cref="OfferStorm"/> (in real time), with the journal on a SQLite file, or on a PostgreSQL database
/// (<c>--journal-connection</c>), set up as production sets it up (<see cref="StormJournal"/>: Akka.Persistence.Sql
/// through Akka.Hosting, CSV tags; WAL for SQLite). Measures placements, offer-cycle latency, journal rows per second
/// against a raw insert loop on the same database with the same batch size and durability, peak memory, and the time
/// a restarted scheduler takes to be ready on the same journal. The core is <see cref="StormRun"/>.
/// </summary>
internal static class StormBench
{
    private static readonly TimeSpan RawInsertDuration = TimeSpan.FromSeconds(3);

    /// <summary>The options <c>storm</c> takes with a value.</summary>
    public static readonly string[] ValuedOptions =
    [
        "--agents", "--pods", "--seed", "--offers-per-s", "--timeout-s", "--journal", "--snapshot-every", "--pod-snapshot-after",
        "--claims-per-cycle", "--offer-interval-ms", "--warmup-pods", "--placement", "--allocation", "--allocation-interval-ms", "--runs",
        "--fitness", "--fitness-candidates", "--scale-in", "--decommission-parallelism", "--offer-holding", "--journal-connection",
    ];

    /// <summary>The options <c>storm</c> takes without a value.</summary>
    public static readonly string[] Flags = ["--no-restart", "--timeline"];

    /// <exception cref="BadOptionException">An option is unknown or malformed (checked before anything starts).</exception>
    /// <param name="output">Where the RESULT (and SUMMARY) lines go; progress goes to stderr.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var given = BenchOptions.Parse(args, ValuedOptions, Flags);
        var runs = given.Int("--runs", 1, min: 1);
        var agents = given.Int("--agents", 1000, min: 1);
        var pods = given.Int("--pods", 1000, min: 1);
        var seed = given.Int("--seed", 1);
        var rate = given.Int("--offers-per-s", 2000, min: 1);
        var timeout = TimeSpan.FromSeconds(given.Int("--timeout-s", 600, min: 1));
        var snapshotEvery = given.Int("--snapshot-every", ActorScheduler.Actors.SchedulerSettings.DefaultEntityJournalSnapshotEvery);
        var podSnapshotAfter = given.Int("--pod-snapshot-after", ActorScheduler.Actors.SchedulerSettings.DefaultPodSnapshotAfterEvents);
        var claimsPerCycle = given.Int("--claims-per-cycle", ActorScheduler.Actors.SchedulerSettings.DefaultMaxClaimsPerCycle, min: 1);
        var offerInterval = TimeSpan.FromMilliseconds(given.Int("--offer-interval-ms", 100, min: 1));
        var restart = !given.Has("--no-restart");
        var warmupPods = given.Int("--warmup-pods", 0);
        var allocationName = given.Text("--allocation") ?? "random";
        if (!Enum.TryParse<StormAllocation>(allocationName, ignoreCase: true, out var allocation) || !Enum.IsDefined(allocation))
        {
            throw new BadOptionException($"--allocation needs random or master (got '{allocationName}')");
        }

        var allocationInterval = TimeSpan.FromMilliseconds(given.Int("--allocation-interval-ms", 1000, min: 1));
        var fitnessName = given.Text("--fitness") ?? ActorScheduler.Actors.Offers.PlacementFitness.NameOf(ActorScheduler.Actors.Offers.PlacementFitness.Default.Kind);
        if (!ActorScheduler.Actors.Offers.PlacementFitness.TryParse(fitnessName, out var fitnessKind))
        {
            throw new BadOptionException($"--fitness needs one of {string.Join(", ", ActorScheduler.Actors.Offers.PlacementFitness.Names)} (got '{fitnessName}')");
        }

        var fitness = new ActorScheduler.Actors.Offers.PlacementFitness(fitnessKind, given.Int("--fitness-candidates", ActorScheduler.Actors.Offers.PlacementFitness.DefaultCandidates, min: 1));
        var offerHoldName = given.Text("--offer-holding") ?? ActorScheduler.Actors.Offers.OfferHoldModes.NameOf(ActorScheduler.Actors.Offers.OfferHoldMode.Backlog);
        if (!ActorScheduler.Actors.Offers.OfferHoldModes.TryParse(offerHoldName, out var offerHold))
        {
            throw new BadOptionException($"--offer-holding needs one of {string.Join(", ", ActorScheduler.Actors.Offers.OfferHoldModes.Names)} (got '{offerHoldName}')");
        }

        var scaleInTo = given.Has("--scale-in") ? given.Int("--scale-in", 0, min: 1) : (int?)null;
        if (scaleInTo >= pods)
        {
            throw new BadOptionException($"--scale-in needs fewer pods than --pods {pods} (got {scaleInTo})");
        }

        var decommissionParallelism = given.Int("--decommission-parallelism", ActorScheduler.Actors.Plans.DecommissionPlan.DefaultParallelism, min: 1);

        var placement = given.Text("--placement");
        if (placement is not null && ActorScheduler.Specs.Placement.PlacementRuleParser.Parse(placement, "storm") is { IsValid: false } invalid)
        {
            throw new BadOptionException($"--placement '{placement}': {string.Join("; ", invalid.Errors)}");
        }

        var givenJournal = given.Text("--journal");
        var givenConnection = given.Text("--journal-connection");
        if (givenJournal is not null && givenConnection is not null)
        {
            throw new BadOptionException("--journal and --journal-connection exclude each other: the journal is a SQLite file or a PostgreSQL database");
        }

        // The server asked too, before anything runs (and once, not by each of several runs).
        var database = givenConnection is null ? null : PostgresStormJournal.Check(givenConnection);
        if (runs > 1)
        {
            // Every value checked above: a bad one is refused here, not by each of the runs.
            return await RunRepeatedAsync(args, runs, output);
        }

        using StormJournal journal = database is not null
            ? PostgresStormJournal.Create(database)
            : new SqliteStormJournal(
                givenJournal is not null ? Path.GetFullPath(givenJournal) : Path.Combine(Path.GetTempPath(), $"actorscheduler-storm-{Guid.NewGuid():N}.db"),
                keep: givenJournal is not null);
        var batchSize = 100;

        var offering = allocation == StormAllocation.Master ? $"the master allocating every {allocationInterval.TotalMilliseconds:0} ms" : $"{rate} offers/s";
        Console.Error.WriteLine($"storm: {agents} agents, {pods} pods, seed {seed}, {offering}, timeout {timeout.TotalSeconds:0} s, journal {journal.Name}");
        var counter = new JournalEventCounter(journal);
        StormRunOptions options = new()
        {
            Agents = agents,
            Pods = pods,
            Seed = seed,
            OffersPerSecond = rate,
            Allocation = allocation,
            AllocationInterval = allocationInterval,
            Timeout = timeout,
            Restart = restart,
            EntityJournalSnapshotEvery = snapshotEvery,
            PodSnapshotAfterEvents = podSnapshotAfter,
            MaxClaimsPerCycle = claimsPerCycle,
            OfferHold = offerHold,
            Fitness = fitness,
            OfferInterval = offerInterval,
            Placement = placement,
            ScaleInTo = scaleInTo,
            DecommissionParallelism = decommissionParallelism,
            StartActorSystem = async () =>
            {
                var (system, stop, configuredBatch) = await StartHostAsync(journal);
                batchSize = configuredBatch;
                return new StormActorSystem(system, stop);
            },
            CountJournalEvents = () => counter.Events,
            Progress = p => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[storm] {p.Stage} {p.Elapsed.TotalSeconds:F0}s launched={p.Launched} placed={p.Placed} rate={p.PlacementsPerSecond:F1}/s offers={p.Offers} journal_rows={journal.CountRows("journal")} snapshot_rows={journal.CountRows("snapshot")} gc={GcCounts.Now()} gc_pause_s={GC.GetTotalPauseDuration().TotalSeconds:F1} heap_mb={GC.GetTotalMemory(false) / 1048576} cpu_s={Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} {p.Scheduler}")),
        };
        StormRun run;
        try
        {
            run = new StormRun(options);
        }
        catch (ArgumentException e)
        {
            throw new BadOptionException(e.Message);
        }

        if (warmupPods > 0)
        {
            await WarmUpAsync(run.Options, journal, warmupPods);
        }

        var result = await run.RunAsync();
        Console.Error.WriteLine(result.ToString());
        Console.Error.WriteLine("offer cycles in the order they ended, ms (offers accepted/declined/in the event): " + string.Join(' ',
            result.Cycles.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Ms:F0} ({c.Accepted}/{c.Declined}/{c.Offers})"))));
        Console.Error.WriteLine("offers declined by the deploy's end, by reason: " + (result.DeployDeclines.Count == 0
            ? "none"
            : string.Join(' ', result.DeployDeclines.OrderByDescending(d => d.Value).Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Key}={d.Value}")))));
        if (given.Has("--timeline"))
        {
            foreach (var slice in result.Timeline)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"TIMELINE from_ms={slice.FromMs:F0} offers={slice.Offers} launched={slice.Launched} placed={slice.Placed} gc_pause_ms={slice.GcPauseMs:F0}"));
            }
        }

        var eventsPerSecond = (result.JournalEventsDuringDeploy ?? 0) / result.DeploySeconds;
        var (rawPerSecond, durability, rowBytes) = journal.RawInserts(batchSize, counter.MeanEventBytes, RawInsertDuration);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"raw insert loop: {rawPerSecond:F0} rows/s in transactions of {batchSize} ({durability}, {rowBytes:F0}-byte messages (the journal's mean event)), {RawInsertDuration.TotalSeconds:0} s"));
        Console.Error.WriteLine($"load: {File.ReadAllText("/proc/loadavg").Trim()}");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT placed={result.Placed} placements_per_s={result.PlacementsPerSecond:F1} p50_cycle_ms={result.P50CycleMs:F1} p99_cycle_ms={result.P99CycleMs:F1} events_per_s={eventsPerSecond:F0} {journal.RawInsertsKey}={rawPerSecond:F0} ratio={eventsPerSecond / rawPerSecond:F4} peak_rss_mb={result.PeakRssMb:F0} restart_to_ready_s={Seconds(result.RestartToReadySeconds)} start_to_first_offer_s={Seconds(result.StartToFirstOfferSeconds)} deploy_cpu_s={result.DeployCpuSeconds:F1} cpu_ms_per_placement={1000 * result.DeployCpuSeconds / Math.Max(result.Placed, 1):F2} warmup_pods={warmupPods} p50_sched_cycle_ms={result.P50SchedulerCycleMs:F1} p99_sched_cycle_ms={result.P99SchedulerCycleMs:F1} first_launch_s={Seconds(result.FirstLaunchSeconds)} first_placement_s={Seconds(result.FirstPlacementSeconds)} p50_process_ms={result.P50ProcessMs:F1} p99_process_ms={result.P99ProcessMs:F1} process_cycles={result.ProcessCycles} p50_eval_ms={result.P50EvaluateMs:F1} p99_eval_ms={result.P99EvaluateMs:F1} alloc_kb_per_placement={result.DeployAllocatedBytes / 1024.0 / Math.Max(result.Placed, 1):F1} gc_pause_ms={1000 * result.DeployGcPauseSeconds:F0} gcs={result.DeployCollections} offer_cycles={result.OfferCycles}{(scaleInTo is null ? string.Empty : $" scale_in_s={Seconds(result.ScaleInSeconds)}")}"));
        return result.DeployComplete && (scaleInTo is null || result.ScaleInSeconds is not null) ? 0 : 1;
    }

    /// <summary>
    /// <c>--runs N</c>: the same storm in N fresh processes, one after the other (the figures of one process spread
    /// ±10–15 % on these machines): each run's RESULT line as it ends, then a SUMMARY line of the medians and ranges.
    /// </summary>
    private static async Task<int> RunRepeatedAsync(string[] args, int runs, TextWriter output)
    {
        var at = Array.IndexOf(args, "--runs");
        string[] single = ["storm", .. args.Where((_, i) => i != at && i != at + 1)];
        var results = new List<Dictionary<string, string>>();
        var failed = 0;
        for (var run = 1; run <= runs; run++)
        {
            Console.Error.WriteLine($"storm: run {run} of {runs}");
            var info = SelfProcess.StartInfo(single);
            info.RedirectStandardOutput = true;
            using var child = System.Diagnostics.Process.Start(info)!;
            Dictionary<string, string>? result = null;
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                output.WriteLine(line);
                result ??= RunSummary.Parse(line);
            }

            await child.WaitForExitAsync();
            if (child.ExitCode != 0 || result is null)
            {
                failed++;
                Console.Error.WriteLine($"storm: run {run} ended with exit code {child.ExitCode}{(result is null ? " and no RESULT line" : "")}");
            }

            if (result is not null)
            {
                results.Add(result);
            }
        }

        output.WriteLine(RunSummary.Line(results));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// A smaller storm first, in the same process, on its own journal (a file, or a schema) and cluster: the measured run then meets
    /// code the JIT has already compiled, as a scheduler that has run for a while does. Off by default
    /// (<c>--warmup-pods</c>): the default figures are those of a fresh process.
    /// </summary>
    private static async Task WarmUpAsync(StormRunOptions measured, StormJournal measuredJournal, int pods)
    {
        using var journal = measuredJournal.Scratch();
        // The measured run's settings, on pods of its own: a fresh seed, no restart, nothing counted or reported.
        var warmup = new StormRun(measured with
        {
            Agents = pods,
            Pods = pods,
            Seed = measured.Seed + 1,
            Restart = false,
            StartActorSystem = async () =>
            {
                var (system, stop, _) = await StartHostAsync(journal);
                return new StormActorSystem(system, stop);
            },
            CountJournalEvents = null,
            Progress = null,
        });
        var result = await warmup.RunAsync();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warm-up: {result.Placed} of {pods} pods placed at {result.PlacementsPerSecond:F0}/s ({(result.DeployComplete ? "complete" : "NOT complete")})"));
    }

    /// <summary>An Akka.Hosting host with the production journal on <paramref name="journal"/>; its stop disposes it.</summary>
    private static async Task<(ActorSystem System, Func<Task> Stop, int BatchSize)> StartHostAsync(StormJournal journal)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("storm", (akka, _) =>
        {
            journal.Configure(akka.AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
                .AddHocon(ActorScheduler.Actors.SchedulerHocon.Text, HoconAddMode.Prepend));
        });
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var batch = system.Settings.Config.GetInt("akka.persistence.journal.sql.batch-size", 100);
        return (system, async () =>
        {
            await host.StopAsync();
            host.Dispose();
        }, batch);
    }

    /// <summary>
    /// Counts the events in the journal as it grows: a row of the entity stream (<see cref="EntityEventBatch"/>) holds
    /// many, every other row one. Each call reads only the rows added since the last (by <c>ordering</c>), so progress
    /// reports do not re-read the whole journal every two seconds on the cores the scheduler is measured on. Also the
    /// mean event size: the bytes of the rows (their largest single event, the target config, left out) over the events.
    /// </summary>
    private sealed class JournalEventCounter(StormJournal journal)
    {
        private long _lastOrdering;
        private long _events;
        private long _bytes;
        private long _largestSingle;

        public long Events => Read()._events;

        public double MeanEventBytes => Read() is { _events: > 1 } c ? (double)(c._bytes - c._largestSingle) / (c._events - 1) : 0;

        private JournalEventCounter Read()
        {
            if (journal.CountRows("journal") == 0)
            {
                return this;
            }

            using var connection = journal.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT ordering, manifest, message FROM journal WHERE ordering > @last ORDER BY ordering";
            var last = command.CreateParameter();
            last.ParameterName = "@last";
            last.Value = _lastOrdering;
            command.Parameters.Add(last);
            using var reader = command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess);
            var batchManifest = EntityEventBatch.Descriptor.FullName;
            while (reader.Read())
            {
                _lastOrdering = reader.GetInt64(0);
                var batch = reader.GetString(1) == batchManifest;
                // Streamed from the row: a batch row holds up to 1,000 events (hundreds of KB), and reading it whole
                // would allocate it on the large object heap (full collections the scheduler would be charged for).
                // The columns are read in their order: Npgsql's stream of a column ends when another is read.
                using var message = reader.GetStream(2);
                _bytes += message.Length;
                if (batch)
                {
                    _events += CountBatchEvents(message);
                }
                else
                {
                    _events++;
                    _largestSingle = Math.Max(_largestSingle, message.Length);
                }
            }

            return this;
        }

        /// <summary>The events of an <see cref="EntityEventBatch"/> row, counted on the wire (no messages built: this runs on the cores being measured).</summary>
        private static int CountBatchEvents(Stream message)
        {
            using var input = new CodedInputStream(message, leaveOpen: true);
            var count = 0;
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == EntityEventBatch.EventsFieldNumber)
                {
                    count++;
                }

                input.SkipLastField();
            }

            return count;
        }
    }

    /// <summary>Seconds on the RESULT line: two decimals, or <c>na</c> when not measured.</summary>
    private static string Seconds(double? seconds) => seconds is { } s ? s.ToString("F2", CultureInfo.InvariantCulture) : "na";
}
