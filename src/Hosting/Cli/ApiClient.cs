using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// How CLI commands talk to a running scheduler's HTTP API: one place for the <c>--api</c> URL check, the timeout,
/// and the one-line error when the scheduler cannot be reached (exit code 2).
/// </summary>
internal sealed class ApiClient : IDisposable
{
    /// <summary>Exit code of a command whose scheduler is unreachable or whose <c>--api</c> is not a URL.</summary>
    public const int Unreachable = 2;

    /// <summary>Environment variable holding the scheduler's API token (sent as a bearer token when set).</summary>
    public const string TokenVariable = "ACTORSCHEDULER_API_TOKEN";

    /// <summary>How long a command waits for an answer before it says there was none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>A shorter wait for the clients created in this async flow (tests of a scheduler that never answers).</summary>
    internal static readonly AsyncLocal<TimeSpan?> TimeoutOverride = new();

    /// <summary>The token of the clients created in this async flow, in place of <see cref="TokenVariable"/> (tests).</summary>
    internal static readonly AsyncLocal<string?> TokenOverride = new();

    private readonly HttpClient _http;

    private ApiClient(Uri baseUrl)
    {
        BaseUrl = baseUrl;
        // Redirects are followed here, not by the handler: it would drop the bearer token on the way (and a standby node
        // of a cluster redirects every call, writes included, to the active node).
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = baseUrl, Timeout = TimeoutOverride.Value ?? DefaultTimeout };
        if ((TokenOverride.Value ?? System.Environment.GetEnvironmentVariable(TokenVariable)) is { Length: > 0 } token)
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUrl { get; }

    /// <summary>A client for <paramref name="api"/>, or null (after one line on <paramref name="error"/>) when it is no http URL.</summary>
    public static async Task<ApiClient?> CreateAsync(string api, TextWriter error)
    {
        if (!Uri.TryCreate(api.EndsWith('/') ? api : api + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"error: --api expects an http:// URL such as http://127.0.0.1:8080, got '{api}'");
            return null;
        }

        return new ApiClient(baseUrl);
    }

    /// <summary>
    /// GETs <paramref name="path"/> from the scheduler at <paramref name="api"/> for a command that needs a 200: its body,
    /// or the command's exit code after one line on <paramref name="error"/> (2 unreachable or a bad URL, 1 any other
    /// answer, with the API's message).
    /// </summary>
    public static async Task<(int? Exit, JsonElement Body)> GetOkAsync(string api, string path, TextWriter error, CancellationToken ct)
    {
        using var client = await CreateAsync(api, error);
        var answer = client is null ? null : await client.GetAsync(path, error, ct);
        if (answer is null)
        {
            return (Unreachable, default);
        }

        if (answer.StatusCode != 200)
        {
            await error.WriteLineAsync($"error: {answer.Failure}");
            return (1, default);
        }

        return (null, answer.Body);
    }

    /// <summary>GET a JSON answer; null (after one line on <paramref name="error"/>) when the scheduler cannot be reached.</summary>
    public Task<ApiAnswer?> GetAsync(string path, TextWriter error, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), error, ct);

    /// <summary>POST <paramref name="json"/> (or nothing) and read the JSON answer.</summary>
    public Task<ApiAnswer?> PostAsync(string path, object? json, TextWriter error, CancellationToken ct) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = json is null ? null : new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json"),
            },
            error,
            ct);

    /// <summary>PUT without a body and read the JSON answer.</summary>
    public Task<ApiAnswer?> PutAsync(string path, TextWriter error, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, path), error, ct);

    /// <summary>Redirects followed at most, so that two nodes each naming the other as active do not loop.</summary>
    internal const int MaxRedirects = 5;

    /// <summary>
    /// Sends <paramref name="request"/> and follows a <c>307</c>/<c>308</c> (a standby node of a clustered scheduler sends
    /// every call to the active node's API that way) with the same method, body and token; the request answered last.
    /// </summary>
    private async Task<(HttpRequestMessage Sent, HttpResponseMessage Response)> SendFollowingAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var sent = request;
        var response = await _http.SendAsync(sent, ct);
        for (var hops = 0; hops < MaxRedirects && response.StatusCode is System.Net.HttpStatusCode.TemporaryRedirect or System.Net.HttpStatusCode.PermanentRedirect
                           && response.Headers.Location is { } location; hops++)
        {
            var from = sent.RequestUri!.IsAbsoluteUri ? sent.RequestUri : new Uri(BaseUrl, sent.RequestUri);
            response.Dispose();

            // The body is the first request's (buffered, so it can go again), disposed with it; a request holds nothing else.
            sent = new HttpRequestMessage(request.Method, new Uri(from, location)) { Content = request.Content };
            response = await _http.SendAsync(sent, ct);
        }

        return (sent, response);
    }

    private async Task<ApiAnswer?> SendAsync(HttpRequestMessage request, TextWriter error, CancellationToken ct)
    {
        try
        {
            using (request)
            {
                var (sent, response) = await SendFollowingAsync(request, ct);
                using (response)
                {
                    var asked = new ApiRequest(sent.Method, sent.RequestUri!, (int)response.StatusCode, response.ReasonPhrase);
                    if (response.Content.Headers.ContentLength == 0)
                    {
                        return new ApiAnswer(asked, default);
                    }

                    var type = response.Content.Headers.ContentType?.MediaType;
                    if (type is not null && type != "application/json" && !type.EndsWith("+json", StringComparison.Ordinal))
                    {
                        await error.WriteLineAsync(NotTheScheduler(sent, response, $"{type}, not JSON"));
                        return null;
                    }

                    try
                    {
                        return new ApiAnswer(asked, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
                    }
                    catch (JsonException)
                    {
                        await error.WriteLineAsync(NotTheScheduler(sent, response, "a body that is no valid JSON"));
                        return null;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C: the command is cancelled (exit 130), nothing failed.
            throw;
        }
        catch (TaskCanceledException)
        {
            await error.WriteLineAsync($"error: {request.Method} {new Uri(BaseUrl, request.RequestUri!)}: no answer within {_http.Timeout.TotalSeconds:0.###} s; is the scheduler at {BaseUrl} overloaded or stuck? Try again");
            return null;
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                             or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            await error.WriteLineAsync($"error: cannot reach the scheduler at {BaseUrl}: {CommandGuard.OneLine(e.Message)}");
            return null;
        }
        catch (HttpRequestException e)
        {
            // Reached, but the answer did not come whole: the connection closed before or inside it, or it was no HTTP.
            await error.WriteLineAsync($"error: {request.Method} {new Uri(BaseUrl, request.RequestUri!)}: the scheduler at {BaseUrl} was reached but its answer broke off ({Innermost(e)}); is it stopping? Try again");
            return null;
        }
    }

    /// <summary>The message of the exception at the bottom (HttpClient's own, "An error occurred while sending the request.", says nothing).</summary>
    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return CommandGuard.OneLine(e.Message);
    }

    /// <summary>Something answered at <see cref="BaseUrl"/>, but not the scheduler's API (the Mesos master's port, a web server).</summary>
    private static string NotTheScheduler(HttpRequestMessage request, HttpResponseMessage response, string what) =>
        $"error: {request.Method} {request.RequestUri} answered HTTP {(int)response.StatusCode} with {what}: that is not the scheduler's API "
        + "(--api is the address its run printed on the 'api:' line, not the Mesos master's)";

    public void Dispose() => _http.Dispose();
}

/// <summary>What was asked and how the server answered it (status code and reason phrase), for the error line of a failure.</summary>
internal sealed record ApiRequest(HttpMethod Method, Uri Url, int StatusCode, string? Reason);

/// <summary>An API answer: HTTP status and JSON body (undefined when empty).</summary>
internal sealed record ApiAnswer(ApiRequest Request, JsonElement Body)
{
    public int StatusCode => Request.StatusCode;

    /// <summary>The <c>message</c> of a DC/OS-style answer, or the status code when there is none.</summary>
    public string Message => ApiMessage ?? $"HTTP {StatusCode}";

    /// <summary>
    /// The error line (without <c>error: </c>) of an answer the command does not take: a refusal (4xx) that carries the
    /// API's message is that message, which names what is wrong ("Plan nope not found", "Update refused; …"); a server
    /// failure (5xx) or an answer without a message names the status and the request, then the message if any.
    /// </summary>
    public string Failure =>
        StatusCode is >= 400 and < 500 && ApiMessage is { } refusal
            ? refusal
            : $"the scheduler answered {StatusCode}{(string.IsNullOrEmpty(Request.Reason) ? string.Empty : " " + Request.Reason)} to {Request.Method} {Request.Url}"
              + (ApiMessage is { } message ? ": " + message : string.Empty);

    private string? ApiMessage => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
        ? m.GetString()!
        : null;
}
