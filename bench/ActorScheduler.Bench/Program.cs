using ActorScheduler.Bench;

return args switch
{
    ["spec-load", .. var rest] => SpecLoadBench.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: ActorScheduler.Bench <bench> [options]

          spec-load [--pods N] [--iterations K]
              Load + render + validate a generated spec with N pod types (default 500), K times (default 7);
              prints the median and the best in a RESULT line.
        """);
    return 2;
}
