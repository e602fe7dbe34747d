using Akka.Actor;
using Akka.Event;

namespace ActorScheduler.Actors;

/// <summary>Whether the scheduler runs → <see cref="SchedulerCondition"/>; answered at once, whatever the scheduler is doing.</summary>
public sealed record GetSchedulerCondition
{
    public static GetSchedulerCondition Instance { get; } = new();
}

/// <param name="Failure">
/// Why the scheduler stopped for good (a journal it cannot replay, a framework Mesos removed): it does nothing more and
/// answers every other query with a <see cref="SchedulerFailedException"/>. Null while it runs.
/// </param>
/// <param name="Reconciled">Whether it has subscribed to Mesos and reconciled its tasks since it started.</param>
public sealed record SchedulerCondition(string? Failure, bool Reconciled);

/// <summary>The answer (as a <c>Status.Failure</c>) of a scheduler that stopped for good to any query.</summary>
public sealed class SchedulerFailedException(string reason, string? unreadableStream = null) : Exception(reason)
{
    /// <summary>The journal stream that cannot be replayed, when that is why the scheduler stopped.</summary>
    public string? UnreadableStream { get; } = unreadableStream;
}

/// <summary>
/// A persistent actor could not replay its journal stream (published on the event stream: the actor may sit anywhere
/// under the scheduler root). The actor stops; the scheduler cannot go on without what the stream holds.
/// </summary>
internal sealed record JournalUnreadable(string PersistenceId, string Reason);

/// <summary>
/// A persistent actor's journal write failed (published on the event stream, as <see cref="JournalUnreadable"/>). The
/// actor stops; the scheduler restarts as a whole and recovers from what the journal holds.
/// </summary>
internal sealed record JournalWriteFailed(string PersistenceId, string Reason);

/// <summary>Gateway → scheduler root: Mesos refused the framework for good (an ERROR event).</summary>
internal sealed record GatewayFailed(string Reason);

/// <summary>
/// The log of the one error line that says why the scheduler stopped for good (from the scheduler root, or from its
/// supervisor once that gave up): a log source of its own, so that <c>run</c>, which prints the same reason as its
/// <c>error:</c> line, can leave it out of its console.
/// </summary>
public static class SchedulerFailureLog
{
    /// <summary>The log source of that line.</summary>
    public const string Source = "ActorScheduler.SchedulerFailure";

    internal static ILoggingAdapter For(ActorSystem system) => Logging.GetLogger(system, LogSource.Create(Source, typeof(SchedulerFailureLog)));
}

/// <summary>Why a journal stream could not be replayed, in one line.</summary>
internal static class JournalFailures
{
    /// <summary>The innermost cause's message (what the database or the serializer said), one line.</summary>
    /// <param name="event">The replayed event whose handler failed; null when the journal failed to read it.</param>
    public static string Describe(Exception cause, object? @event)
    {
        var innermost = cause;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        var message = string.Join(' ', innermost.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return @event is null ? message : $"applying a replayed {@event.GetType().Name} failed: {message}";
    }
}
