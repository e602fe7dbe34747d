using System.Collections.Immutable;

namespace ActorScheduler.Messages.Configs;

/// <summary>Queries about stored spec versions, answered by the config store (DC/OS <c>/v1/configurations</c>).</summary>
public static class ConfigProtocol
{
    /// <summary>Every stored config id, oldest first, and the target → <see cref="ConfigurationIds"/>.</summary>
    public sealed record GetConfigurations
    {
        public static GetConfigurations Instance { get; } = new();

        private GetConfigurations()
        {
        }
    }

    public sealed record ConfigurationIds(ImmutableArray<string> Ids, string? TargetId);

    /// <summary>One stored config (null id: the target) → <see cref="Configuration"/> or <see cref="ConfigurationNotFound"/>.</summary>
    public sealed record GetConfiguration(string? Id);

    /// <summary>A stored spec version: the rendered YAML it was accepted as, where it came from and when.</summary>
    /// <param name="SchedulerEnvironment">The TASKCFG_* / SERVICE_REGION values captured with it.</param>
    public sealed record Configuration(
        string Id,
        string Source,
        string RenderedYaml,
        DateTime StoredAt,
        bool IsTarget,
        ImmutableDictionary<string, string> SchedulerEnvironment)
    {
        /// <summary>The text of its task config templates, by the file name the spec gives (empty when none were stored).</summary>
        public ImmutableDictionary<string, string> ConfigTemplates { get; init; } = ImmutableDictionary<string, string>.Empty;
    }

    public sealed record ConfigurationNotFound(string? Id);

    /// <summary>
    /// Offer a rendered spec as the new target (<c>update start</c>) → <see cref="UpdateResult"/>. It is validated as an
    /// update of the current target; a refused one leaves the target and puts its errors on the deploy plan.
    /// </summary>
    public sealed record SubmitConfiguration(string RenderedYaml, string Source, ImmutableDictionary<string, string> SchedulerEnvironment)
    {
        /// <summary>The text of the spec's task config templates, by the file name the spec gives.</summary>
        public ImmutableDictionary<string, string> ConfigTemplates { get; init; } = ImmutableDictionary<string, string>.Empty;
    }

    /// <summary>
    /// Deploy a stored version again (<c>update rollback</c>) → <see cref="UpdateResult"/>: <paramref name="ToId"/>, or
    /// (null) the target that was in place before the current one was set; a rollback after a rollback goes one further
    /// back. <see cref="UpdateOutcome.NotFound"/>, with why, for an unknown id or when no earlier target is left.
    /// </summary>
    public sealed record RollbackConfiguration(string? ToId);

    /// <param name="TargetId">The target after the update (the old one when refused).</param>
    public sealed record UpdateResult(UpdateOutcome Outcome, string? TargetId, ImmutableArray<string> Errors);
}

/// <summary>What became of a submitted spec.</summary>
public enum UpdateOutcome
{
    /// <summary>A new target: the deploy (or update) plan rolls it out.</summary>
    NewTarget,

    /// <summary>Same as the target: nothing to do.</summary>
    Unchanged,

    /// <summary>Invalid, or not allowed as an update of the target: the target stays.</summary>
    Refused,

    /// <summary>Rollback to a version that is not stored, or no earlier target left to go back to (the errors say which).</summary>
    NotFound,

    /// <summary>
    /// The config store did not answer in time (or sensibly): whether it took the spec is not known; the scheduler
    /// follows whatever target the store holds, which <c>update status</c> shows.
    /// </summary>
    Failed,
}
