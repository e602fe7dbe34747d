using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Yaml;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// On a new install only (existing services keep their name whatever it is), the name with its folder slashes removed
/// (<see cref="ServiceSpec.DnsLabelOf"/>) becomes the DNS label of the service's names
/// (<c>&lt;label&gt;.autoip.dcos.thisdcos.directory</c>, <c>FRAMEWORK_HOST</c>): it must be at most 63 characters
/// (RFC 1035) and a valid label — lower-case letters, digits and '-', not starting or ending with '-'.
/// </summary>
public sealed class ServiceNameCannotBreakDNS : ISpecValidator
{
    /// <summary>Longest DNS label (RFC 1035).</summary>
    public const int MaxLabelLength = 63;

    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (previous is not null)
        {
            yield break;
        }

        var label = ServiceSpec.DnsLabelOf(next.Name);
        if (label.Length > MaxLabelLength)
        {
            yield return SpecValidationError.Change("name", null, next.Name,
                $"Service name without slashes ('{label}') is {label.Length} characters long, but it is the DNS label of the " +
                $"service's task names, which allows at most {MaxLabelLength}: choose a shorter name or shorter folders");
        }

        if (!Names.HasDnsLabelCharacters(label))
        {
            yield return SpecValidationError.Change("name", null, next.Name,
                $"Service name without slashes ('{label}') is the DNS label of the service's task names " +
                $"({label}.autoip.dcos.thisdcos.directory) but is not a valid one: name the service and its folders with " +
                $"{Names.DnsLabelCharactersRule}");
        }
    }
}
