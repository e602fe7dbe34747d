using System.Net;
using ActorScheduler.Hosting.Cli;

namespace ActorScheduler.Hosting.Tests.Cli;

public sealed class ApiUrlsTests
{
    [Fact]
    public void A_specific_address_is_listened_on_and_given_to_tasks()
    {
        var (bind, advertised) = RunCommand.ApiUrls(IPAddress.Parse("10.0.0.5"), 8080);

        Assert.Equal(new Uri("http://10.0.0.5:8080/"), bind);
        Assert.Equal(bind, advertised);
    }

    [Theory]
    [InlineData("0.0.0.0", "http://0.0.0.0:8080/")]
    [InlineData("::", "http://[::]:8080/")]
    public void A_wildcard_address_gives_tasks_the_host_name(string address, string expectedBind)
    {
        var (bind, advertised) = RunCommand.ApiUrls(IPAddress.Parse(address), 8080);

        Assert.Equal(new Uri(expectedBind), bind);
        Assert.Equal(new Uri($"http://{Dns.GetHostName()}:8080/"), advertised);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void A_clustered_wildcard_address_advertises_the_cluster_hostname_the_other_nodes_reach_it_at(string address)
    {
        var (_, advertised) = RunCommand.ApiUrls(IPAddress.Parse(address), 8080, clusterHostname: "sched-2.example");

        Assert.Equal(new Uri("http://sched-2.example:8080/"), advertised);
        Assert.Equal(new Uri("http://10.0.0.5:8080/"), RunCommand.ApiUrls(IPAddress.Parse("10.0.0.5"), 8080, clusterHostname: "sched-2.example").Advertised);
    }

    [Fact]
    public void An_ipv6_address_is_bracketed()
    {
        var (bind, advertised) = RunCommand.ApiUrls(IPAddress.IPv6Loopback, 8080);

        Assert.Equal("http://[::1]:8080/", bind.ToString());
        Assert.Equal(bind, advertised);
    }
}
