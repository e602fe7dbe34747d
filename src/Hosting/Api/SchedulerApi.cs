using System.Collections.Immutable;
using System.Text.Json;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Framework;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Specs;
using ActorScheduler.Messages.Offers;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Messages.State;
using ActorScheduler.Specs.Plans;
using Akka.Actor;
using Google.Protobuf;
using Status = ActorScheduler.Messages.Plans.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Api;

/// <summary>
/// The scheduler's HTTP API, with the DC/OS SDK's paths, JSON shapes and status codes (see README "HTTP API").
/// </summary>
public static class SchedulerApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An update waits longer than a query: the scheduler gives the config store 30 s to validate and store a spec and
    /// then answers either way (503 when the store did not answer), so the caller hears what happened.
    /// </summary>
    private static readonly TimeSpan UpdateTimeout = TimeSpan.FromSeconds(40);

    /// <summary>The debug views' JSON: snake_case keys, nulls left out.</summary>
    private static readonly JsonSerializerOptions SnakeCase = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The API's endpoints, answered by asking <paramref name="scheduler"/>.</summary>
    /// <param name="schedulerStopped">
    /// Cancelled once the scheduler stopped for good (<c>run</c> cancels it when the scheduler fails): a request waiting
    /// for an answer is then answered at once, 503 saying so, instead of at the end of its ask's timeout — a request the
    /// stopped scheduler had taken would hold the host's graceful stop for up to that long (10 s), and clustered the node's
    /// leaving, so the hand-over to a standby.
    /// </param>
    public static IEndpointRouteBuilder MapSchedulerApi(this IEndpointRouteBuilder app, Func<IActorRef> scheduler, CancellationToken schedulerStopped = default)
    {
        Task<T> AskAsync<T>(object message, TimeSpan? timeout = null) => AskSchedulerAsync<T>(scheduler(), message, timeout ?? AskTimeout, schedulerStopped);

        app.MapGet("/v1/plans", async () =>
        {
            var names = await AskAsync<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance);
            return Results.Json(names.Names);
        });

        async Task<IResult> GetPlanAsync(string plan) =>
            await AskAsync<object>(new PlanProtocol.GetPlan(plan)) switch
            {
                PlanInfo info => Results.Json(ToJson(info), statusCode: PlanStatusCode(info)),
                _ => Results.Json(new { message = $"Plan {plan} not found" }, statusCode: StatusCodes.Status404NotFound),
            };

        app.MapGet("/v1/plans/{plan}", GetPlanAsync);

        app.MapGet("/v1/debug/plans", async () =>
        {
            // Every plan in priority order, with its name (the per-plan answer carries none), in one call.
            var names = await AskAsync<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance);
            var plans = await Task.WhenAll(names.Names.Select(n => AskAsync<object>(new PlanProtocol.GetPlan(n))));
            return Results.Json(plans.OfType<PlanInfo>().Select(info => new { name = info.Name, plan = ToJson(info) }));
        });

        async Task<IResult> PlanCommandAsync(HttpRequest request, string plan, string command, string? phase, string? step)
        {
            if (!PlanCommands.TryParse(command, out var kind))
            {
                return Message(StatusCodes.Status404NotFound, $"Unknown plan command '{command}': expected start, stop, continue, interrupt, forceComplete or restart");
            }

            ImmutableDictionary<string, string>? parameters = null;
            if (kind == PlanCommandKind.Start)
            {
                var (values, error) = await ReadParametersAsync(request);
                if (error is not null)
                {
                    return Message(StatusCodes.Status400BadRequest, error);
                }

                parameters = values;
            }

            var result = await AskAsync<PlanProtocol.CommandResult>(new PlanProtocol.Command(plan, kind, phase, step, parameters));
            return Message(CommandStatusCode(result.Outcome), result.Message);
        }

        app.MapPost("/v1/plans/{plan}/{command}", PlanCommandAsync);

        // The DC/OS SDK's deprecated single-plan API: the deploy plan.
        app.MapGet("/v1/plan", () => GetPlanAsync(PlanGenerator.DeployPlanName));
        app.MapPost("/v1/plan/{command}", (HttpRequest request, string command, string? phase, string? step) =>
            PlanCommandAsync(request, PlanGenerator.DeployPlanName, command, phase, step));

        app.MapGet("/v1/configurations", async () =>
            Results.Json((await AskAsync<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance)).Ids));

        app.MapGet("/v1/configurations/targetId", async () =>
            (await AskAsync<ConfigProtocol.ConfigurationIds>(ConfigProtocol.GetConfigurations.Instance)).TargetId is { } id
                ? Results.Json(id)
                : Message(StatusCodes.Status404NotFound, "No target configuration yet"));

        app.MapGet("/v1/configurations/{id}", async (string id) =>
        {
            var answer = await AskAsync<object>(new ConfigProtocol.GetConfiguration(id == "target" ? null : id));
            if (answer is not ConfigProtocol.Configuration config)
            {
                return Message(StatusCodes.Status404NotFound, $"Configuration {id} not found");
            }

            var spec = ServiceSpecLoader.LoadRendered(config.RenderedYaml, config.Source, config.SchedulerEnvironment).Spec;
            return Results.Json(new { id = config.Id, target = config.IsTarget, source = config.Source, stored = config.StoredAt.ToString("O"), spec }, SpecJson.Options);
        });

        app.MapGet("/v1/artifacts/template/{configId}/{pod}/{task}/{configName}", async (string configId, string pod, string task, string configName) =>
        {
            if (await AskAsync<object>(new ConfigProtocol.GetConfiguration(configId)) is not ConfigProtocol.Configuration config)
            {
                return Message(StatusCodes.Status404NotFound, $"Configuration {configId} not found");
            }

            var spec = ServiceSpecLoader.LoadRendered(config.RenderedYaml, config.Source).Spec;
            if (spec?.FindPod(pod) is not { } podSpec)
            {
                return Message(StatusCodes.Status404NotFound, $"Pod {pod} not found in configuration {configId}");
            }

            if (podSpec.Tasks.FirstOrDefault(t => t.Name == task) is not { } taskSpec)
            {
                return Message(StatusCodes.Status404NotFound, $"Task {task} not found in pod {pod} of configuration {configId}");
            }

            if (taskSpec.Configs.FirstOrDefault(c => c.Name == configName) is not { } template)
            {
                return Message(StatusCodes.Status404NotFound, $"Config {configName} not found in task {task} of pod {pod} of configuration {configId}");
            }

            return config.ConfigTemplates.TryGetValue(template.Template, out var text)
                ? Results.Text(text, "text/plain; charset=utf-8")
                : Message(StatusCodes.Status404NotFound, $"Template {template.Template} of config {configName} was not stored with configuration {configId}");
        });

        app.MapPost("/v1/update/start", async (HttpRequest request) =>
        {
            var (submission, error) = await ReadSubmissionAsync(request);
            return submission is null
                ? Message(StatusCodes.Status400BadRequest, error!)
                : UpdateAnswer(await AskAsync<ConfigProtocol.UpdateResult>(submission, UpdateTimeout));
        });

        app.MapPost("/v1/update/rollback", async (string? to) =>
            UpdateAnswer(await AskAsync<ConfigProtocol.UpdateResult>(new ConfigProtocol.RollbackConfiguration(to), UpdateTimeout)));

        app.MapGet("/v1/health", async (string? verbose) =>
        {
            var (isVerbose, badVerbose) = QueryParameters.Flag("verbose", verbose);
            if (badVerbose is not null)
            {
                return Message(StatusCodes.Status400BadRequest, badVerbose);
            }

            // A scheduler that stopped for good has no plans to ask for: its condition says why.
            var condition = await AskAsync<SchedulerCondition>(GetSchedulerCondition.Instance);
            var plans = new List<PlanInfo>();
            if (condition.Failure is null)
            {
                var names = await AskAsync<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance);
                plans = (await Task.WhenAll(names.Names.Select(n => AskAsync<object>(new PlanProtocol.GetPlan(n))))).OfType<PlanInfo>().ToList();
            }

            var (health, reason) = ServiceHealth.Explain(plans, condition);

            // 204 (DEPLOYING_PENDING) and 205 (RECOVERING_STARTING) cannot carry a body: their status name (and, verbose, the
            // reason) go in headers. A body on 205 was sent as headers only, and the client waited for it for ever.
            if (health.Code is StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent)
            {
                return new NoContentWithHeader(health.Code, health.Name, isVerbose ? reason : null);
            }

            return isVerbose
                ? Results.Json(
                    new { value = health.Code, status = health.Name, reason, plans = plans.Select(p => new { name = p.Name, status = p.Status.ToWireName(), errors = p.Errors }) },
                    statusCode: health.Code)
                : condition.Failure is not null
                    ? Results.Json(new { value = health.Code, status = health.Name, reason }, statusCode: health.Code)
                    : Results.Json(new { value = health.Code, status = health.Name }, statusCode: health.Code);
        });

        app.MapGet("/v1/state/frameworkId", async () =>
            (await AskAsync<FrameworkIdentity>(GetFrameworkId.Instance)).FrameworkId is { } id
                ? Results.Json(id)
                : Message(StatusCodes.Status404NotFound, "Not registered with Mesos yet"));

        app.MapGet("/v1/debug/reservations", async () =>
            Results.Json(DebugViews.Reservations((await AskAsync<PodProtocol.AllPodInfo>(PodProtocol.GetAllPodInfo.Instance)).Pods), SnakeCase));

        app.MapGet("/v1/debug/taskStatuses", async () =>
            Results.Json(DebugViews.TaskStatuses((await AskAsync<PodProtocol.AllPodInfo>(PodProtocol.GetAllPodInfo.Instance)).Pods), SnakeCase));

        app.MapGet("/v1/debug/threads", async () =>
            Results.Text(DebugViews.Threads(await AskAsync<SchedulerRuntime>(GetSchedulerRuntime.Instance), ProcessRuntime.Now()), "text/plain; charset=utf-8"));

        app.MapGet("/v1/state/zone/tasks", async () =>
            Results.Json(DebugViews.TaskZones((await AskAsync<PodProtocol.AllPodInfo>(PodProtocol.GetAllPodInfo.Instance)).Pods)));

        app.MapGet("/v1/state/zone/tasks/{task}", async (string task) =>
            DebugViews.TaskZones((await AskAsync<PodProtocol.AllPodInfo>(PodProtocol.GetAllPodInfo.Instance)).Pods)
                .TryGetValue(task, out var zone)
                ? Results.Json(zone)
                : Message(StatusCodes.Status404NotFound, $"Task {task} not found, or its agent has no zone"));

        app.MapGet("/v1/state/zone/{pod}/{ip}", async (string pod, string ip) =>
            DebugViews.ZoneOf((await AskAsync<PodProtocol.AllPodInfo>(PodProtocol.GetAllPodInfo.Instance)).Pods, pod, ip) is { } zone
                ? Results.Json(zone)
                : Message(StatusCodes.Status404NotFound, $"No task of pod {pod} with a zone on an agent with IP or hostname {ip}"));

        app.MapGet("/v1/state/properties", async () =>
            Results.Json((await AskAsync<StateProtocol.Properties>(StateProtocol.GetProperties.Instance)).Values.Keys));

        app.MapGet("/v1/state/properties/{key}", async (string key) =>
            (await AskAsync<StateProtocol.Properties>(StateProtocol.GetProperties.Instance)).Values.TryGetValue(key, out var value)
                ? Results.Json(value)
                : Message(StatusCodes.Status404NotFound, $"Property {key} not found"));

        app.MapPut("/v1/state/refresh", async () =>
        {
            // The DC/OS SDK refreshed its state store cache here; our state is the actors', so refresh asks the master for
            // every known task's state (explicit reconciliation).
            await AskAsync<StateProtocol.ReconcileRequested>(StateProtocol.ReconcileTasks.Instance);
            return Message(StatusCodes.Status200OK, "Received cmd: refresh");
        });

        app.MapGet("/v1/state/files", async () =>
            Results.Json((await AskAsync<StateProtocol.FileNames>(StateProtocol.GetFiles.Instance)).Names));

        app.MapGet("/v1/state/files/{name}", async (string name) =>
            await AskAsync<object>(new StateProtocol.GetFile(name)) is StateProtocol.StoredFile file
                ? Results.Bytes(file.Content.ToByteArray(), file.ContentType)
                : Message(StatusCodes.Status404NotFound, $"File {name} not found"));

        app.MapPut("/v1/state/files/{name}", async (HttpRequest request, string name) =>
        {
            if (StateProtocol.ValidateFileName(name) is { } badName)
            {
                return Message(StatusCodes.Status400BadRequest, badName);
            }

            var (upload, error) = await ReadFileAsync(request);
            if (upload is null)
            {
                return Message(StatusCodes.Status400BadRequest, error!);
            }

            return await AskAsync<object>(new StateProtocol.StoreFile(name, upload.Value.ContentType, upload.Value.Content)) switch
            {
                StateProtocol.FileStored stored => Message(StatusCodes.Status200OK, $"Stored file {stored.Name} ({stored.Size} bytes)"),
                StateProtocol.FileRefused refused => Message(StatusCodes.Status400BadRequest, refused.Message),
                var other => Message(StatusCodes.Status500InternalServerError, $"unexpected answer {other}"),
            };
        });

        app.MapGet("/v1/pod", async () =>
        {
            var names = await AskAsync<PodProtocol.PodNames>(PodProtocol.GetPodNames.Instance);
            return Results.Json(names.Names);
        });

        app.MapGet("/v1/pod/status", async () =>
        {
            var status = await AskAsync<ServicePodStatus>(PodProtocol.GetPodStatus.Instance);
            return Results.Json(ToJson(status));
        });

        app.MapGet("/v1/pod/{name}/status", async (string name) =>
            await AskAsync<object>(new PodProtocol.GetPodInstanceStatus(name)) is PodInstanceStatus instance
                ? Results.Json(new { name = instance.Name, tasks = instance.Tasks.Select(TaskJson) })
                : Message(StatusCodes.Status404NotFound, $"Pod {name} not found"));

        app.MapGet("/v1/pod/{name}/info", async (string name) =>
        {
            if (await AskAsync<object>(new PodProtocol.GetPodInstanceInfo(name)) is not PodInstanceInfo info)
            {
                return Message(StatusCodes.Status404NotFound, $"Pod {name} not found");
            }

            // Mesos' own JSON (snake_case, enum names) for the task infos and statuses, as the DC/OS API serves them; the
            // bytes of VALUE secrets (TLS keys) left out.
            var items = info.Tasks.Select(t =>
                $"{{\"info\":{MesosCodec.JsonFormatter.Format(WithoutSecretValues(t.Info))},\"status\":{(t.Status is null ? "null" : MesosCodec.JsonFormatter.Format(t.Status))}}}");
            return Results.Content("[" + string.Join(",", items) + "]", "application/json");
        });

        app.MapPost("/v1/pod/{name}/{command}", async (HttpRequest request, string name, string command) =>
        {
            var tasks = ImmutableArray<string>.Empty;
            if (command is "pause" or "resume")
            {
                var (names, error) = await ReadTaskNamesAsync(request);
                if (error is not null)
                {
                    return Message(StatusCodes.Status400BadRequest, error);
                }

                tasks = names;
            }

            object? query = command switch
            {
                "restart" => new PodProtocol.RestartPod(name),
                "replace" => new PodProtocol.ReplacePod(name),
                "pause" => new PodProtocol.PausePod(name, tasks),
                "resume" => new PodProtocol.ResumePod(name, tasks),
                _ => null,
            };
            if (query is null)
            {
                return Message(StatusCodes.Status404NotFound, $"Unknown pod command '{command}': expected restart, replace, pause or resume");
            }

            return await AskAsync<object>(query) switch
            {
                PodProtocol.PodCommandDone done => Results.Json(new { pod = done.Pod, tasks = done.Tasks }),
                PodProtocol.PodCommandRefused refused => Message(StatusCodes.Status400BadRequest, refused.Message),
                _ => Message(StatusCodes.Status404NotFound, $"Pod {name} not found"),
            };
        });

        app.MapGet("/v1/metrics", async () =>
            Results.Json((await AskAsync<MetricsSnapshot>(GetMetrics.Instance)).ToJson()));
        app.MapGet("/v1/metrics/prometheus", async () =>
            Results.Text((await AskAsync<MetricsSnapshot>(GetMetrics.Instance)).ToPrometheus(), "text/plain; version=0.0.4; charset=utf-8"));

        app.MapGet("/v1/endpoints", async () => Results.Json((await EndpointsAsync(scheduler(), schedulerStopped)).Select(e => e.Name)));

        app.MapGet("/v1/endpoints/{name}", async (string name) =>
        {
            var endpoints = await EndpointsAsync(scheduler(), schedulerStopped);
            if (endpoints.FirstOrDefault(e => e.Name == name) is not { } endpoint)
            {
                // A typo is told what there is, as an unknown pod is.
                var known = endpoints.IsEmpty ? "none advertised" : "endpoints: " + string.Join(", ", endpoints.Select(e => e.Name));
                return Message(StatusCodes.Status404NotFound, $"Endpoint {name} not found ({known})");
            }

            return Results.Json(endpoint.Vip is null
                ? new { address = endpoint.Address, dns = endpoint.Dns }
                : (object)new { address = endpoint.Address, dns = endpoint.Dns, vip = endpoint.Vip });
        });

        app.MapGet("/v2/debug/offers", async (string? pod, string? limit, string? plan, string? phase, string? step) =>
        {
            var (count, badLimit) = QueryParameters.WholeNumber("limit", limit, 100);
            if (badLimit is not null)
            {
                return Message(StatusCodes.Status400BadRequest, badLimit);
            }

            if (pod is { Length: 0 })
            {
                // "pod=" (an unset variable in a script, say) names no pod: not every pod, nor an unknown one.
                return Message(StatusCodes.Status400BadRequest, "pod must name a pod instance (e.g. hello-0), not ''");
            }

            if (plan is null && phase is null && step is null)
            {
                var outcomes = await AskAsync<OfferOutcomes>(new OfferProtocol.GetOfferOutcomes(pod, count));
                if (pod is not null && outcomes.Summaries.IsEmpty)
                {
                    // Nothing evaluated for a pod instance the service does not have is a typo, not a wait.
                    var names = await AskAsync<PodProtocol.PodNames>(PodProtocol.GetPodNames.Instance);
                    if (!names.Names.Contains(pod))
                    {
                        return Message(StatusCodes.Status404NotFound, $"no pod instance {pod} (pods: {string.Join(", ", names.Names)})");
                    }
                }

                return Results.Json(ToJson(outcomes));
            }

            // Only the pods the plan's phase / step work on (the plan defaults to deploy).
            if (await AskAsync<object>(new PlanProtocol.GetPlan(plan ?? "deploy")) is not PlanInfo info)
            {
                return Message(StatusCodes.Status404NotFound, $"Plan {plan ?? "deploy"} not found");
            }

            var (pods, notFound) = DebugViews.PodsOf(info, phase, step);
            if (pods is null)
            {
                return Message(StatusCodes.Status404NotFound, notFound!);
            }

            var all = await AskAsync<OfferOutcomes>(new OfferProtocol.GetOfferOutcomes(pod, int.MaxValue));
            return Results.Json(ToJson(new OfferOutcomes(
                all.Summaries.Where(s => pods.Contains(s.PodInstance)).ToImmutableArray(),
                all.Outcomes.Where(o => pods.Contains(o.PodInstance)).Take(count).ToImmutableArray())));
        });

        return app;
    }

    /// <summary>Header carrying the health status name when the code (204, 205) allows no body.</summary>
    public const string HealthStatusHeader = "X-Service-Status";

    /// <summary>Header carrying the health reason of <c>?verbose=true</c> when the code (204, 205) allows no body.</summary>
    public const string HealthReasonHeader = "X-Service-Status-Reason";

    private sealed class NoContentWithHeader(int statusCode, string status, string? reason) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = statusCode;
            context.Response.Headers[HealthStatusHeader] = status;
            if (reason is not null)
            {
                context.Response.Headers[HealthReasonHeader] = reason;
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// An endpoint that throws answers with a JSON message as every other error does, never an empty body or a stack
    /// trace: 503 when the scheduler's actors did not answer in time (busy, or restarting after a failure: try again),
    /// 500 for anything else (logged with its stack). Call first, so it covers the other middleware too.
    /// </summary>
    /// <param name="clustered">The scheduler is a cluster singleton reached through a proxy: a 503 for no answer says that
    /// no active scheduler node answered, which is what it means while the singleton moves to another node.</param>
    public static IApplicationBuilder UseJsonErrors(this IApplicationBuilder app, bool clustered = false) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.ContentType is null &&
                context.Response.StatusCode is StatusCodes.Status400BadRequest or StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                // What routing answers without a body: no such path, a method the path does not take, a bad request line.
                var request = $"{context.Request.Method} {context.Request.Path}";
                var message = context.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => $"No such API path: {request}",
                    StatusCodes.Status405MethodNotAllowed => $"Method not allowed: {request}",
                    _ => $"Bad request: {request}",
                };
                await Results.Json(new { message }, statusCode: context.Response.StatusCode).ExecuteAsync(context);
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var (status, message) = e switch
            {
                // A request ASP.NET refuses (a body over its limit, a malformed one): its own 4xx.
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => (bad.StatusCode, bad.Message),
                AskTimeoutException when clustered => (StatusCodes.Status503ServiceUnavailable,
                    $"No active scheduler node answered in time ({e.Message}): the scheduler may be moving to another node of the cluster; try again in a few seconds"),
                AskTimeoutException => (StatusCodes.Status503ServiceUnavailable, $"The scheduler did not answer in time ({e.Message}); try again"),
                SchedulerFailedException => (StatusCodes.Status503ServiceUnavailable, $"The scheduler stopped: {e.Message}"),
                _ => (StatusCodes.Status500InternalServerError, $"The scheduler failed to answer: {e.GetType().Name}: {e.Message}"),
            };
            if (status == StatusCodes.Status500InternalServerError)
            {
                context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("ActorScheduler.Api")
                    .LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            context.Response.Clear();
            await Results.Json(new { message }, statusCode: status).ExecuteAsync(context);
        }
    });

    /// <summary>
    /// The DC/OS multi-service form of every path: <c>/v1/service/&lt;name&gt;/…</c> answers as <c>/v1/…</c> when
    /// <paramref name="serviceName"/> is the name (slashes written as <c>__</c>, as DC/OS sanitizes them); any other
    /// name is a 404 with a JSON message (one scheduler process runs one service). Call before routing.
    /// </summary>
    public static IApplicationBuilder UseServicePrefix(this IApplicationBuilder app, string serviceName)
    {
        var sanitized = Specs.Model.ServiceSpec.EscapeSlashes(serviceName);
        return app.Use(async (context, next) =>
        {
            const string Prefix = "/v1/service/";
            var path = context.Request.Path.Value ?? string.Empty;
            if (path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                var rest = path[Prefix.Length..];
                var slash = rest.IndexOf('/');
                var name = slash < 0 ? rest : rest[..slash];
                if (name != sanitized)
                {
                    await Results.Json(new { message = $"Service {name} not found: this scheduler runs {sanitized}" }, statusCode: StatusCodes.Status404NotFound)
                        .ExecuteAsync(context);
                    return;
                }

                context.Request.Path = "/v1" + (slash < 0 ? string.Empty : rest[slash..]);
            }

            await next(context);
        });
    }

    /// <summary>
    /// With a token, every call that changes something (any method but GET and HEAD) needs
    /// <c>Authorization: Bearer &lt;token&gt;</c>; others get 401 with a JSON message. Reads stay open.
    /// </summary>
    public static IApplicationBuilder UseApiToken(this IApplicationBuilder app, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return app;
        }

        var expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + token);
        return app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                await next(context);
                return;
            }

            var given = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString());
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Results.Json(new { message = "This call needs 'Authorization: Bearer <token>' with the scheduler's API token" }, statusCode: StatusCodes.Status401Unauthorized)
                    .ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    /// <summary>
    /// <paramref name="info"/> with the bytes of its VALUE secrets (the TLS artifacts of transport encryption, private
    /// keys among them) emptied, for the API to show; the same object when it has none.
    /// </summary>
    internal static Messages.MesosV1.TaskInfo WithoutSecretValues(Messages.MesosV1.TaskInfo info)
    {
        static bool HasValue(Messages.MesosV1.Secret? secret) => secret?.Value is { Data.IsEmpty: false };
        if (info.Container?.Volumes.Any(v => HasValue(v.Source?.Secret)) != true
            && info.Command?.Environment?.Variables.Any(v => HasValue(v.Secret)) != true)
        {
            return info;
        }

        var shown = info.Clone();
        foreach (var secret in (shown.Container?.Volumes.Select(v => v.Source?.Secret) ?? [])
            .Concat(shown.Command?.Environment?.Variables.Select(v => v.Secret) ?? [])
            .Where(HasValue))
        {
            secret!.Value.Data = Google.Protobuf.ByteString.Empty;
        }

        return shown;
    }

    /// <summary>
    /// <paramref name="scheduler"/>'s answer to <paramref name="message"/>; a <see cref="SchedulerFailedException"/> (503)
    /// once <paramref name="schedulerStopped"/> is cancelled, whether the ask was waiting or not yet sent.
    /// </summary>
    private static async Task<T> AskSchedulerAsync<T>(IActorRef scheduler, object message, TimeSpan timeout, CancellationToken schedulerStopped)
    {
        try
        {
            return await scheduler.Ask<T>(message, timeout, schedulerStopped);
        }
        catch (OperationCanceledException) when (schedulerStopped.IsCancellationRequested)
        {
            throw new SchedulerFailedException("it stopped for good while this request waited for its answer");
        }
    }

    private static async Task<ImmutableArray<ServiceEndpoint>> EndpointsAsync(IActorRef scheduler, CancellationToken schedulerStopped)
    {
        var target = await AskSchedulerAsync<object>(scheduler, new ConfigProtocol.GetConfiguration(null), AskTimeout, schedulerStopped);
        var pods = await AskSchedulerAsync<PodProtocol.AllPodInfo>(scheduler, PodProtocol.GetAllPodInfo.Instance, AskTimeout, schedulerStopped);
        return target is ConfigProtocol.Configuration config && ServiceSpecLoader.LoadRendered(config.RenderedYaml, config.Source, config.SchedulerEnvironment).Spec is { } spec
            ? ServiceEndpoints.From(spec, pods.Pods)
            : ImmutableArray<ServiceEndpoint>.Empty;
    }

    /// <summary>DC/OS: 200 applied, 208 already reported or completed, 404 unknown element, 400 malformed.</summary>
    public static int CommandStatusCode(PlanCommandOutcome outcome) => outcome switch
    {
        PlanCommandOutcome.Accepted => StatusCodes.Status200OK,
        PlanCommandOutcome.AlreadyReported => StatusCodes.Status208AlreadyReported,
        PlanCommandOutcome.NotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>
    /// The body of <c>start</c>: a JSON object of string values (<c>{"KEY":"value"}</c>); an empty body is <c>{}</c>.
    /// </summary>
    private static async Task<(ImmutableDictionary<string, string>? Values, string? Error)> ReadParametersAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (ImmutableDictionary<string, string>.Empty, null);
        }

        JsonDocument document;
        try
        {
            document = JsonBody.Parse(text);
        }
        catch (JsonException e)
        {
            return (null, $"body: expected a JSON object of parameters such as {{\"KEY\":\"value\"}}: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, $"body: expected a JSON object of parameters such as {{\"KEY\":\"value\"}}, found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
            }

            var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return (null, $"body: parameter '{property.Name}' must be a string, found {property.Value.ValueKind.ToString().ToLowerInvariant()}");
                }

                values[property.Name] = property.Value.GetString()!;
            }

            var problem = PlanCommands.ValidateParameters(values);
            return problem is null ? (values.ToImmutable(), null) : (null, $"body: {problem}");
        }
    }

    /// <summary>
    /// 200 for a new target or no change, 417 with the errors when refused, 404 for an unknown rollback version or nothing
    /// left to roll back to, 503 when
    /// the config store did not answer in time (the scheduler then follows the store's target).
    /// </summary>
    private static IResult UpdateAnswer(ConfigProtocol.UpdateResult result) => result.Outcome switch
    {
        UpdateOutcome.NewTarget => Results.Json(new { message = $"Rolling out config {result.TargetId}", configId = result.TargetId }),
        UpdateOutcome.Unchanged => Results.Json(new { message = $"Config {result.TargetId} is already the target", configId = result.TargetId }),
        UpdateOutcome.Refused => Results.Json(
            new { message = $"Update refused; config {result.TargetId} stays the target", configId = result.TargetId, errors = result.Errors },
            statusCode: StatusCodes.Status417ExpectationFailed),
        UpdateOutcome.Failed => Message(StatusCodes.Status503ServiceUnavailable, string.Join("; ", result.Errors)),
        _ => Message(StatusCodes.Status404NotFound, result.Errors.FirstOrDefault() ?? "No such configuration to roll back to"),
    };

    /// <summary>
    /// The body of <c>update/start</c>: <c>{"spec": "&lt;rendered svc.yml&gt;", "source": "svc.yml", "env": {"TASKCFG_ALL_X": "…"}}</c>
    /// (source and env optional). The CLI renders the template locally, so template errors point at the operator's file.
    /// </summary>
    private static async Task<(ConfigProtocol.SubmitConfiguration? Submission, string? Error)> ReadSubmissionAsync(HttpRequest request)
    {
        const string Expected = "expected a JSON object {\"spec\": \"<rendered svc.yml>\", \"source\": \"svc.yml\", \"env\": {\"KEY\": \"value\"}}";
        JsonDocument document;
        try
        {
            document = await JsonBody.ParseAsync(request.Body);
        }
        catch (JsonException e)
        {
            return (null, $"body: {Expected}: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("spec", out var spec) || spec.ValueKind != JsonValueKind.String)
            {
                return (null, $"body: {Expected}; 'spec' is missing or not a string");
            }

            var source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "api";
            var env = StringValues(root, "env");
            var templates = StringValues(root, "templates");
            if (env is null || templates is null)
            {
                return (null, $"body: '{(env is null ? "env" : "templates")}' must be an object of string values");
            }

            return (new ConfigProtocol.SubmitConfiguration(spec.GetString()!, source, env) { ConfigTemplates = templates }, null);
        }

        // An optional object of string values: empty when absent, null when it is something else.
        static ImmutableDictionary<string, string>? StringValues(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var values))
            {
                return ImmutableDictionary<string, string>.Empty;
            }

            if (values.ValueKind != JsonValueKind.Object || values.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            {
                return null;
            }

            return values.EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The body of <c>PUT /v1/state/files/{name}</c>: a multipart form with a <c>file</c> part (as DC/OS' CLI sends it,
    /// or its only file), or the file itself as the body; at most <see cref="StateProtocol.MaxFileBytes"/> bytes.
    /// </summary>
    private static async Task<((string ContentType, ByteString Content)? Upload, string? Error)> ReadFileAsync(HttpRequest request)
    {
        const string Octets = "application/octet-stream";
        // Only a multipart form is a form here: curl's -d sends the file itself as application/x-www-form-urlencoded.
        if (request.HasFormContentType && request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) == true)
        {
            // The form's own framing adds a little to the file.
            if (request.ContentLength > StateProtocol.MaxFileBytes + 64 * 1024)
            {
                return (null, StateProtocol.ValidateFileSize(request.ContentLength.Value));
            }

            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync();
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return (null, $"body: not a readable multipart form: {e.Message}");
            }

            var part = form.Files.GetFile("file") ?? (form.Files.Count == 1 ? form.Files[0] : null);
            if (part is null)
            {
                return (null, "body: expected a multipart form with a 'file' part, or the file itself as the body");
            }

            if (StateProtocol.ValidateFileSize(part.Length) is { } tooBig)
            {
                return (null, tooBig);
            }

            await using var stream = part.OpenReadStream();
            return ((string.IsNullOrEmpty(part.ContentType) ? Octets : part.ContentType, await ByteString.FromStreamAsync(stream)), null);
        }

        if (request.ContentLength is { } length && StateProtocol.ValidateFileSize(length) is { } declaredTooBig)
        {
            return (null, declaredTooBig);
        }

        // Without a length (chunked), read one byte past the limit to know it was exceeded.
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (StateProtocol.ValidateFileSize(buffer.Length) is { } readTooBig)
            {
                return (null, readTooBig);
            }
        }

        return ((string.IsNullOrEmpty(request.ContentType) ? Octets : request.ContentType, ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length)), null);
    }

    /// <summary>The optional body of <c>pod pause|resume</c>: a JSON list of task names (empty or absent: all tasks).</summary>
    private static async Task<(ImmutableArray<string> Tasks, string? Error)> ReadTaskNamesAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(body))
        {
            return (ImmutableArray<string>.Empty, null);
        }

        const string expected = "body: expected a JSON list of task names, e.g. [\"server\"]";
        try
        {
            using var document = JsonBody.Parse(body);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array
                || document.RootElement.EnumerateArray().Any(e => e.ValueKind != System.Text.Json.JsonValueKind.String))
            {
                return (ImmutableArray<string>.Empty, expected);
            }

            return (document.RootElement.EnumerateArray().Select(e => e.GetString()!).ToImmutableArray(), null);
        }
        catch (System.Text.Json.JsonException)
        {
            return (ImmutableArray<string>.Empty, expected);
        }
    }

    private static IResult Message(int statusCode, string message) => Results.Json(new { message }, statusCode: statusCode);

    public static object ToJson(OfferOutcomes outcomes) => new
    {
        summaries = outcomes.Summaries.Select(s => new
        {
            pod = s.PodInstance,
            evaluated = s.Evaluated,
            passed = s.Passed,
            // needs / most_offered: for a resource the pod lacked (left out otherwise), as the summary line says them.
            failures = s.Failures.Select(f => f.Needs is { } needs && f.MostOffered is { } most
                ? (object)new { reason = f.Reason, count = f.Count, needs, most_offered = most }
                : new { reason = f.Reason, count = f.Count }),
            summary = s.Line,
        }),
        outcomes = outcomes.Outcomes.Select(o => new
        {
            timestamp = o.Timestamp.ToString("O"),
            pod = o.PodInstance,
            offer = o.OfferId,
            agent = o.AgentId,
            hostname = o.Hostname,
            outcome = o.Passed ? "pass" : "fail",
            explanation = o.Explanation,
        }),
        declines = outcomes.Declines.Select(d => new { reason = d.Reason, refuse_seconds = d.RefuseSeconds, count = d.Count, summary = d.Line }),
    };

    /// <summary>DC/OS: 200 when complete, 417 with errors, 202 otherwise.</summary>
    public static int PlanStatusCode(PlanInfo plan) => plan switch
    {
        { Status: Status.Complete } => StatusCodes.Status200OK,
        { Status: Status.Error } or { Errors.IsEmpty: false } => StatusCodes.Status417ExpectationFailed,
        _ => StatusCodes.Status202Accepted,
    };

    public static object ToJson(PlanInfo plan) => new
    {
        phases = plan.Phases.Select(phase => new
        {
            id = phase.Id,
            name = phase.Name,
            steps = phase.Steps.Select(step => new { id = step.Id, status = step.Status.ToWireName(), name = step.Name, message = step.Message }),
            status = phase.Status.ToWireName(),
            strategy = phase.Strategy,
        }),
        errors = plan.Errors,
        status = plan.Status.ToWireName(),
        strategy = plan.Strategy,
    };

    /// <summary>DC/OS' <c>{id, name, status}</c>, plus <c>health</c> and <c>readiness</c> for tasks that have those checks.</summary>
    private static Dictionary<string, string> TaskJson(PodTaskStatus task)
    {
        var json = new Dictionary<string, string> { ["id"] = task.Id, ["name"] = task.Name, ["status"] = task.Status };
        if (task.Health is { } health)
        {
            json["health"] = health;
        }

        if (task.Readiness is { } readiness)
        {
            json["readiness"] = readiness;
        }

        return json;
    }

    public static object ToJson(ServicePodStatus status) => new
    {
        service = status.Service,
        pods = status.Pods.Select(pod => new
        {
            name = pod.Name,
            instances = pod.Instances.Select(instance => new
            {
                name = instance.Name,
                tasks = instance.Tasks.Select(TaskJson),
            }),
        }),
    };
}
