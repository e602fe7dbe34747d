using System.Collections.Immutable;

namespace ActorScheduler.Actors.State;

/// <summary>
/// The scheduler's properties (DC/OS <c>/v1/state/properties</c>): scheduler-level values the actors hold, by the
/// names the API serves. A value the scheduler does not have yet is left out (its property answers 404). Pure.
/// </summary>
public static class SchedulerProperties
{
    /// <summary>The framework id the master gave us (journaled by the framework actor).</summary>
    public const string FrameworkId = "framework-id";

    /// <summary>The id of the config version being deployed (journaled by the config store).</summary>
    public const string TargetConfigId = "target-config-id";

    /// <summary>DC/OS' bit: <c>DEPLOY</c> once a deploy plan reached COMPLETE; from then on a spec's <c>update</c> plan rolls out changes.</summary>
    public const string LastCompletedUpdateType = "last-completed-update-type";

    /// <summary><c>true</c> while offers are suppressed (SUPPRESS sent, no REVIVE since).</summary>
    public const string Suppressed = "suppressed";

    /// <summary><c>true</c> once explicit reconciliation finished on the current subscription (offers are used).</summary>
    public const string Reconciled = "reconciled";

    public static ImmutableSortedDictionary<string, string> Of(string? frameworkId, string? targetConfigId, bool deploymentCompleted, bool suppressed, bool reconciled)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (frameworkId is not null)
        {
            values[FrameworkId] = frameworkId;
        }

        if (targetConfigId is not null)
        {
            values[TargetConfigId] = targetConfigId;
        }

        if (deploymentCompleted)
        {
            values[LastCompletedUpdateType] = "DEPLOY";
        }

        values[Suppressed] = suppressed ? "true" : "false";
        values[Reconciled] = reconciled ? "true" : "false";
        return values.ToImmutable();
    }
}
