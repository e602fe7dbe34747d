using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Validation;
using ActorScheduler.Specs.Yaml;

namespace ActorScheduler.Specs;

/// <summary>The outcome of loading a spec: the model when valid, otherwise every error found.</summary>
/// <param name="Spec">The validated spec; null when there are errors.</param>
/// <param name="Errors">All errors, in file order per stage; empty when valid.</param>
/// <param name="RenderedText">The spec text after mustache rendering (what should be stored and replayed); null when
/// rendering itself failed.</param>
public sealed record SpecLoadResult(ServiceSpec? Spec, ImmutableArray<SpecError> Errors, string? RenderedText)
{
    public bool IsValid => Spec is not null && Errors.IsEmpty;

    /// <summary>
    /// The scheduler environment variables that shape the spec beyond its text (<c>TASKCFG_*</c>, <c>SERVICE_REGION</c>);
    /// stored with <see cref="RenderedText"/> so a replay yields the same spec.
    /// </summary>
    public ImmutableSortedDictionary<string, string> SchedulerEnvironment { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// The text of every task config template (<c>configs.&lt;name&gt;.template</c>), by the file name the spec gives,
    /// read beside the spec file (<see cref="ServiceSpecLoader.LoadFile"/> only); stored with the config version.
    /// </summary>
    public ImmutableSortedDictionary<string, string> ConfigTemplates { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The file the spec was read from and its node tree, to place the errors of later checks.</summary>
    internal (string File, SpecNode Root)? Source { get; init; }

    /// <summary>
    /// A validator's refusal placed in the spec file: at the node its field names (<c>pods.web.tasks.server.resource-limits.cpus</c>),
    /// or the deepest node of that path the file has (a key the spec left out); null when there is no source.
    /// </summary>
    public SpecError? Locate(SpecValidationError refusal)
    {
        if (Source is not var (file, root))
        {
            return null;
        }

        var node = root;
        foreach (var segment in refusal.Field.Split('.'))
        {
            if (node is MappingNode mapping && mapping.Entries.FirstOrDefault(e => e.Key.Value == segment) is { } entry)
            {
                node = entry.Value;
            }
            else
            {
                break;
            }
        }

        var change = refusal.Transition.StartsWith("'null' =>", StringComparison.Ordinal) ? "" : $" (changed {refusal.Transition})";
        return new SpecError(file, node.Position.Line, node.Position.Column, refusal.Field, refusal.Message + change);
    }
}
