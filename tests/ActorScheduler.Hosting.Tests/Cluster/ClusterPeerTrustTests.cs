using System.Security.Cryptography.X509Certificates;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// The decision whether a certificate is a node of a cluster with its own CA (<see cref="ClusterPeerTrust"/>), on
/// certificates made here: the CA's, nodes it signs, one of another CA, an expired one, one without the client usage,
/// a revoked one.
/// </summary>
public sealed class ClusterPeerTrustTests : IDisposable
{
    private readonly TestClusterCa _ca = new("cluster-ca");
    private readonly TestClusterCa _otherCa = new("other-ca");
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    private ClusterPeerTrust Trust(params string[] revoked) =>
        new([TestClusterCa.Public(_ca.Certificate)], new HashSet<string>(revoked.Select(ClusterPeerTrust.NormalizeSerial)));

    [Fact]
    public void Two_nodes_of_the_cluster_ca_are_accepted_as_presented_without_their_keys()
    {
        using var node1 = _ca.Node("node-1");
        using var node2 = _ca.Node("node-2");

        Assert.Null(Trust().Refusal(TestClusterCa.Public(node1), _now));
        Assert.Null(Trust().Refusal(TestClusterCa.Public(node2), _now));
    }

    [Fact]
    public void A_node_of_another_ca_is_refused_as_not_chaining_to_the_cluster_ca()
    {
        using var stranger = _otherCa.Node("stranger");

        var refusal = Trust().Refusal(TestClusterCa.Public(stranger), _now);

        Assert.StartsWith("the certificate 'CN=stranger, O=ActorScheduler tests' (issued by 'CN=other-ca, O=ActorScheduler tests') does not chain to a CA of the cluster", refusal);
    }

    [Fact]
    public void The_certificate_of_another_ca_itself_is_refused()
    {
        Assert.Contains("does not chain to a CA of the cluster", Trust().Refusal(TestClusterCa.Public(_otherCa.Certificate), _now));
    }

    [Fact]
    public void A_node_of_any_of_several_cluster_cas_is_accepted()
    {
        using var stranger = _otherCa.Node("node-of-the-second-ca");
        var trust = new ClusterPeerTrust([TestClusterCa.Public(_ca.Certificate), TestClusterCa.Public(_otherCa.Certificate)], new HashSet<string>());

        Assert.Null(trust.Refusal(TestClusterCa.Public(stranger), _now));
    }

    [Fact]
    public void An_expired_node_is_refused_with_its_expiry_and_one_not_yet_valid_with_its_start()
    {
        var expiry = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var expired = _ca.Node("expired", notBefore: expiry.AddHours(-2), notAfter: expiry);
        using var future = _ca.Node("future", notBefore: DateTimeOffset.UtcNow.AddHours(2));

        Assert.Equal($"the certificate 'CN=expired, O=ActorScheduler tests' expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z", Trust().Refusal(TestClusterCa.Public(expired), _now));
        Assert.StartsWith("the certificate 'CN=future, O=ActorScheduler tests' is not valid before ", Trust().Refusal(TestClusterCa.Public(future), _now));
    }

    [Fact]
    public void The_time_asked_decides_so_a_node_valid_now_is_refused_a_day_later()
    {
        using var node = _ca.Node("node", notAfter: DateTimeOffset.UtcNow.AddHours(12));

        Assert.Null(Trust().Refusal(TestClusterCa.Public(node), _now));
        Assert.Contains("expired on", Trust().Refusal(TestClusterCa.Public(node), _now.AddDays(1)));
    }

    [Fact]
    public void A_node_naming_the_server_usage_without_the_client_one_is_refused()
    {
        using var serverOnly = _ca.Node("server-only", usages: TestClusterCa.ServerOnly);

        Assert.Equal(
            "the certificate 'CN=server-only, O=ActorScheduler tests' names its usages without client authentication (a node both dials and is dialed: extendedKeyUsage = serverAuth, clientAuth)",
            Trust().Refusal(TestClusterCa.Public(serverOnly), _now));
    }

    [Fact]
    public void A_node_naming_no_usages_is_accepted_as_usable_for_anything()
    {
        using var any = _ca.Node("any-usage", usages: []);

        Assert.Null(Trust().Refusal(TestClusterCa.Public(any), _now));
    }

    [Fact]
    public void A_revoked_node_is_refused_with_its_serial_whatever_the_serial_is_written_as_and_the_others_stay_accepted()
    {
        using var revoked = _ca.Node("revoked", serial: [0x0A, 0xBC, 0xDE]);
        using var kept = _ca.Node("kept");

        foreach (var written in new[] { "ABCDE", "000abcde", "0a:bc:de" })
        {
            Assert.Equal("the certificate 'CN=revoked, O=ActorScheduler tests' (serial ABCDE) is revoked", Trust(written).Refusal(TestClusterCa.Public(revoked), _now));
            Assert.Null(Trust(written).Refusal(TestClusterCa.Public(kept), _now));
        }
    }

    [Fact]
    public void No_certificate_at_all_is_refused()
    {
        Assert.Equal("no certificate was presented", Trust().Refusal(null, _now));
    }

    [Theory]
    [InlineData("1A2B3C", true)]
    [InlineData("1a:2b:3c", true)]
    [InlineData("0", true)]
    [InlineData("1A2G", false)]
    [InlineData("1a::2b", false)]
    [InlineData(":1a", false)]
    [InlineData("1a 2b", false)]
    [InlineData("", false)]
    public void A_serial_number_is_hex_digits_optionally_in_colon_separated_groups(string text, bool isSerial)
    {
        Assert.Equal(isSerial, ClusterPeerTrust.IsSerial(text));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
    }
}
