namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Why a spec update is rejected; prints like DC/OS:
/// <c>Field: 'pods.hello.count'; Transition: '3' => '2'; Message: '…'; Fatal: false</c>.
/// </summary>
/// <param name="Field">Key path of what changed, e.g. <c>pods.hello.count</c>.</param>
/// <param name="Transition">Old and new value, e.g. <c>'3' => '2'</c>.</param>
/// <param name="Message">What is wrong and what to do instead.</param>
/// <param name="Fatal">True when the scheduler must not start at all; false keeps running the previous spec.</param>
public sealed record SpecValidationError(string Field, string Transition, string Message, bool Fatal)
{
    /// <summary>An error whose transition is <c>'from' => 'to'</c>; a null side prints as <c>null</c>, as DC/OS does.</summary>
    public static SpecValidationError Change(string field, string? from, string? to, string message, bool fatal = false) =>
        new(field, $"'{from ?? "null"}' => '{to ?? "null"}'", message, fatal);

    public override string ToString() => $"Field: '{Field}'; Transition: {Transition}; Message: '{Message}'; Fatal: {(Fatal ? "true" : "false")}";
}
