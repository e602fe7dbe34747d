using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Every pod's placement must be a rule that can pass: no <see cref="InvalidPlacementRule"/> anywhere in it, and a
/// <see cref="PodSpec.PlacementText"/> without a rule must parse. Placement changes themselves are allowed (they apply to
/// instances placed from now on).
/// </summary>
public sealed class PlacementRuleIsValid : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        foreach (var pod in next.Pods)
        {
            var problem = pod.Placement is { } rule
                ? FindInvalid(rule)?.Error
                : PlacementRuleParser.Parse(pod.PlacementText, pod.Type) is { IsValid: false } parsed ? string.Join("; ", parsed.Errors) : null;
            if (problem is not null)
            {
                yield return SpecValidationError.Change($"pods.{pod.Type}.placement", previous?.FindPod(pod.Type)?.PlacementText, pod.PlacementText,
                    $"Placement of pod '{pod.Type}' is invalid: {problem}");
            }
        }
    }

    private static InvalidPlacementRule? FindInvalid(PlacementRule rule) => rule switch
    {
        InvalidPlacementRule invalid => invalid,
        AndRule and => and.Rules.Select(FindInvalid).FirstOrDefault(r => r is not null),
        OrRule or => or.Rules.Select(FindInvalid).FirstOrDefault(r => r is not null),
        NotRule not => FindInvalid(not.Rule),
        _ => null,
    };
}
