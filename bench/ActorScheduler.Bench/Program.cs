using ActorScheduler.Bench;

return args switch
{
    ["spec-load", .. var rest] => SpecLoadBench.Run(rest),
    ["emulator", .. var rest] => await EmulatorBench.RunAsync(rest),
    ["emulator-serve", .. var rest] => await EmulatorBench.ServeAsync(rest), // the child process of `emulator`
    ["storm", .. var rest] => await StormBench.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: ActorScheduler.Bench <bench> [options]

          spec-load [--pods N] [--iterations K]
              Load + render + validate a generated spec with N pod types (default 500), K times (default 7);
              prints the median and the best in a RESULT line.

          emulator [--agents N] [--cycles K] [--accepts M] [--concurrency C]
              The Mesos emulator with N agents (default 10000) in a child process, through HTTP with our client:
              K+1 allocation cycles (default K=5), M ACCEPTs without operations, then M with one RESERVE each (default N), from C connections
              (default 8), its memory, and the client's decode rate of one OFFERS event (protobuf and JSON).

          storm [--agents M] [--pods N] [--seed S] [--offers-per-s R] [--timeout-s T] [--journal PATH] [--no-restart] [--snapshot-every E] [--pod-snapshot-after P]
                [--claims-per-cycle C] [--offer-interval-ms I] [--warmup-pods W] [--placement RULE]
                [--allocation random|master] [--allocation-interval-ms A] [--runs K]
              Deploys N single-task pods (default 1000; parallel, 0.1 cpus, 32 MB) through the real scheduler actors
              onto M simulated agents (default 1000) under an offer storm of R offers/s (default 2000), with the
              journal on SQLite as in production (PATH, default a temp file); gives up after T s (default 600).
              Prints progress every 2 s on stderr and one RESULT line: placements/s, offer-cycle p50/p99, journal
              events/s vs a raw SQLite insert loop, peak RSS, and the restarted scheduler's time to ready. The entity
              journal saves a snapshot every E events (default 200000, as the scheduler); a pod replaces its history
              by a snapshot of its state once it holds P events (default 64). RULE: the pod's placement constraint as a
              spec writes it, e.g. '[["hostname", "MAX_PER", "2"]]' (default none). --allocation master: instead of R
              random agents a second, the master offers every agent each A ms (default 1000), honouring decline
              filters and suppression, as a Mesos master's allocator does. --runs K: K fresh processes one after the
              other, each's RESULT line, then a SUMMARY line: every figure's median [min..max].
        """);
    return 2;
}
