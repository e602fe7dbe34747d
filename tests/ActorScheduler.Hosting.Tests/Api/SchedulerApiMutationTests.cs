using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Tests.Shared;
using Akka.Actor;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary>
/// Property: whatever an operator's script sends the scheduler's HTTP API — mutated paths, plan, phase, step and pod
/// names, query parameters, bodies of plan commands, updates, pod commands and state files — the answer is a 2xx, or a
/// 4xx with a JSON message, never a 5xx; and a refused request leaves what operators control unchanged (the target
/// configuration, each plan's and phase's interruption, each plan's parameters). Against the real scheduler (hello-world
/// deployed in process, <see cref="InProcessScheduler"/>) through the real endpoints (<see cref="ApiUnderTest"/>).
/// </summary>
public sealed class SchedulerApiMutationTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("api-mutations").FullName;
    private InProcessScheduler _scheduler = null!;
    private ApiUnderTest _api = null!;

    public async Task InitializeAsync()
    {
        _scheduler = await InProcessScheduler.StartAsync(_dir);
        await _scheduler.WaitUntilAsync(_scheduler.DeployCompleteAsync, "hello-world is deployed");
        _api = await ApiUnderTest.StartAsync(() => _scheduler.Root, timeout: TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _scheduler.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Mutated_requests_get_a_2xx_or_a_4xx_with_a_json_message_and_refused_ones_change_nothing()
    {
        var seed = Mutations.Seed(3621);
        var random = new Random(seed);
        var requests = await ValidRequestsAsync();
        var accepted = new Queue<string>();
        for (var i = 0; i < Mutations.Iterations(2_000); i++)
        {
            var valid = requests[random.Next(requests.Count)];
            var request = valid.Body is not null && random.Next(2) == 0
                ? valid with { Body = Mutations.Mutate(valid.Body, random) }
                : valid with { Path = Mutations.Mutate(valid.Path, random) };
            // A path the client cannot send, one that leaves the server ("//host/…", "http:…"), or one Kestrel refuses
            // before any of ours runs (a NUL, "%00" or escaped by the client: a bare 400 from the HTTP parser, which no
            // middleware sees) is no request to the API.
            if (!Uri.TryCreate(_api.Http.BaseAddress, request.Path, out var uri) || uri.Authority != _api.Http.BaseAddress!.Authority
                || uri.Scheme != Uri.UriSchemeHttp || Uri.UnescapeDataString(uri.AbsolutePath).Contains('\0'))
            {
                continue;
            }

            var before = request.Method == HttpMethod.Get ? null : await OperatorStateAsync();
            int status;
            string text;
            try
            {
                (status, text) = await SendAsync(request.Method, uri, request.Body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                (status, text) = (0, $"no answer: {e.GetType().Name}: {e.Message}");
            }

            var problem = status switch
            {
                >= 200 and < 300 => null,
                _ when IsHealth(uri, status, text) => null,
                >= 400 and < 500 => IsJsonError(text) ? null : $"answered {status} without a JSON message or errors: {Mutations.Show(text)}",
                _ => $"answered {status} {Mutations.Show(text)}",
            };
            if (problem is null && status >= 400 && before is not null && await OperatorStateAsync() is var after && after != before)
            {
                problem = $"answered {status} '{text}' but changed what operators control:\nbefore: {before}\nafter:  {after}";
            }

            if (problem is null && status < 300 && request.Method != HttpMethod.Get)
            {
                accepted.Enqueue($"#{i} {request.Method} {Mutations.Show(request.Path)}{(request.Body is null ? string.Empty : " " + Mutations.Show(request.Body))} -> {status}");
                if (accepted.Count > 3)
                {
                    accepted.Dequeue();
                }
            }

            if (problem is not null && status == 0)
            {
                problem += $"\nthe last requests that changed something: {string.Join("\n", accepted)}";
            }

            if (problem is not null)
            {
                throw Mutations.Failure($"{valid.Method} /{valid.Path} mutated", seed, i, problem,
                    request.Body is null ? Mutations.Show(request.Path) : $"{Mutations.Show(request.Path)} with body {Mutations.Show(request.Body)}");
            }
        }
    }

    private async Task<(int Status, string Text)> SendAsync(HttpMethod method, Uri uri, string? body)
    {
        using var message = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            message.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var answer = await _api.Http.SendAsync(message);
        return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Whether the answer is <c>/v1/health</c>'s: its status code is the service's health by the DC/OS contract (318
    /// INITIALIZING, 500 ERROR_CREATING_SERVICE once a refused update put errors on the deploy plan, …), said again in
    /// the body's <c>value</c>.
    /// </summary>
    private static bool IsHealth(Uri uri, int status, string text)
    {
        if (uri.AbsolutePath != "/v1/health")
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("value", out var value) && value.TryGetInt32(out var code) && code == status;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A JSON object with a <c>message</c>, or the <c>errors</c> of a plan or update answered 417 by the DC/OS contract.</summary>
    private static bool IsJsonError(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && ((root.TryGetProperty("message", out var message) && !string.IsNullOrWhiteSpace(message.GetString()))
                    || (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What operators control, as one comparable line: the target, and each plan's interruptions and parameters.</summary>
    private async Task<string> OperatorStateAsync()
    {
        var configs = await _scheduler.Root.Ask<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance, TimeSpan.FromSeconds(10));
        var names = await _scheduler.Root.Ask<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance, TimeSpan.FromSeconds(10));
        var plans = new List<string>();
        foreach (var name in names.Names)
        {
            if (await _scheduler.Root.Ask<object>(new PlanProtocol.GetPlan(name), TimeSpan.FromSeconds(10)) is PlanInfo plan)
            {
                var parameters = (plan.Parameters ?? ImmutableDictionary<string, string>.Empty).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}");
                plans.Add($"{plan.Name}{(plan.Interrupted ? " interrupted" : string.Empty)} [{string.Join(",", parameters)}] " +
                    string.Join(" ", plan.Phases.Where(p => p.Interrupted).Select(p => $"{p.Name} interrupted")));
            }
        }

        return $"target {configs.TargetId}; {string.Join("; ", plans)}";
    }

    /// <summary>A valid request to each endpoint, about the deployed service's own plans, phases, steps, pods and config.</summary>
    private async Task<List<Request>> ValidRequestsAsync()
    {
        var target = (await _scheduler.Root.Ask<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance, TimeSpan.FromSeconds(10))).TargetId;
        var config = await _scheduler.Root.Ask<object>(new ConfigProtocol.GetConfiguration(null), TimeSpan.FromSeconds(10)) as ConfigProtocol.Configuration;
        var submission = JsonSerializer.Serialize(new { spec = config!.RenderedYaml, source = "svc.yml", env = new Dictionary<string, string> { ["TASKCFG_ALL_X"] = "1" } });
        const string Step = "hello-0%3A%5Bserver%5D";
        return
        [
            new(HttpMethod.Get, "v1/plans"),
            new(HttpMethod.Get, "v1/plans/deploy"),
            new(HttpMethod.Get, "v1/debug/plans"),
            new(HttpMethod.Get, "v1/plan"),
            new(HttpMethod.Get, "v1/configurations"),
            new(HttpMethod.Get, "v1/configurations/targetId"),
            new(HttpMethod.Get, $"v1/configurations/{target}"),
            new(HttpMethod.Get, $"v1/artifacts/template/{target}/hello/server/config"),
            new(HttpMethod.Get, "v1/health?verbose=true"),
            new(HttpMethod.Get, "v1/state/frameworkId"),
            new(HttpMethod.Get, "v1/debug/reservations"),
            new(HttpMethod.Get, "v1/debug/taskStatuses"),
            new(HttpMethod.Get, "v1/state/zone/tasks/hello-0-server"),
            new(HttpMethod.Get, "v1/state/zone/hello/127.0.0.1"),
            new(HttpMethod.Get, "v1/state/properties/suppressed"),
            new(HttpMethod.Get, "v1/state/files/notes"),
            new(HttpMethod.Get, "v1/pod/status"),
            new(HttpMethod.Get, "v1/pod/hello-0/status"),
            new(HttpMethod.Get, "v1/pod/hello-0/info"),
            new(HttpMethod.Get, "v1/metrics"),
            new(HttpMethod.Get, "v1/endpoints/hello"),
            new(HttpMethod.Get, $"v2/debug/offers?pod=hello-0&limit=5"),
            new(HttpMethod.Get, $"v2/debug/offers?plan=deploy&phase=hello&step={Step}&limit=5"),
            new(HttpMethod.Post, "v1/plans/deploy/start", "{\"HELLO_COUNT\":\"1\",\"NOTE\":\"x\"}"),
            new(HttpMethod.Post, "v1/plans/deploy/interrupt?phase=hello"),
            new(HttpMethod.Post, "v1/plans/deploy/continue?phase=hello"),
            new(HttpMethod.Post, $"v1/plans/deploy/forceComplete?phase=hello&step={Step}"),
            new(HttpMethod.Post, $"v1/plans/deploy/restart?phase=hello&step={Step}"),
            new(HttpMethod.Post, "v1/plan/continue?phase=world"),
            new(HttpMethod.Post, "v1/update/start", submission),
            new(HttpMethod.Post, "v1/update/rollback?to=1"),
            new(HttpMethod.Post, "v1/pod/hello-0/pause", "[\"server\"]"),
            new(HttpMethod.Post, "v1/pod/hello-0/resume", "[\"server\"]"),
            new(HttpMethod.Post, "v1/pod/world-0/restart"),
            new(HttpMethod.Put, "v1/state/files/notes", "{\"note\":\"x\"}"),
            new(HttpMethod.Put, "v1/state/refresh"),
        ];
    }

    private sealed record Request(HttpMethod Method, string Path, string? Body = null);
}
