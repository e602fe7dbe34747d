using Akka.Actor;
using Akka.Event;
using Akka.Pattern;

namespace ActorScheduler.Actors;

/// <summary>
/// The scheduler under a backoff supervisor; messages to this actor go to the scheduler. A failed scheduler (a journal
/// write that failed, the offer router failing) restarts and recovers from the journal after a growing delay
/// (<see cref="RestartBackoff"/>), not at once. Once the backoff supervisor gives up, this actor answers in the
/// scheduler's stead, as a scheduler that stopped for good does: <see cref="GetSchedulerCondition"/> with how many
/// restarts failed and the last failure, every other query with a <see cref="SchedulerFailedException"/> saying so —
/// instead of leaving the API and the embedding application to time out on a supervisor that is gone.
/// </summary>
internal sealed class SchedulerSupervisorActor : ReceiveActor
{
    /// <summary>The backoff supervisor's name, under this actor; the scheduler root is its child <see cref="SchedulerName"/>.</summary>
    internal const string BackoffName = "backoff";

    /// <summary>The scheduler root's name, under the backoff supervisor.</summary>
    internal const string SchedulerName = "service";

    private readonly IActorRef _backoff;
    private SchedulerFailedOnce? _last;

    public SchedulerSupervisorActor(Props scheduler, RestartBackoff backoff)
    {
        var self = Self;
        // Runs in the backoff supervisor as the scheduler fails: the failure is told here, to be named if it gives up.
        var strategy = new OneForOneStrategy(Decider.From(failure =>
        {
            var directive = Akka.Actor.SupervisorStrategy.DefaultDecider.Decide(failure);
            self.Tell(new SchedulerFailedOnce(OneLine(failure), directive));
            return directive;
        }));
        _backoff = Context.ActorOf(
            BackoffSupervisor.Props(Backoff.OnFailure(scheduler, SchedulerName, backoff.Min, backoff.Max, randomFactor: 0.2, backoff.MaxRestarts)
                .WithSupervisorStrategy(strategy)
                .WithMaxNrOfRetries(backoff.MaxRestarts)
                .WithAutoReset(backoff.ResetAfter)),
            BackoffName);
        Context.Watch(_backoff);

        Receive<SchedulerFailedOnce>(m => _last = m);
        Receive<Terminated>(t => t.ActorRef.Equals(_backoff), _ => GiveUp(backoff.MaxRestarts));
        ReceiveAny(m => _backoff.Forward(m));
    }

    /// <param name="scheduler">The scheduler root's props (<see cref="SchedulerRootActor.Props"/>; tests give others).</param>
    public static Props Props(Props scheduler, RestartBackoff backoff) =>
        Akka.Actor.Props.Create(() => new SchedulerSupervisorActor(scheduler, backoff));

    /// <summary>The scheduler root's path under the supervisor at <paramref name="supervisor"/>.</summary>
    internal static ActorPath SchedulerPath(ActorPath supervisor) => supervisor / BackoffName / SchedulerName;

    /// <summary>The backoff supervisor stopped: after the last restart failed too, or a failure it does not restart.</summary>
    private void GiveUp(int maxRestarts)
    {
        var reason = _last switch
        {
            { Directive: Directive.Restart } last => $"the scheduler failed again after {maxRestarts} restarts in a row; the last failure: {last.Reason}",
            { } last => $"the scheduler failed and cannot be restarted: {last.Reason}",
            null => "the scheduler's supervisor stopped",
        };
        SchedulerFailureLog.For(Context.System).Error("The scheduler stops: {0}", reason);
        Become(() =>
        {
            Receive<GetSchedulerCondition>(_ => Sender.Tell(new SchedulerCondition(reason, Reconciled: false)));
            Receive<SchedulerFailedOnce>(_ => { });
            ReceiveAny(_ => Sender.Tell(new Status.Failure(new SchedulerFailedException(reason))));
        });
    }

    /// <summary>The failure's message on one line (an initialization failure: its cause's).</summary>
    private static string OneLine(Exception failure)
    {
        var shown = failure is ActorInitializationException { InnerException: { } cause } ? cause : failure;
        return string.Join(' ', shown.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>Backoff supervisor → this actor: the scheduler failed, and what the supervisor does about it.</summary>
    private sealed record SchedulerFailedOnce(string Reason, Directive Directive);
}
