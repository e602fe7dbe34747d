using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Validation;

namespace ActorScheduler.Specs.Tests.Validation;

/// <summary>The specs under Fixtures/updates, and validation of one as an update of another.</summary>
internal static class UpdateFixtures
{
    public static ServiceSpec Load(string fixture)
    {
        var result = ServiceSpecLoader.LoadRendered(File.ReadAllText(PathOf(fixture)), fixture);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    public static string PathOf(string fixture) => RepositoryFiles.Find($"tests/ActorScheduler.Specs.Tests/Fixtures/updates/{fixture}.yml");

    /// <summary>Every default validator's errors, printed, for <paramref name="to"/> replacing <paramref name="from"/> (null: first deploy).</summary>
    public static string[] Update(string? from, string to, ClusterCapabilities? capabilities = null) =>
        Printed(SpecValidators.Validate(from is null ? null : Load(from), Load(to), capabilities ?? ClusterCapabilities.All));

    /// <summary>One validator's errors, printed, for <paramref name="to"/> replacing <paramref name="from"/> (null: first deploy).</summary>
    public static string[] Update(ISpecValidator validator, string? from, string to) =>
        Printed(validator.Validate(from is null ? null : Load(from), Load(to)));

    public static string[] Printed(IEnumerable<SpecValidationError> errors) => [.. errors.Select(e => e.ToString())];
}
