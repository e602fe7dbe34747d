namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// What a journal stream is about, read from its stable id (<c>&lt;service&gt;/pod/hello-0</c>,
/// <c>&lt;service&gt;/plan/deploy/phase/hello/step/hello-0:[server]</c>, <c>&lt;service&gt;/offers</c>, …): the label
/// the timeline shows (<c>pod hello-0</c>, <c>plan deploy/hello/hello-0:[server]</c>, <c>router</c>) and the pod, plan,
/// phase and step the filters match.
/// </summary>
internal sealed record AuditStream(string Label, string? Pod = null, string? Plan = null, string? Phase = null, string? Step = null, bool Router = false)
{
    /// <summary>The stream of the id <paramref name="id"/> (a persistence id, or an entity of the entity journal).</summary>
    public static AuditStream Of(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        var rest = slash < 0 ? id : id[(slash + 1)..];
        if (rest.StartsWith("pod/", StringComparison.Ordinal))
        {
            var pod = rest["pod/".Length..];
            return new AuditStream($"pod {pod}", Pod: pod);
        }

        if (rest.StartsWith("plan/", StringComparison.Ordinal))
        {
            return OfPlan(rest["plan/".Length..]);
        }

        return rest switch
        {
            "offers" => new AuditStream("router", Router: true),
            _ => new AuditStream(rest),
        };
    }

    /// <summary>The stream of an offer decision: the router's, about the pod instance that evaluated the offer.</summary>
    public static AuditStream OfDecision(string podInstance) => new("router", Pod: podInstance.Length > 0 ? podInstance : null, Router: true);

    /// <summary><c>deploy[/phase/hello[/step/hello-0:[server]]]</c>: labelled <c>plan deploy/hello/hello-0:[server]</c>.</summary>
    private static AuditStream OfPlan(string path)
    {
        const string PhaseMarker = "/phase/", StepMarker = "/step/";
        var phaseAt = path.IndexOf(PhaseMarker, StringComparison.Ordinal);
        if (phaseAt < 0)
        {
            return new AuditStream($"plan {path}", Plan: path);
        }

        var plan = path[..phaseAt];
        var phaseAndStep = path[(phaseAt + PhaseMarker.Length)..];
        var stepAt = phaseAndStep.IndexOf(StepMarker, StringComparison.Ordinal);
        if (stepAt < 0)
        {
            return new AuditStream($"plan {plan}/{phaseAndStep}", Plan: plan, Phase: phaseAndStep);
        }

        var phase = phaseAndStep[..stepAt];
        var step = phaseAndStep[(stepAt + StepMarker.Length)..];
        return new AuditStream($"plan {plan}/{phase}/{step}", PodOfStep(step), plan, phase, step);
    }

    /// <summary>The pod instance a step is about: its name up to the <c>:</c> (<c>hello-0:[server]</c> → <c>hello-0</c>).</summary>
    private static string? PodOfStep(string step)
    {
        var colon = step.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? step[..colon] : null;
    }
}
