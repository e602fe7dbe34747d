using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Specs.Tests;

public sealed class ServiceSpecLoaderTests : IDisposable
{
    private const string Template = """
        name: {{NAME}}
        pods:
          hello:
            count: {{COUNT}}
            tasks:
              server:
                goal: RUNNING
                cmd: echo hi
                cpus: {{CPUS}}
                memory: 32
        """;

    private static readonly Dictionary<string, string> _noEnvironment = new();

    private readonly TempSpecDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Lines(SpecLoadResult result) => result.Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void Loader_should_prefer_overrides_to_environment_to_defaults()
    {
        var spec = _dir.Write("svc.yml", Template);
        _dir.Write("svc.env", "NAME=from-defaults\nCOUNT=1\nCPUS=0.5\n");
        var environment = new Dictionary<string, string> { ["NAME"] = "from-env", ["COUNT"] = "2" };
        var overrides = new Dictionary<string, string> { ["COUNT"] = "3" };

        var result = ServiceSpecLoader.LoadFile(spec, overrides, environment);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("from-env", result.Spec!.Name);
        Assert.Equal(3, result.Spec.Pods[0].Count);
        Assert.Equal(0.5, result.Spec.Pods[0].Tasks[0].Cpus);
    }

    [Theory]
    [InlineData("0.0125", 0.013)]
    [InlineData("0.0124", 0.012)]
    [InlineData("0.4875", 0.488)]
    [InlineData("1.5", 1.5)]
    public void Cpus_should_be_counted_in_thousandths_as_Mesos_counts_them(string cpus, double counted)
    {
        var spec = _dir.Write("svc.yml", Template);
        var values = new Dictionary<string, string> { ["NAME"] = "svc", ["COUNT"] = "1", ["CPUS"] = cpus };

        var result = ServiceSpecLoader.LoadFile(spec, values, _noEnvironment);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(counted, result.Spec!.Pods[0].Tasks[0].Cpus);
    }

    [Fact]
    public void Loader_should_read_the_process_environment_when_none_is_given()
    {
        var variable = "ASCHED_SPEC_TEST_" + Guid.NewGuid().ToString("N");
        var spec = _dir.Write("svc.yml", Template.Replace("{{NAME}}", "{{" + variable + "}}"));
        _dir.Write("svc.env", "COUNT=1\nCPUS=0.5\n");
        Environment.SetEnvironmentVariable(variable, "from-process");
        try
        {
            Assert.Equal("from-process", ServiceSpecLoader.LoadFile(spec).Spec?.Name);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Values_should_take_from_the_environment_only_names_the_template_references()
    {
        var merged = TemplateValues.Merge(
            new Dictionary<string, string> { ["A"] = "default" },
            ["A"],
            new Dictionary<string, string> { ["A"] = "env", ["PATH"] = "/bin" },
            null);

        Assert.Equal(new Dictionary<string, string> { ["A"] = "env" }, merged);
    }

    [Fact]
    public void Loader_should_work_without_a_defaults_file()
    {
        var spec = _dir.Write("svc.yml", Template);
        var overrides = new Dictionary<string, string> { ["NAME"] = "svc", ["COUNT"] = "1", ["CPUS"] = "1" };

        Assert.True(ServiceSpecLoader.LoadFile(spec, overrides, _noEnvironment).IsValid);
    }

    [Fact]
    public void Loader_should_report_a_missing_file_as_one_error()
    {
        var path = Path.Combine(_dir.Root, "nope.yml");

        var result = ServiceSpecLoader.LoadFile(path, null, _noEnvironment);

        Assert.False(result.IsValid);
        Assert.Null(result.RenderedText);
        Assert.Equal([$"{path}:1:1: (file): cannot read the spec: the file does not exist"], Lines(result));
    }

    [Fact]
    public void Loader_should_report_a_directory_given_as_the_spec()
    {
        var result = ServiceSpecLoader.LoadFile(_dir.Root, null, _noEnvironment);

        Assert.Equal([$"{_dir.Root}:1:1: (file): cannot read the spec: the file is a directory, not a spec file"], Lines(result));
    }

    [Fact]
    public void Loader_should_report_bad_lines_of_the_defaults_file_in_that_file()
    {
        var spec = _dir.Write("svc.yml", Template);
        var defaults = _dir.Write("svc.env", "NAME=x\nCOUNT 1\n");

        var result = ServiceSpecLoader.LoadFile(spec, null, _noEnvironment);

        Assert.Equal([$"{defaults}:2:1: (line): expected KEY=VALUE, found 'COUNT 1'"], Lines(result));
    }

    [Fact]
    public void Loader_should_report_all_missing_values_of_the_template_at_once()
    {
        var spec = _dir.Write("svc.yml", Template);

        var result = ServiceSpecLoader.LoadFile(spec, new Dictionary<string, string> { ["COUNT"] = "1" }, _noEnvironment);

        Assert.Null(result.RenderedText);
        Assert.Equal(
            [
                $"{spec}:1:7: (template): no value for 'NAME'; set it in the defaults file, the environment, or with -o NAME=VALUE",
                $"{spec}:9:15: (template): no value for 'CPUS'; set it in the defaults file, the environment, or with -o CPUS=VALUE",
            ],
            Lines(result));
    }

    [Fact]
    public void Loader_should_locate_a_bad_rendered_value_at_its_tag_in_the_template()
    {
        var spec = _dir.Write("svc.yml", Template);
        var overrides = new Dictionary<string, string> { ["NAME"] = "svc", ["COUNT"] = "many", ["CPUS"] = "0" };

        var result = ServiceSpecLoader.LoadFile(spec, overrides, _noEnvironment);

        Assert.NotNull(result.RenderedText);
        Assert.Equal(
            [
                $"{spec}:4:12: pods.hello.count: expected an integer from 0 to 100000, found 'many'",
                $"{spec}:9:15: pods.hello.tasks.server.cpus: expected a number > 0, found '0'",
            ],
            Lines(result));
    }

    [Fact]
    public void Loader_should_locate_yaml_errors_on_template_lines_after_removed_sections()
    {
        var spec = _dir.Write("svc.yml", """
            {{#EXTRA}}
            # three lines that are
            # not rendered
            {{/EXTRA}}
            name: svc
            pods:
              hello:
                count: 1
                tasks:
                  server:
                    goal: RUNNING
                    cmd: echo hi
                    cpus: 1
                    memory: 32
                    cpu: 2
            """);

        var result = ServiceSpecLoader.LoadFile(spec, null, _noEnvironment);

        Assert.Equal(
            [$"{spec}:15:9: pods.hello.tasks.server.cpu: unknown key 'cpu' (did you mean 'cpus'?); expected one of: goal, cmd, essential, env, labels, kill-grace-period, resource-set, health-check, readiness-check, discovery, transport-encryption, configs, ipc-mode, shm-size, cpus, gpus, memory, resource-limits, ports, volume, volumes"],
            Lines(result));
    }

    [Fact]
    public void Loader_should_pin_the_region_from_SERVICE_REGION_in_the_given_environment()
    {
        var spec = _dir.Write("svc.yml", Template);
        _dir.Write("svc.env", "NAME=hello\nCOUNT=1\nCPUS=0.5\n");

        Assert.Equal("eu-west", ServiceSpecLoader.LoadFile(spec, null, new Dictionary<string, string> { ["SERVICE_REGION"] = " eu-west " }).Spec?.Region);
        Assert.Null(ServiceSpecLoader.LoadFile(spec, null, new Dictionary<string, string> { ["SERVICE_REGION"] = " " }).Spec!.Region);
        Assert.Null(ServiceSpecLoader.LoadFile(spec, null, _noEnvironment).Spec!.Region);
        Assert.Null(ServiceSpecLoader.LoadFile(spec, new Dictionary<string, string> { ["SERVICE_REGION"] = "eu-west" }, _noEnvironment).Spec!.Region);
    }

    [Fact]
    public void Loader_should_read_SERVICE_REGION_from_the_process_environment_when_none_is_given()
    {
        var spec = _dir.Write("svc.yml", Template);
        _dir.Write("svc.env", "NAME=hello\nCOUNT=1\nCPUS=0.5\n");
        var before = Environment.GetEnvironmentVariable("SERVICE_REGION");
        Environment.SetEnvironmentVariable("SERVICE_REGION", "ap-south");
        try
        {
            Assert.Equal("ap-south", ServiceSpecLoader.LoadFile(spec).Spec?.Region);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SERVICE_REGION", before);
        }
    }

    [Fact]
    public void LoadRendered_should_leave_the_region_unset()
    {
        Assert.Null(ServiceSpecLoader.LoadRendered(File.ReadAllText(RepositoryFiles.Find("tests/ActorScheduler.Specs.Tests/Fixtures/updates/base.yml")), "base").Spec!.Region);
    }

    [Fact]
    public void LoadRendered_should_use_the_source_name_and_not_render_mustache()
    {
        var result = ServiceSpecLoader.LoadRendered("name: '{{X}}'\npods: {}\n", "config-7");

        Assert.Equal(["config-7:2:7: pods: expected a mapping of at least one pod type, found an empty mapping"], Lines(result));
        Assert.Equal("name: '{{X}}'\npods: {}\n", result.RenderedText);
    }

    [Fact]
    public void LoadFile_reads_the_task_config_templates_beside_the_spec_and_LoadRendered_has_none()
    {
        var path = RepositoryFiles.Find("examples/taskcfg/svc.yml");

        var result = ServiceSpecLoader.LoadFile(path, environment: new Dictionary<string, string>());

        Assert.True(result.IsValid);
        var template = Assert.Single(result.ConfigTemplates);
        Assert.Equal(("worker.conf.mustache", File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "worker.conf.mustache"))), (template.Key, template.Value));
        Assert.Empty(ServiceSpecLoader.LoadRendered(result.RenderedText!, "config-1").ConfigTemplates);
    }
}
