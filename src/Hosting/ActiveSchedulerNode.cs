using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActorScheduler.Hosting;

/// <summary>One cluster member as <see cref="ActiveNodeTracker"/> sees it.</summary>
internal readonly record struct ClusterNode(Address Address, MemberStatus Status, bool Reachable, IEnumerable<string> Roles);

/// <summary>
/// Which node answers the API: the one whose scheduler singleton answered this node's last <c>Identify</c>
/// (<see cref="ActiveNodeTracker"/>). Its answers never cross nodes (they would go as Akka's JSON), so a standby node
/// redirects to the active node's API instead of proxying, as a Mesos master that is not the leader does. An embedding
/// application reads it with <see cref="ActorSchedulerHostingExtensions.GetActiveSchedulerNode"/>.
/// </summary>
/// <param name="IsSelf">The scheduler runs on this node: ask <see cref="SchedulerRegistryKeys.Scheduler"/> here, and
/// serve the API here.</param>
/// <param name="Api">The active node's advertised API base URL when it is another node: send clients there.</param>
/// <param name="Why">Why no node can answer now (the scheduler starting or moving, the active node unreachable or
/// advertising no API); null when one can.</param>
public sealed record ActiveSchedulerNode(bool IsSelf, Uri? Api, string? Why)
{
    /// <summary>The prefix of the member role that advertises a node's API base URL: <c>api:http://host:port/</c>.</summary>
    internal const string RolePrefix = "api:";

    /// <summary>The member role advertising <paramref name="api"/>.</summary>
    internal static string Role(Uri api) => RolePrefix + api.AbsoluteUri;

    /// <summary>
    /// Parses <c>--api-advertise-url</c>: an absolute http(s) URL without query or fragment, returned ending in '/'; null
    /// with why in <paramref name="error"/> when it is none.
    /// </summary>
    internal static Uri? ParseAdvertiseUrl(string text, string name, out string? error)
    {
        error = null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0
            && url.Query.Length == 0 && url.Fragment.Length == 0 && url.UserInfo.Length == 0)
        {
            return url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }

        error = $"{name} expects the http:// or https:// URL other machines reach this node's API at, such as http://10.0.0.11:8080/ (no query), got '{text}'";
        return null;
    }

    /// <summary>Where a request to this node goes on the active node: its base URL, then the same path and query.</summary>
    internal static string Location(Uri api, PathString path, QueryString query) =>
        api.AbsoluteUri.TrimEnd('/') + path.ToUriComponent() + query.ToUriComponent();

    /// <summary>Seconds a client waits before it asks again while no node can answer.</summary>
    internal const int RetryAfterSeconds = 2;
}

/// <summary>The API middleware of a clustered node.</summary>
internal static class ActiveSchedulerNodeApi
{
    /// <summary>
    /// A standby node answers every request with <c>307 Temporary Redirect</c> to the same path and query on the active
    /// node's API (a 307 keeps the method and body), and <c>503</c> with <c>Retry-After</c> while no node can answer; the
    /// active node serves. Call before the service prefix is stripped, so the redirect keeps the path the client asked for.
    /// </summary>
    internal static IApplicationBuilder UseActiveNodeRedirect(this IApplicationBuilder app, Func<ActiveSchedulerNode> active) => app.Use(async (context, next) =>
    {
        var node = active();
        if (node.IsSelf)
        {
            await next(context);
            return;
        }

        if (node.Api is { } api)
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = ActiveSchedulerNode.Location(api, context.Request.PathBase.Add(context.Request.Path), context.Request.QueryString);
            return;
        }

        context.Response.Headers.RetryAfter = ActiveSchedulerNode.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await Results.Json(
                new { message = $"No active scheduler node to answer: {node.Why}; the scheduler may be moving to another node of the cluster, try again in a few seconds" },
                statusCode: StatusCodes.Status503ServiceUnavailable)
            .ExecuteAsync(context);
    });
}
