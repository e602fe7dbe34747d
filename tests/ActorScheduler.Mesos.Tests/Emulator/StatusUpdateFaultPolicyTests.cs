using ActorScheduler.Mesos.Emulator.Faults;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class StatusUpdateFaultPolicyTests
{
    private static readonly StatusUpdateFaults Mixed = new(DropProbability: 0.2, DuplicateProbability: 0.2, DelayProbability: 0.2);

    [Fact]
    public void The_same_seed_gives_the_same_fates()
    {
        var first = Fates(new StatusUpdateFaultPolicy(42, Mixed), 200);
        var second = Fates(new StatusUpdateFaultPolicy(42, Mixed), 200);

        Assert.Equal(first, second);
        Assert.NotEqual(first, Fates(new StatusUpdateFaultPolicy(43, Mixed), 200));
        Assert.Equal(4, first.Distinct().Count());
    }

    [Fact]
    public void Reseeding_starts_the_sequence_again()
    {
        var policy = new StatusUpdateFaultPolicy(7, Mixed);
        var first = Fates(policy, 50);

        policy.Reseed(7);

        Assert.Equal(first, Fates(policy, 50));
    }

    [Fact]
    public void Next_n_counts_come_first_drop_then_duplicate_then_delay_then_the_probabilities()
    {
        var policy = new StatusUpdateFaultPolicy(1, new StatusUpdateFaults(DropNext: 2, DuplicateNext: 1, DelayNext: 1));

        Assert.Equal(
            [StatusUpdateFate.Drop, StatusUpdateFate.Drop, StatusUpdateFate.Duplicate, StatusUpdateFate.Delay, StatusUpdateFate.Deliver],
            Fates(policy, 5));
        Assert.Equal((2, 1, 1), (policy.Dropped, policy.Duplicated, policy.Delayed));
        Assert.Equal(StatusUpdateFaults.None, policy.Faults);
    }

    [Fact]
    public void Certain_and_impossible_faults_need_no_luck()
    {
        Assert.All(Fates(new StatusUpdateFaultPolicy(3, new StatusUpdateFaults(DropProbability: 1)), 100), f => Assert.Equal(StatusUpdateFate.Drop, f));
        Assert.All(Fates(new StatusUpdateFaultPolicy(3, StatusUpdateFaults.None), 100), f => Assert.Equal(StatusUpdateFate.Deliver, f));
    }

    [Theory]
    [InlineData(-0.1, 0, 0, 0, "drop probability must be between 0 and 1, got -0.1")]
    [InlineData(0, 1.5, 0, 0, "duplicate probability must be between 0 and 1, got 1.5")]
    [InlineData(0.5, 0.3, 0.3, 0, "drop, duplicate and delay probabilities add up to 1.1; they must not exceed 1")]
    [InlineData(0, 0, 0.1, -5, "delay must be between 0 and 3600000 ms, got -5 ms")]
    public void Invalid_settings_say_why(double drop, double duplicate, double delay, double delayMs, string error)
    {
        Assert.Equal(error, new StatusUpdateFaults(drop, duplicate, delay, TimeSpan.FromMilliseconds(delayMs)).Validate());
    }

    private static List<StatusUpdateFate> Fates(StatusUpdateFaultPolicy policy, int count) =>
        Enumerable.Range(0, count).Select(_ => policy.Decide()).ToList();
}
