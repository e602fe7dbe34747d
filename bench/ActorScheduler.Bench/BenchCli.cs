namespace ActorScheduler.Bench;

/// <summary>
/// The bench's command line: <c>ActorScheduler.Bench &lt;bench&gt; [options]</c>. <c>--help</c> (alone, or after a
/// bench's name) prints the usage on <paramref name="output"/> and exits 0; an unknown bench, or a bench's bad option,
/// prints one line and the way to the usage on the error writer and exits 2, before anything runs; so does a bench
/// that cannot run as asked (its PostgreSQL journal's server unreachable, say), as one <c>error:</c> line.
/// </summary>
internal static class BenchCli
{
    /// <summary>Each bench's usage, in the order the full usage lists them.</summary>
    public static readonly IReadOnlyList<(string Bench, string Usage)> Usages =
    [
        ("spec-load", """
              spec-load [--pods N] [--iterations K]
                  Load + render + validate a generated spec with N pod types (default 500), K times (default 7);
                  prints the median and the best in a RESULT line.
            """),
        ("emulator", """
              emulator [--agents N] [--cycles K] [--accepts M] [--concurrency C]
                  The Mesos emulator with N agents (default 10000) in a child process, through HTTP with our client:
                  K+1 allocation cycles (default K=5), M ACCEPTs without operations, then M with one RESERVE each (default N), from C connections
                  (default 8), its memory, and the client's decode rate of one OFFERS event (protobuf and JSON).
            """),
        ("storm", """
              storm [--agents M] [--pods N] [--seed S] [--offers-per-s R] [--timeout-s T] [--journal PATH] [--journal-connection DB] [--no-restart] [--snapshot-every E] [--pod-snapshot-after P]
                    [--claims-per-cycle C] [--offer-interval-ms I] [--warmup-pods W] [--placement RULE]
                    [--allocation random|master] [--allocation-interval-ms A] [--runs K] [--fitness binpack|spread|first-fit] [--fitness-candidates F]
                    [--timeline] [--scale-in K] [--decommission-parallelism D] [--offer-holding backlog|none]
                  Deploys N single-task pods (default 1000; parallel, 0.1 cpus, 32 MB) through the real scheduler actors
                  onto M simulated agents (default 1000) under an offer storm of R offers/s (default 2000), with the
                  journal on SQLite as in production (PATH, default a temp file, deleted afterwards); gives up after T s
                  (default 600). --journal-connection DB: the journal on PostgreSQL instead, as `run --journal-connection`
                  takes it ('Host=…;Port=…;Username=…;Password=…;Database=…' or postgres://user:password@host:port/database),
                  in a schema of its own created in that database and dropped afterwards. Prints progress every 2 s on
                  stderr and one RESULT line: placements/s, offer-cycle p50/p99, journal events/s vs a raw insert loop on
                  the same database (raw_sqlite_inserts_per_s, or raw_pg_inserts_per_s), peak RSS, and the restarted
                  scheduler's time to ready. The entity journal saves a snapshot every E events (default 200000, as the scheduler); a pod
                  replaces its history by a snapshot of its state once it holds P events (default 64). RULE: the pod's
                  placement constraint as a spec writes it, e.g. '[["hostname", "MAX_PER", "2"]]' (default none). --fitness: how a pod
                  chooses among the offers it fits, comparing up to F of them (default binpack, 16; as the scheduler).
                  --allocation master: instead of R random agents a second, the master offers every agent each A ms
                  (default 1000), honouring decline filters and suppression, as a Mesos master's allocator does.
                  --runs K: K fresh processes one after the other, each's RESULT line, then a SUMMARY line: every
                  figure's median [min..max]. --timeline: the deploy in 100 ms slices on stderr (TIMELINE lines: offers,
                  launches, placements and GC pause in each), to see where its seconds went. --scale-in K: after the
                  deploy, the service updated to K pods (K < N), the scheduler restarted once the first removed pod's kill
                  went out (unless --no-restart), and the time from the update to the decommission plan COMPLETE as
                  scale_in_s on the RESULT line; D pods decommissioned at once (default 1, as the scheduler).
                  --offer-holding none: a capped offer cycle declines the offers it leaves instead of keeping those the
                  pods still waiting need (default backlog, as the scheduler).
            """),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is [] or ["--help" or "-h" or "help"])
        {
            (args.Length == 0 ? error : output).Write(Usage());
            return args.Length == 0 ? 2 : 0;
        }

        var bench = args[0];
        if (Usages.All(u => u.Bench != bench) && bench != "emulator-serve")
        {
            error.WriteLine($"unknown bench '{bench}' (benches: {string.Join(", ", Usages.Select(u => u.Bench))}; --help for their options)");
            return 2;
        }

        var rest = args[1..];
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            output.Write(Usage(bench));
            return 0;
        }

        try
        {
            return bench switch
            {
                "spec-load" => SpecLoadBench.Run(rest, output),
                "emulator" => await EmulatorBench.RunAsync(rest, output),
                "emulator-serve" => await EmulatorBench.ServeAsync(rest), // the child process of `emulator`: its own protocol on stdout
                _ => await StormBench.RunAsync(rest, output),
            };
        }
        catch (BadOptionException e)
        {
            // Checked before anything starts: the message, no stack trace.
            error.WriteLine($"{bench}: {e.Message}");
            error.WriteLine($"usage: ActorScheduler.Bench {bench} --help");
            return 2;
        }
        catch (BenchRefusedException e)
        {
            // The message says what to fix (as run says it about the same journal); the usage would not help.
            error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }

    /// <summary>The usage of every bench, or of <paramref name="bench"/> alone.</summary>
    public static string Usage(string? bench = null) =>
        "usage: ActorScheduler.Bench <bench> [options]\n\n"
        + string.Join("\n", Usages.Where(u => bench is null || u.Bench == bench).Select(u => u.Usage.TrimEnd() + "\n"));
}
