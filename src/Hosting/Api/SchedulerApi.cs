using ActorScheduler.Messages.Offers;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Messages.Pods;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ActorScheduler.Hosting.Api;

/// <summary>
/// The scheduler's HTTP API, with the DC/OS SDK's paths, JSON shapes and status codes (see README "HTTP API").
/// </summary>
public static class SchedulerApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapSchedulerApi(this IEndpointRouteBuilder app, Func<IActorRef> scheduler)
    {
        app.MapGet("/v1/plans", async () =>
        {
            var names = await scheduler().Ask<PlanProtocol.PlanNames>(PlanProtocol.GetPlans.Instance, AskTimeout);
            return Results.Json(names.Names);
        });

        app.MapGet("/v1/plans/{plan}", async (string plan) =>
        {
            var answer = await scheduler().Ask<object>(new PlanProtocol.GetPlan(plan), AskTimeout);
            return answer switch
            {
                PlanInfo info => Results.Json(ToJson(info), statusCode: PlanStatusCode(info)),
                _ => Results.Json(new { message = $"Plan {plan} not found" }, statusCode: StatusCodes.Status404NotFound),
            };
        });

        app.MapGet("/v1/pod", async () =>
        {
            var names = await scheduler().Ask<PodProtocol.PodNames>(PodProtocol.GetPodNames.Instance, AskTimeout);
            return Results.Json(names.Names);
        });

        app.MapGet("/v1/pod/status", async () =>
        {
            var status = await scheduler().Ask<ServicePodStatus>(PodProtocol.GetPodStatus.Instance, AskTimeout);
            return Results.Json(ToJson(status));
        });

        app.MapGet("/v2/debug/offers", async (string? pod, int? limit) =>
        {
            if (limit is < 0)
            {
                return Results.Json(new { message = "limit must be >= 0" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var outcomes = await scheduler().Ask<OfferOutcomes>(new OfferProtocol.GetOfferOutcomes(pod, limit ?? 100), AskTimeout);
            return Results.Json(ToJson(outcomes));
        });

        return app;
    }

    public static object ToJson(OfferOutcomes outcomes) => new
    {
        summaries = outcomes.Summaries.Select(s => new
        {
            pod = s.PodInstance,
            evaluated = s.Evaluated,
            passed = s.Passed,
            failures = s.Failures.Select(f => new { reason = f.Reason, count = f.Count }),
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
