using Akka.Actor;

namespace ActorScheduler.Hosting.Persistence;

/// <summary>
/// What the scheduler lease of an actor system could not do for want of its server: set by <see cref="PostgresLease"/>
/// when taking the lease fails because the journal's server could not be reached, read by <c>run</c>, which then stops
/// as it does when the scheduler's own journal calls find that server lost (exit 3, "start run again once the server
/// answers"). The node that should run the scheduler cannot start it without the lease, so it stops rather than wait
/// without saying so; an embedding application's node keeps asking every heartbeat, with a warning each time.
/// </summary>
internal sealed class SchedulerLeaseFailures : IExtension
{
    private readonly TaskCompletionSource<string> _unreachable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed with why, on one line, the first time the lease could not be taken because its server could not be reached.</summary>
    internal Task<string> Unreachable => _unreachable.Task;

    /// <summary>Taking the lease failed: its server could not be reached (<paramref name="why"/>, one line).</summary>
    internal void ServerUnreachable(string why) => _unreachable.TrySetResult(why);

    /// <summary>The one of <paramref name="system"/>.</summary>
    internal static SchedulerLeaseFailures Get(ActorSystem system) => system.WithExtension<SchedulerLeaseFailures, SchedulerLeaseFailuresId>();

    private sealed class SchedulerLeaseFailuresId : ExtensionIdProvider<SchedulerLeaseFailures>
    {
        public override SchedulerLeaseFailures CreateExtension(ExtendedActorSystem system) => new();
    }
}
