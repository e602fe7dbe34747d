using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>A task's <c>configs:</c> become fetcher URIs and <c>CONFIG_TEMPLATE_*</c> variables, as DC/OS's PodInfoBuilder makes them.</summary>
public sealed class ConfigTemplateUrisTests
{
    private static readonly Uri Api = new("http://127.0.0.1:8080/");

    [Theory]
    [InlineData("settings", "CONFIG_TEMPLATE_SETTINGS")]
    [InlineData("server.properties", "CONFIG_TEMPLATE_SERVER_PROPERTIES")]
    [InlineData("hello.There999!", "CONFIG_TEMPLATE_HELLO_THERE999_")]
    [InlineData("my-conf_2", "CONFIG_TEMPLATE_MY_CONF_2")]
    [InlineData("ü", "CONFIG_TEMPLATE__")]
    public void The_variable_name_is_upper_cased_with_everything_but_letters_digits_and_underscores_replaced(string config, string expected) =>
        Assert.Equal(expected, ConfigTemplateUris.VariableName(config));

    [Fact]
    public void The_url_names_the_config_version_pod_type_task_and_config_each_escaped()
    {
        Assert.Equal("http://127.0.0.1:8080/v1/artifacts/template/c-1/worker/run/settings",
            ConfigTemplateUris.Url(Api, "c-1", "worker", "run", "settings"));
        Assert.Equal("http://h:9/v1/artifacts/template/c%2F1/worker/run/a%20b",
            ConfigTemplateUris.Url(new Uri("http://h:9/some/path"), "c/1", "worker", "run", "a b"));
    }

    [Fact]
    public void A_task_with_configs_fetches_each_template_into_config_templates_and_names_it_in_its_environment()
    {
        var context = TestOffers.Context with { SchedulerApi = Api };
        var task = Launch(WithConfigs(new ConfigTemplateSpec("settings", "worker.conf.mustache", "conf/worker.conf"), new ConfigTemplateSpec("log.xml", "log.mustache", "log.xml")), context);

        Assert.Collection(task.Command.Uris,
            uri =>
            {
                Assert.Equal("http://127.0.0.1:8080/v1/artifacts/template/config-1/hello/server/settings", uri.Value);
                Assert.Equal("config-templates/settings", uri.OutputFile);
                Assert.False(uri.Extract);
                Assert.False(uri.Executable);
            },
            uri => Assert.Equal("config-templates/log.xml", uri.OutputFile));
        var env = Env(task);
        Assert.Equal("config-templates/settings,conf/worker.conf", env["CONFIG_TEMPLATE_SETTINGS"]);
        Assert.Equal("config-templates/log.xml,log.xml", env["CONFIG_TEMPLATE_LOG_XML"]);
    }

    [Fact]
    public void Without_the_api_address_a_task_gets_no_uris_but_still_its_variables()
    {
        var task = Launch(WithConfigs(new ConfigTemplateSpec("settings", "worker.conf.mustache", "conf/worker.conf")), TestOffers.Context);

        Assert.Empty(task.Command.Uris);
        Assert.Equal("config-templates/settings,conf/worker.conf", Env(task)["CONFIG_TEMPLATE_SETTINGS"]);
    }

    [Fact]
    public void A_task_without_configs_gets_neither_uris_nor_variables()
    {
        var task = Launch(TestOffers.HelloPod(), TestOffers.Context with { SchedulerApi = Api });

        Assert.Empty(task.Command.Uris);
        Assert.DoesNotContain(task.Command.Environment.Variables, v => v.Name.StartsWith("CONFIG_TEMPLATE_", StringComparison.Ordinal));
    }

    private static PodSpec WithConfigs(params ConfigTemplateSpec[] configs)
    {
        var pod = TestOffers.HelloPod();
        return pod with { Tasks = [pod.Tasks[0] with { Configs = [.. configs] }] };
    }

    private static TaskInfo Launch(PodSpec pod, EvaluationContext context)
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), context);
        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        return Assert.Single(evaluation.Tasks).Info;
    }

    private static Dictionary<string, string> Env(TaskInfo task) => task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
}
