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
    public sealed record Configuration(string Id, string Source, string RenderedYaml, DateTime StoredAt, bool IsTarget);

    public sealed record ConfigurationNotFound(string? Id);
}
