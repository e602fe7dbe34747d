using Akka.Actor;

namespace ActorScheduler.Actors;

/// <summary>
/// Asks many actors the same question, one Tell each, and collects their answers in one short-lived child actor. An Ask
/// per actor costs a temporary actor, a timer and a task each: at 10,000 pods, megabytes and a tenth of a second per
/// gather (the reconciliation a subscription starts with asks every pod for its tasks while offers wait).
/// </summary>
internal static class Gather
{
    /// <summary>
    /// Sends <paramref name="query"/> to every one of <paramref name="targets"/>; the task completes with one answer of
    /// type <typeparamref name="T"/> from each (in the order they came), or fails with a <see cref="TimeoutException"/> if
    /// not all came within <paramref name="timeout"/>. Answers of another type are ignored.
    /// </summary>
    public static Task<T[]> All<T>(IActorContext context, IEnumerable<IActorRef> targets, object query, TimeSpan timeout)
    {
        // A copy: the gatherer sends from its own thread, while the caller's collection may change.
        var copy = targets.ToArray();
        if (copy.Length == 0)
        {
            return Task.FromResult(Array.Empty<T>());
        }

        var done = new TaskCompletionSource<T[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        context.ActorOf(FactoryProps.Create(() => new Gatherer<T>(copy, query, timeout, done)));
        return done.Task;
    }

    private sealed class Gatherer<T> : ReceiveActor
    {
        private readonly IReadOnlyCollection<IActorRef> _targets;
        private readonly object _query;
        private readonly T[] _answers;
        private readonly TaskCompletionSource<T[]> _done;
        private readonly ICancelable _timeout;
        private int _count;

        public Gatherer(IReadOnlyCollection<IActorRef> targets, object query, TimeSpan timeout, TaskCompletionSource<T[]> done)
        {
            _targets = targets;
            _query = query;
            _answers = new T[targets.Count];
            _done = done;
            _timeout = Context.System.Scheduler.ScheduleTellOnceCancelable(timeout, Self, TimedOut.Instance, Self);
            Receive<T>(answer =>
            {
                _answers[_count++] = answer;
                if (_count == _answers.Length)
                {
                    _done.TrySetResult(_answers);
                    Context.Stop(Self);
                }
            });
            Receive<TimedOut>(_ =>
            {
                _done.TrySetException(new TimeoutException($"{_answers.Length - _count} of {_answers.Length} actors did not answer {_query.GetType().Name} within {timeout}"));
                Context.Stop(Self);
            });
        }

        protected override void PreStart()
        {
            foreach (var target in _targets)
            {
                target.Tell(_query, Self);
            }
        }

        protected override void PostStop()
        {
            _timeout.Cancel();
            // Stopped with its parent before every answer came: nobody waits for the task any more, but it must end.
            _done.TrySetCanceled();
        }

        private sealed class TimedOut
        {
            public static readonly TimedOut Instance = new();
        }
    }
}
