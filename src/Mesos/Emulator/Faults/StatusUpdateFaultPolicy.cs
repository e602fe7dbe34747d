namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>
/// Decides the fate of each status update from the configured <see cref="StatusUpdateFaults"/> and a seeded
/// <see cref="Random"/>: the same seed and the same sequence of updates give the same fates. Pure apart from its own
/// counters; the master loop calls it.
/// </summary>
internal sealed class StatusUpdateFaultPolicy
{
    private Random _random;

    public StatusUpdateFaultPolicy(int seed, StatusUpdateFaults faults)
    {
        Seed = seed;
        _random = new Random(seed);
        Faults = faults;
    }

    public int Seed { get; private set; }

    /// <summary>The settings, with the next-N counts as they stand now.</summary>
    public StatusUpdateFaults Faults { get; set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public long Delayed { get; private set; }

    /// <summary>Starts the random sequence again from <paramref name="seed"/>.</summary>
    public void Reseed(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public StatusUpdateFate Decide()
    {
        var fate = DecideFate();
        switch (fate)
        {
            case StatusUpdateFate.Drop:
                Dropped++;
                break;
            case StatusUpdateFate.Duplicate:
                Duplicated++;
                break;
            case StatusUpdateFate.Delay:
                Delayed++;
                break;
        }

        return fate;
    }

    private StatusUpdateFate DecideFate()
    {
        var f = Faults;
        if (f.DropNext > 0)
        {
            Faults = f with { DropNext = f.DropNext - 1 };
            return StatusUpdateFate.Drop;
        }

        if (f.DuplicateNext > 0)
        {
            Faults = f with { DuplicateNext = f.DuplicateNext - 1 };
            return StatusUpdateFate.Duplicate;
        }

        if (f.DelayNext > 0)
        {
            Faults = f with { DelayNext = f.DelayNext - 1 };
            return StatusUpdateFate.Delay;
        }

        if (f.DropProbability <= 0 && f.DuplicateProbability <= 0 && f.DelayProbability <= 0)
        {
            return StatusUpdateFate.Deliver;
        }

        var draw = _random.NextDouble();
        if (draw < f.DropProbability)
        {
            return StatusUpdateFate.Drop;
        }

        if (draw < f.DropProbability + f.DuplicateProbability)
        {
            return StatusUpdateFate.Duplicate;
        }

        return draw < f.DropProbability + f.DuplicateProbability + f.DelayProbability
            ? StatusUpdateFate.Delay
            : StatusUpdateFate.Deliver;
    }
}
