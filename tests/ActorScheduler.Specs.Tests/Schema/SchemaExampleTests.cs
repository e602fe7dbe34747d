namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>Every example spec, rendered with its defaults, is valid under <c>schema/svc.schema.json</c>.</summary>
public sealed class SchemaExampleTests
{
    /// <summary>examples/*/svc.yml, relative to the repository root; the list grows with the directory.</summary>
    public static TheoryData<string> Examples()
    {
        var root = Path.GetDirectoryName(Path.GetDirectoryName(RepositoryFiles.Find("examples/hello-world/svc.yml")))!;
        var data = new TheoryData<string>();
        foreach (var spec in Directory.GetDirectories(root).Select(d => Path.Combine(d, "svc.yml")).Where(File.Exists).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Path.GetDirectoryName(root)!, spec).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void Examples_should_be_found()
    {
        Assert.True(Examples().Count >= 6, "expected the examples directory to hold at least the six examples");
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Rendered_example_should_be_valid_under_the_schema(string example)
    {
        var loaded = ServiceSpecLoader.LoadFile(RepositoryFiles.Find(example), null, new Dictionary<string, string>());
        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));

        var errors = SpecSchema.Validate(loaded.RenderedText!);

        Assert.True(errors.Count == 0, $"{example}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
    }

    /// <summary>What docs/spec-schema.md promises: quoting placeholders keeps a template valid in the editor and for the loader.</summary>
    [Fact]
    public void Template_with_quoted_placeholders_should_be_valid_before_and_after_rendering()
    {
        const string Template = """
            # yaml-language-server: $schema=../../schema/svc.schema.json
            name: '{{FRAMEWORK_NAME}}'
            pods:
              hello:
                count: '{{HELLO_COUNT}}'
                placement: '{{{HELLO_PLACEMENT}}}'
                tasks:
                  server:
                    goal: RUNNING
                    cmd: sleep $SLEEP_DURATION
                    cpus: '{{HELLO_CPUS}}'
                    memory: '{{HELLO_MEM}}'
                    essential: '{{ESSENTIAL}}'
                    env:
                      SLEEP_DURATION: '{{SLEEP_DURATION}}'
            """;
        using var directory = new TempSpecDirectory();
        var path = directory.Write("svc.yml", Template);
        directory.Write("svc.env", "FRAMEWORK_NAME=hello\nHELLO_COUNT=2\nHELLO_PLACEMENT=hostname:UNIQUE\nHELLO_CPUS=0.5\nHELLO_MEM=64\nESSENTIAL=false\nSLEEP_DURATION=10\n");

        Assert.Empty(SpecSchema.Validate(Template));
        var loaded = ServiceSpecLoader.LoadFile(path, null, new Dictionary<string, string>());
        Assert.True(loaded.IsValid, string.Join(Environment.NewLine, loaded.Errors));
        Assert.Empty(SpecSchema.Validate(loaded.RenderedText!));
        var task = loaded.Spec!.Pods[0].Tasks[0];
        Assert.Equal((2, 0.5, 64, false), (loaded.Spec.Pods[0].Count, task.Cpus, task.MemoryMb, task.Essential));
    }
}
