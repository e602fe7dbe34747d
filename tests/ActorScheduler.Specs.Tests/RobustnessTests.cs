using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Specs.Tests;

/// <summary>Bad input never throws: every prefix of a real spec loads to a spec or to located errors.</summary>
public sealed class RobustnessTests
{
    private static readonly string _template = File.ReadAllText(RepositoryFiles.Find("examples/hello-world/svc.yml"));

    [Fact]
    public void LoadRendered_should_not_throw_on_any_prefix_of_a_spec()
    {
        var rendered = ServiceSpecLoader.LoadFile(
            RepositoryFiles.Find("examples/hello-world/svc.yml"), null, new Dictionary<string, string>()).RenderedText!;

        for (var length = 0; length <= rendered.Length; length++)
        {
            var result = ServiceSpecLoader.LoadRendered(rendered[..length], "svc.yml");

            Assert.True(result.IsValid || !result.Errors.IsEmpty, $"prefix {length}: neither a spec nor errors");
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, $"prefix {length}: {e}"));
        }
    }

    [Fact]
    public void Mustache_should_not_throw_on_any_prefix_of_a_template()
    {
        for (var length = 0; length <= _template.Length; length++)
        {
            var errors = new SpecErrorList();
            var template = MustacheParser.Parse(_template[..length], "svc.yml", errors);
            MustacheRenderer.Render(template, new Dictionary<string, string>(), "svc.yml", errors);

            Assert.All(errors.ToImmutable(), e => Assert.True(e.Line >= 1 && e.Column >= 1, $"prefix {length}: {e}"));
        }
    }
}
