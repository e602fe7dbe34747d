using System.Net;
using System.Text.Json;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// Which node of a cluster answers the API (the one whose scheduler singleton answered, not the oldest by a node's
/// view), where a standby redirects to, and that the CLI's client follows the redirect with the method, body and token
/// of the call.
/// </summary>
public sealed class ActiveSchedulerNodeTests
{
    private static readonly Address A = Address.Parse("akka.tcp://actorscheduler@10.0.0.11:25520");
    private static readonly Address B = Address.Parse("akka.tcp://actorscheduler@10.0.0.12:25520");
    private static readonly Address C = Address.Parse("akka.tcp://actorscheduler@10.0.0.13:25520");

    private static readonly DateTime T0 = new(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private static ClusterNode Node(Address address, MemberStatus status = MemberStatus.Up, bool reachable = true, string? api = null) =>
        new(address, status, reachable, api is null ? [] : ["other-role", ActiveSchedulerNode.RolePrefix + api]);

    private static ActiveNodeTracker Tracker(Address self, params ClusterNode[] members)
    {
        var tracker = new ActiveNodeTracker(self, Lifetime);
        tracker.Members(members);
        return tracker;
    }

    [Fact]
    public void The_node_whose_singleton_answered_is_active_and_a_standby_is_sent_to_its_advertised_api()
    {
        // C is the oldest by membership, but B's singleton is the one that answered: B is active.
        var members = new[] { Node(C, api: "http://10.0.0.13:8080/"), Node(B, api: "http://10.0.0.12:8080/"), Node(A, api: "http://10.0.0.11:8080/") };
        var onA = Tracker(A, members);
        var onB = Tracker(B, members);
        onA.Answered(C, runsThere: false, T0);
        onA.Answered(B, runsThere: true, T0);
        onB.Answered(B, runsThere: true, T0);

        Assert.Equal(new ActiveSchedulerNode(false, new Uri("http://10.0.0.12:8080/"), null), onA.Decide(T0 + Lifetime));
        Assert.Equal(new ActiveSchedulerNode(true, null, null), onB.Decide(T0 + Lifetime));
        Assert.Equal([C, B, A], onA.Candidates());
    }

    [Fact]
    public void Until_a_singleton_answers_no_node_answers_and_a_standby_does_not_redirect_to_the_oldest()
    {
        var onB = Tracker(B, Node(A, api: "http://a/"), Node(B, api: "http://b/"));
        Assert.Equal(new ActiveSchedulerNode(false, null, "the scheduler has not answered on any node yet (it is starting, or moving to another node)"), onB.Decide(T0));

        // A's singleton is still starting: its answer is none, which says nothing about where it runs.
        onB.Answered(A, runsThere: false, T0);
        Assert.Null(onB.Decide(T0).Api);
        onB.Answered(A, runsThere: true, T0);
        Assert.Equal(new Uri("http://a/"), onB.Decide(T0).Api);
    }

    [Fact]
    public void An_answer_holds_until_its_node_says_the_singleton_is_gone_leaves_for_good_or_it_grows_old()
    {
        var onB = Tracker(B, Node(A, api: "http://a/"), Node(B, api: "http://b/"), Node(C, MemberStatus.Joining, api: "http://c/"));
        onB.Answered(A, runsThere: true, T0);

        // Another node's answer of none, or membership changing elsewhere (C up), leaves it.
        onB.Answered(C, runsThere: false, T0);
        onB.Members([Node(A, api: "http://a/"), Node(B, api: "http://b/"), Node(C, api: "http://c/")]);
        Assert.Equal(new Uri("http://a/"), onB.Decide(T0).Api);

        // A leaving still runs it until it has handed over; then A answers none.
        onB.Members([Node(A, MemberStatus.Leaving, api: "http://a/"), Node(B, api: "http://b/"), Node(C, api: "http://c/")]);
        Assert.Equal(new Uri("http://a/"), onB.Decide(T0).Api);
        onB.Answered(A, runsThere: false, T0);
        Assert.True(onB.Decide(T0).Why?.StartsWith("the scheduler has not answered on any node yet", StringComparison.Ordinal));

        // Removed (or downed) before it said so.
        onB.Answered(A, runsThere: true, T0);
        onB.Members([Node(A, MemberStatus.Down, api: "http://a/"), Node(B, api: "http://b/")]);
        Assert.Null(onB.Decide(T0).Api);
        onB.Members([Node(B, api: "http://b/")]);
        Assert.False(onB.Known(T0));

        // An answer older than its lifetime, this node's own included, no longer counts.
        onB.Answered(B, runsThere: true, T0);
        Assert.True(onB.Decide(T0 + Lifetime).IsSelf);
        Assert.False(onB.Decide(T0 + Lifetime + TimeSpan.FromMilliseconds(1)).IsSelf);
        Assert.False(onB.Known(T0 + Lifetime + TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void This_nodes_own_singleton_counts_whatever_its_membership_says()
    {
        // Leaving, or not yet seen Up by its own view: the singleton answered in this process, so it runs here.
        var onA = Tracker(A, Node(A, MemberStatus.Leaving, api: "http://a/"), Node(B, api: "http://b/"));
        onA.Answered(A, runsThere: true, T0);
        Assert.True(onA.Decide(T0).IsSelf);
        Assert.DoesNotContain(A, Tracker(A, Node(A, MemberStatus.Joining), Node(B)).Candidates());
    }

    [Fact]
    public void No_node_answers_while_none_is_up_the_active_one_is_unreachable_or_advertises_no_api()
    {
        Assert.Equal("no scheduler node is up in the cluster yet", Tracker(A, Node(A, MemberStatus.Joining)).Decide(T0).Why);
        Assert.Equal("no scheduler node is up in the cluster yet", Tracker(A).Decide(T0).Why);

        var unreachable = Tracker(B, Node(A, reachable: false, api: "http://a/"), Node(B, api: "http://b/"));
        unreachable.Answered(A, runsThere: true, T0);
        Assert.Equal("the active node akka.tcp://actorscheduler@10.0.0.11:25520 is unreachable, and another takes over once it is downed", unreachable.Decide(T0).Why);
        Assert.Equal([B], unreachable.Candidates());

        var noApi = Tracker(B, Node(A), Node(B, api: "http://b/"));
        noApi.Answered(A, runsThere: true, T0);
        Assert.Equal("the active node akka.tcp://actorscheduler@10.0.0.11:25520 advertises no API", noApi.Decide(T0).Why);
    }

    [Fact]
    public void A_node_advertises_its_api_as_its_member_role()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(new SchedulerClusterOptions { Port = 25520 }, new Uri("http://10.0.0.11:8080/")));
        Assert.Equal(["api:http://10.0.0.11:8080/"], config.GetStringList("akka.cluster.roles"));

        var none = Akka.Configuration.ConfigurationFactory.ParseString(SchedulerCluster.Hocon(new SchedulerClusterOptions { Port = 25520 }));
        Assert.Empty(none.GetStringList("akka.cluster.roles"));
    }

    [Theory]
    [InlineData("http://10.0.0.11:8080/", "/v1/plans/deploy", "", "http://10.0.0.11:8080/v1/plans/deploy")]
    [InlineData("http://10.0.0.11:8080/", "/v2/debug/offers", "?pod=hello-0&limit=5", "http://10.0.0.11:8080/v2/debug/offers?pod=hello-0&limit=5")]
    [InlineData("https://sched.example/node1/", "/v1/service/a__b/plans", "?x=%20y", "https://sched.example/node1/v1/service/a__b/plans?x=%20y")]
    [InlineData("http://10.0.0.11:8080/", "/v1/pod/a b/status", "", "http://10.0.0.11:8080/v1/pod/a%20b/status")]
    public void The_location_is_the_active_base_url_then_the_same_path_and_query(string api, string path, string query, string location) =>
        Assert.Equal(location, ActiveSchedulerNode.Location(new Uri(api), new PathString(path), new QueryString(query.Length == 0 ? null : query)));

    [Theory]
    [InlineData("http://10.0.0.11:8080", "http://10.0.0.11:8080/")]
    [InlineData("https://sched.example/node1", "https://sched.example/node1/")]
    [InlineData("http://[::1]:8080/", "http://[::1]:8080/")]
    public void An_advertise_url_is_an_absolute_http_url_ending_in_a_slash(string text, string url)
    {
        Assert.Equal(new Uri(url), ActiveSchedulerNode.ParseAdvertiseUrl(text, "--api-advertise-url", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("10.0.0.11:8080")]
    [InlineData("ftp://10.0.0.11/")]
    [InlineData("/relative")]
    [InlineData("http://10.0.0.11:8080/?a=1")]
    [InlineData("http://10.0.0.11:8080/#top")]
    [InlineData("")]
    public void A_malformed_advertise_url_is_refused_saying_what_is_expected(string text)
    {
        Assert.Null(ActiveSchedulerNode.ParseAdvertiseUrl(text, "--api-advertise-url", out var error));
        Assert.Equal($"--api-advertise-url expects the http:// or https:// URL other machines reach this node's API at, such as http://10.0.0.11:8080/ (no query), got '{text}'", error);
    }

    [Fact]
    public async Task A_standby_answers_307_to_the_active_node_and_503_with_retry_after_while_there_is_none()
    {
        var node = new ActiveSchedulerNode(false, new Uri("http://10.0.0.11:8080/"), null);
        await using var app = await StartAsync(a => a.UseActiveNodeRedirect(() => node), a => a.MapGet("/v1/plans", () => "served here"));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.Single()) };

        using (var redirected = await http.PostAsync("v1/service/hello/plans/deploy/start?phase=p1", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
            Assert.Equal(new Uri("http://10.0.0.11:8080/v1/service/hello/plans/deploy/start?phase=p1"), redirected.Headers.Location);
        }

        node = new ActiveSchedulerNode(false, null, "the active node akka.tcp://actorscheduler@10.0.0.11:25520 is unreachable, and another takes over once it is downed");
        using (var none = await http.GetAsync("v1/plans"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), none.Headers.RetryAfter?.Delta);
            using var body = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
            Assert.Equal(
                "No active scheduler node to answer: the active node akka.tcp://actorscheduler@10.0.0.11:25520 is unreachable, and another takes over once it is downed; the scheduler may be moving to another node of the cluster, try again in a few seconds",
                body.RootElement.GetProperty("message").GetString());
        }

        node = new ActiveSchedulerNode(true, null, null);
        Assert.Equal("served here", await http.GetStringAsync("v1/plans"));
    }

    [Fact]
    public async Task An_embedding_applications_api_redirects_by_its_actor_systems_decision_read_at_each_request()
    {
        using var system = ActorSystem.Create("embedding", "akka.loglevel = OFF");
        await using var app = await StartAsync(
            a => a.UseActiveSchedulerNodeRedirect(), a => a.MapGet("/v1/plans", () => "served here"), services => services.AddSingleton(system));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.Urls.Single()) };

        // A standby: the decision the node's watcher published.
        ActiveNodes.Get(system).Publish(new ActiveSchedulerNode(false, new Uri("http://10.0.0.11:8080/"), null));
        using (var redirected = await http.GetAsync("v1/plans?verbose=true"))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
            Assert.Equal(new Uri("http://10.0.0.11:8080/v1/plans?verbose=true"), redirected.Headers.Location);
        }

        ActiveNodes.Get(system).Publish(new ActiveSchedulerNode(true, null, null));
        Assert.Equal("served here", await http.GetStringAsync("v1/plans"));
    }

    [Fact]
    public async Task The_cli_client_follows_a_307_with_the_same_method_body_and_token()
    {
        // The active node echoes what reached it; the standby redirects everything there.
        await using var active = await StartAsync(_ => { }, a =>
        {
            a.MapGet("/v1/plans/deploy", (HttpRequest r) => Results.Json(new { method = r.Method, auth = r.Headers.Authorization.ToString() }));
            a.MapPost("/v1/plans/deploy/start", async (HttpRequest r) =>
                Results.Json(new { method = r.Method, auth = r.Headers.Authorization.ToString(), body = await new StreamReader(r.Body).ReadToEndAsync() }));
        });
        var activeNode = new ActiveSchedulerNode(false, new Uri(active.Urls.Single() + "/"), null);
        await using var standby = await StartAsync(a => a.UseActiveNodeRedirect(() => activeNode), _ => { });
        ApiClient.TokenOverride.Value = "s3cret";
        using var client = await ApiClient.CreateAsync(standby.Urls.Single(), TextWriter.Null);

        var got = await client!.GetAsync("v1/plans/deploy", TextWriter.Null, CancellationToken.None);
        var posted = await client.PostAsync("v1/plans/deploy/start", new { phase = "p1" }, TextWriter.Null, CancellationToken.None);

        Assert.Equal(200, got!.StatusCode);
        Assert.Equal("""{"method":"GET","auth":"Bearer s3cret"}""", got.Body.GetRawText());
        Assert.Equal(200, posted!.StatusCode);
        Assert.Equal(("POST", "Bearer s3cret", """{"phase":"p1"}"""), (posted.Body.GetProperty("method").GetString(), posted.Body.GetProperty("auth").GetString(), posted.Body.GetProperty("body").GetString()));
    }

    private static async Task<WebApplication> StartAsync(
        Action<WebApplication> middleware, Action<WebApplication> endpoints, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{SchedulerProcess.FreePort()}");
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        middleware(app);
        endpoints(app);
        await app.StartAsync();
        return app;
    }
}
