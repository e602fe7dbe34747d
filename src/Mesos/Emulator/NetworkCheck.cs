using System.Net;
using System.Net.Sockets;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The result of one check run: the status it produced, or null when the check could not be performed (it timed out,
/// could not start, the HTTP request failed), with a message for the log and the health update.
/// </summary>
internal readonly record struct CheckRunResult(CheckStatusInfo? Status, string Message);

/// <summary>
/// HTTP and TCP checks as Mesos' checkers run them (with <c>curl</c> and <c>mesos-tcp-connect</c>): a GET to
/// <c>scheme://127.0.0.1:port/path</c> (<c>[::1]</c> for IPv6) that follows redirects and accepts any certificate,
/// whose final status code is the result; a TCP connect to <c>127.0.0.1:port</c> whose success is the result. Tasks
/// on the local agents share the host's network, so the task's port is the host's. A run never throws: a failed
/// request is a result without status (as a failed <c>curl</c> is), a refused connection is <c>succeeded: false</c>.
/// </summary>
internal static class NetworkCheck
{
    // One client for every agent: no pooled connections (each check opens its own, as curl does), no client timeout
    // (the check's timeout cancels the run).
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The URL an HTTP check GETs: <c>http</c> unless the scheme says otherwise, the path as given.</summary>
    public static string Url(string? scheme, bool ipv6, uint port, string? path) =>
        $"{(string.IsNullOrEmpty(scheme) ? "http" : scheme)}://{(ipv6 ? "[::1]" : "127.0.0.1")}:{port}{path}";

    public static async Task<CheckRunResult> HttpAsync(string url, CancellationToken cancel)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return new CheckRunResult(new CheckStatusInfo { Type = CheckInfo.Types.Type.Http, Http = new CheckStatusInfo.Types.Http { StatusCode = (uint)code } },
                $"HTTP GET {url} returned {code}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or UriFormatException or InvalidOperationException)
        {
            return new CheckRunResult(null, $"HTTP GET {url} failed: {e.Message}");
        }
    }

    public static async Task<CheckRunResult> TcpAsync(bool ipv6, uint port, CancellationToken cancel)
    {
        if (port > IPEndPoint.MaxPort)
        {
            return Tcp(false, $"port {port} is out of range");
        }

        try
        {
            using var socket = new Socket(ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, (int)port, cancel).ConfigureAwait(false);
            return Tcp(true, "TCP connection succeeded");
        }
        catch (SocketException e)
        {
            return Tcp(false, e.Message);
        }
        catch (OperationCanceledException)
        {
            return new CheckRunResult(null, "TCP connection was cancelled");
        }
    }

    private static CheckRunResult Tcp(bool succeeded, string message) =>
        new(new CheckStatusInfo { Type = CheckInfo.Types.Type.Tcp, Tcp = new CheckStatusInfo.Types.Tcp { Succeeded = succeeded } }, message);
}
