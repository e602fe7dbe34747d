using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary><c>actorscheduler endpoints [name]</c> against a stub API (the real one: ApiEndToEndTests).</summary>
public sealed class EndpointsCliTests
{
    private const string Http = """
        {"address":["127.0.0.2:31000","127.0.0.3:31004"],
         "dns":["web-0-server.ports.autoip.dcos.thisdcos.directory:31000","web-1-server.ports.autoip.dcos.thisdcos.directory:31004"],
         "vip":"web.ports.l4lb.thisdcos.directory:80"}
        """;

    private static StubApi Api() => new(new()
    {
        ["v1/endpoints"] = """["http","metrics"]""",
        ["v1/endpoints/http"] = Http,
        ["v1/endpoints/metrics"] = """{"address":[],"dns":[]}""",
    });

    [Fact]
    public async Task Without_a_name_it_lists_the_names_one_a_line_and_with_json_the_array()
    {
        using var api = Api();
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await EndpointsCli.ShowAsync(api.Url, null, false, output, error, CancellationToken.None));
        Assert.Equal("http\nmetrics\n", output.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await EndpointsCli.ShowAsync(api.Url, null, true, output, error, CancellationToken.None));
        using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal(["http", "metrics"], json.RootElement.EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task With_a_name_it_shows_addresses_dns_names_and_vip_a_line_each_and_with_json_the_object()
    {
        using var api = Api();
        var (output, error) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await EndpointsCli.ShowAsync(api.Url, "http", false, output, error, CancellationToken.None));
        Assert.Equal(
            """
            address: 127.0.0.2:31000
                     127.0.0.3:31004
            dns:     web-0-server.ports.autoip.dcos.thisdcos.directory:31000
                     web-1-server.ports.autoip.dcos.thisdcos.directory:31004
            vip:     web.ports.l4lb.thisdcos.directory:80

            """.ReplaceLineEndings("\n"),
            output.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await EndpointsCli.ShowAsync(api.Url, "metrics", false, output, error, CancellationToken.None));
        Assert.Equal("address: (none)\ndns:     (none)\n", output.ToString());

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await EndpointsCli.ShowAsync(api.Url, "http", true, output, error, CancellationToken.None));
        using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal("web.ports.l4lb.thisdcos.directory:80", json.RootElement.GetProperty("vip").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("address").GetArrayLength());
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task An_unknown_name_is_the_api_message_and_exit_1()
    {
        using var api = Api();
        var (output, error) = (new StringWriter(), new StringWriter());

        Assert.Equal(1, await EndpointsCli.ShowAsync(api.Url, "nope", false, output, error, CancellationToken.None));

        Assert.Equal("error: not found", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task An_unreachable_scheduler_or_a_bad_api_is_one_clear_line_and_exit_2()
    {
        var api = $"http://127.0.0.1:{SchedulerProcess.FreePort()}";
        foreach (var name in new[] { null, "http" })
        {
            var (output, error) = (new StringWriter(), new StringWriter());
            Assert.Equal(2, await EndpointsCli.ShowAsync(api, name, false, output, error, CancellationToken.None));
            Assert.StartsWith($"error: cannot reach the scheduler at {api}/:", error.ToString());
            Assert.Single(error.ToString().Trim().Split('\n'));
            Assert.Empty(output.ToString());
        }

        var (o, e) = (new StringWriter(), new StringWriter());
        Assert.Equal(2, await EndpointsCli.ShowAsync("localhost:8080", null, false, o, e, CancellationToken.None));
        Assert.Equal("error: --api expects an http:// URL such as http://127.0.0.1:8080, got 'localhost:8080'", e.ToString().Trim());
    }
}
