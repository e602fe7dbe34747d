using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests;

/// <summary>
/// TestKit for our actor tests. Expectations wait up to 15 s instead of 3 s: on a 2-core machine running the
/// end-to-end tests in parallel, a first persist or a cold JIT can take seconds. Nothing waits longer when the
/// message arrives in time. Snapshots go to the in-memory store, as journal events do.
/// </summary>
public abstract class ActorTestKit : TestKit
{
    private const string Defaults = """
        akka.test.single-expect-default = 15s
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    protected ActorTestKit()
        : base(Defaults)
    {
    }

    /// <summary>With <paramref name="config"/> besides the defaults (another journal plugin, say).</summary>
    protected ActorTestKit(string config)
        : base($"{config}\n{Defaults}")
    {
    }

    /// <summary>The messages already queued at <paramref name="probe"/>, taken without waiting for more.</summary>
    protected static List<object> DrainQueued(Akka.TestKit.TestProbe probe)
    {
        var messages = new List<object>();
        while (probe.HasMessages)
        {
            messages.Add(probe.ReceiveOne(TimeSpan.Zero)!);
        }

        return messages;
    }
}
