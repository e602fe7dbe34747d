using System.Globalization;

namespace ActorScheduler.Messages.MesosV1;

/// <summary>
/// Agent attributes in Mesos' text form, as an agent's <c>--attributes</c> takes them: <c>rack:r1;cores:8;slots:[1-4,8-9]</c>
/// (scalars invariant, ranges in one bracket pair, sets in braces). Placement rules match these values; the DC/OS
/// <c>offer_attributes</c> task label carries the whole list.
/// </summary>
public static class AttributeText
{
    /// <summary>One attribute's value: <c>r1</c>, <c>8</c>, <c>[1-4,8-9]</c>, <c>{a,b}</c>.</summary>
    public static string Value(Attribute attribute) => attribute.Type switch
    {
        MesosV1.Value.Types.Type.Scalar => (attribute.Scalar?.Value ?? 0).ToString(CultureInfo.InvariantCulture),
        MesosV1.Value.Types.Type.Ranges => "[" + string.Join(",", attribute.Ranges?.Range.Select(r => $"{r.Begin}-{r.End}") ?? []) + "]",
        MesosV1.Value.Types.Type.Set => "{" + string.Join(",", attribute.Set?.Item ?? []) + "}",
        _ => attribute.Text?.Value ?? string.Empty,
    };

    /// <summary>Every attribute, in order: <c>rack:r1;cores:8</c>.</summary>
    public static string Of(IEnumerable<Attribute> attributes) =>
        string.Join(";", attributes.Select(a => $"{a.Name}:{Value(a)}"));
}
