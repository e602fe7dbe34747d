using ActorScheduler.Bench;

return args switch
{
    ["spec-load", .. var rest] => SpecLoadBench.Run(rest),
    ["emulator", .. var rest] => await EmulatorBench.RunAsync(rest),
    ["emulator-serve", .. var rest] => await EmulatorBench.ServeAsync(rest), // the child process of `emulator`
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
        """);
    return 2;
}
