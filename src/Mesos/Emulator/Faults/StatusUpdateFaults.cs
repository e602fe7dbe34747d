using System.Globalization;

namespace ActorScheduler.Mesos.Emulator.Faults;

/// <summary>
/// What happens to agent status updates (those with a uuid) on their way from the master to a framework. Each update
/// is first matched against the next-N counters (drop, then duplicate, then delay), then against the probabilities
/// with one draw of the emulator's seeded <see cref="Random"/>. A dropped update is retried by its agent (10 s,
/// doubling), a duplicated one arrives twice, a delayed one arrives <see cref="Delay"/> later. Master-generated
/// updates (no uuid) are never touched: a real master only loses those with a connection.
/// </summary>
/// <param name="DropProbability">Chance that an update is dropped, 0..1.</param>
/// <param name="DuplicateProbability">Chance that an update is delivered twice, 0..1.</param>
/// <param name="DelayProbability">Chance that an update is held back by <see cref="Delay"/>, 0..1.</param>
/// <param name="Delay">How long a delayed update is held, and how long after the original a duplicate follows (0 = at once).</param>
/// <param name="DropNext">Drop the next N updates, whatever the probabilities say.</param>
/// <param name="DuplicateNext">Duplicate the next N updates.</param>
/// <param name="DelayNext">Delay the next N updates.</param>
public sealed record StatusUpdateFaults(
    double DropProbability = 0,
    double DuplicateProbability = 0,
    double DelayProbability = 0,
    TimeSpan Delay = default,
    int DropNext = 0,
    int DuplicateNext = 0,
    int DelayNext = 0)
{
    /// <summary>No faults: every update is delivered once, at once.</summary>
    public static StatusUpdateFaults None { get; } = new();

    /// <summary>The longest delay accepted.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    /// <summary>True when some update may be dropped, duplicated or delayed.</summary>
    public bool Any => DropProbability > 0 || DuplicateProbability > 0 || DelayProbability > 0
        || DropNext > 0 || DuplicateNext > 0 || DelayNext > 0;

    /// <summary>Why these settings are unusable, or null when they are fine.</summary>
    public string? Validate()
    {
        foreach (var (name, value) in new[]
        {
            ("drop probability", DropProbability),
            ("duplicate probability", DuplicateProbability),
            ("delay probability", DelayProbability),
        })
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
            {
                return $"{name} must be between 0 and 1, got {value.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        var sum = DropProbability + DuplicateProbability + DelayProbability;
        if (sum > 1 + 1e-9)
        {
            return $"drop, duplicate and delay probabilities add up to {sum.ToString(CultureInfo.InvariantCulture)}; they must not exceed 1";
        }

        if (Delay < TimeSpan.Zero || Delay > MaxDelay)
        {
            return $"delay must be between 0 and {MaxDelay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms, got {Delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";
        }

        if (DropNext < 0 || DuplicateNext < 0 || DelayNext < 0)
        {
            return "next-N counts must not be negative";
        }

        return null;
    }
}

/// <summary>The fate of one status update.</summary>
public enum StatusUpdateFate
{
    /// <summary>Delivered once, at once.</summary>
    Deliver,

    /// <summary>Not delivered; the agent retries it.</summary>
    Drop,

    /// <summary>Delivered, and once more after the configured delay.</summary>
    Duplicate,

    /// <summary>Delivered after the configured delay.</summary>
    Delay,
}
