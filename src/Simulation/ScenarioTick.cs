namespace ActorScheduler.Simulation;

/// <summary>
/// One step of a <see cref="ServiceScenario"/>: something the test sends (<see cref="Send"/>) or expects
/// (<see cref="Expect"/>). Ticks run in order; an expectation waits (in real time, up to
/// <see cref="ScenarioOptions.ExpectTimeout"/>) for the scheduler's actors to get there, re-checking whenever the
/// cluster's history changes.
/// </summary>
public abstract class ScenarioTick
{
    /// <summary>The tick as the DSL call that made it, e.g. <c>Expect.Launched(hello-0-server)</c>.</summary>
    public abstract string Description { get; }

    internal abstract Task RunAsync(ScenarioContext context);

    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>A tick from a description and a body.</summary>
internal sealed class LambdaTick : ScenarioTick
{
    private readonly Func<ScenarioContext, Task> _run;

    public LambdaTick(string description, Func<ScenarioContext, Task> run)
    {
        Description = description;
        _run = run;
    }

    public override string Description { get; }

    internal override Task RunAsync(ScenarioContext context) => _run(context);
}

/// <summary>An expectation: checked until it holds (null) or the timeout ends with its last reason.</summary>
internal sealed class ExpectationTick : ScenarioTick
{
    private readonly Func<ScenarioContext, Task<string?>> _check;

    public ExpectationTick(string description, Func<ScenarioContext, Task<string?>> check)
    {
        Description = description;
        _check = check;
    }

    public override string Description { get; }

    internal override Task RunAsync(ScenarioContext context) => context.WaitUntilAsync(() => _check(context));

    /// <summary>The check once, now, without waiting: null if the expectation holds, else why not.</summary>
    internal Task<string?> CheckOnceAsync(ScenarioContext context) => _check(context);
}

/// <summary>A scenario stopped at a tick: the message lists every tick and marks the failing one.</summary>
public sealed class ScenarioFailedException : Exception
{
    /// <summary>A failure at <paramref name="failedIndex"/> (0-based) of <paramref name="ticks"/>.</summary>
    public ScenarioFailedException(IReadOnlyList<ScenarioTick> ticks, int failedIndex, string reason, Exception? inner = null)
        : base(Format(ticks, failedIndex, reason), inner)
    {
        FailedIndex = failedIndex;
        Reason = reason;
    }

    /// <summary>The failing tick's position (0-based).</summary>
    public int FailedIndex { get; }

    /// <summary>Why the tick failed.</summary>
    public string Reason { get; }

    private static string Format(IReadOnlyList<ScenarioTick> ticks, int failedIndex, string reason)
    {
        var lines = new List<string> { $"Scenario failed at tick {failedIndex + 1} of {ticks.Count}: {reason}" };
        for (var i = 0; i < ticks.Count; i++)
        {
            var marker = i == failedIndex ? ">>" : i < failedIndex ? "ok" : "  ";
            lines.Add($"{marker} {i + 1,3}. {ticks[i].Description}{(i == failedIndex ? "   <-- FAILED" : string.Empty)}");
        }

        return string.Join(System.Environment.NewLine, lines);
    }
}
