using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Tests.Placement;

/// <summary>The pod key <c>placement</c>: parsed at load time, located errors, ignored by the fingerprint.</summary>
public sealed class PlacementSpecTests
{
    private static string Spec(string placementLine) => $"""
        name: svc
        pods:
          hello:
            count: 2
        {placementLine}
            tasks:
              server:
                goal: RUNNING
                cmd: echo hi
                cpus: 0.1
                memory: 32
        """;

    private static PodSpec LoadPod(string placementLine)
    {
        var result = ServiceSpecLoader.LoadRendered(Spec(placementLine), "svc.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!.Pods[0];
    }

    [Fact]
    public void Placement_should_be_parsed_for_the_pod_type()
    {
        var pod = LoadPod("    placement: '[[\"hostname\", \"MAX_PER\", \"2\"]]'");

        Assert.Equal(new MaxPerRule(PlacementField.Hostname, 2, "hello"), pod.Placement);
        Assert.Equal("[[\"hostname\", \"MAX_PER\", \"2\"]]", pod.PlacementText);
    }

    [Theory]
    [InlineData("    placement: ''")]
    [InlineData("    placement: '[]'")]
    [InlineData("    placement:")]
    [InlineData("")]
    public void Empty_or_missing_placement_should_be_no_rule(string placementLine)
    {
        var pod = LoadPod(placementLine);

        Assert.Null(pod.Placement);
        Assert.Null(pod.PlacementText);
    }

    [Fact]
    public void Bad_constraint_should_be_a_located_error_at_the_value()
    {
        var result = ServiceSpecLoader.LoadRendered(Spec("    placement: hostname:UNIQUE,@zone:GROUP_BY:x"), "svc.yml");

        Assert.Equal(
            ["svc.yml:5:16: pods.hello.placement: invalid placement constraint 'hostname:UNIQUE,@zone:GROUP_BY:x': " +
             "row 2 (@zone:GROUP_BY:x): GROUP_BY expects a number >= 1, found 'x'"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Placement_that_is_not_a_string_should_say_to_quote_it()
    {
        var result = ServiceSpecLoader.LoadRendered(Spec("    placement: [[hostname, UNIQUE]]"), "svc.yml");

        Assert.Equal(
            ["svc.yml:5:16: pods.hello.placement: expected a constraint string such as '[[\"hostname\", \"UNIQUE\"]]' or 'hostname:UNIQUE' (quote it), found a list"],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Rendered_template_placement_should_be_read_from_the_defaults()
    {
        using var dir = new TempSpecDirectory();
        var path = dir.Write("svc.yml", Spec("    placement: '{{{HELLO_PLACEMENT}}}'"));
        dir.Write("svc.env", "HELLO_PLACEMENT=[[\"hostname\", \"UNIQUE\"]]\n");

        var result = ServiceSpecLoader.LoadFile(path, null, new Dictionary<string, string>());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("hostname:UNIQUE", result.Spec!.Pods[0].Placement!.ToString());
    }

    [Fact]
    public void Fingerprint_should_ignore_placement()
    {
        var unconstrained = LoadPod("");
        var constrained = LoadPod("    placement: 'hostname:UNIQUE'");

        Assert.Equal(SpecFingerprint.Of(unconstrained), SpecFingerprint.Of(constrained));
        Assert.Equal(SpecFingerprint.Of(constrained), SpecFingerprint.Of(LoadPod("    placement: '@zone:GROUP_BY:3'")));
    }

    [Fact]
    public void Spec_with_placement_should_still_serialize_to_json_for_the_cli()
    {
        var spec = ServiceSpecLoader.LoadRendered(Spec("    placement: 'hostname:UNIQUE,rack:LIKE:r.*'"), "svc.yml").Spec!;

        var json = System.Text.Json.JsonSerializer.Serialize(spec);

        Assert.Contains("\"PlacementText\":\"hostname:UNIQUE,rack:LIKE:r.*\"", json);
    }
}
