using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using Akka.Actor;
using Status = ActorScheduler.Messages.Plans.Status;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Simulation;

/// <summary>Ticks that wait for the scheduler to have done something (the DC/OS SDK's <c>Expect</c>).</summary>
public static class Expect
{
    /// <summary>
    /// The scheduler answered every offer of the latest offer tick, and the tasks launched on them are exactly
    /// <paramref name="taskNames"/>.
    /// </summary>
    public static ScenarioTick Launched(params string[] taskNames) =>
        LaunchedTick($"Expect.Launched({string.Join(", ", taskNames)})", launched =>
            launched.SequenceEqual(taskNames.Order(StringComparer.Ordinal))
                ? null
                : $"the last offers launched [{string.Join(", ", launched)}], not [{string.Join(", ", taskNames)}]");

    /// <summary>
    /// The scheduler answered every offer of the latest offer tick, and launched exactly <paramref name="count"/> tasks on
    /// them, whichever they are (parallel steps register for offers in no set order).
    /// </summary>
    public static ScenarioTick LaunchedCount(int count) =>
        LaunchedTick($"Expect.LaunchedCount({count})", launched =>
            launched.Count == count ? null : $"the last offers launched {launched.Count} tasks [{string.Join(", ", launched)}], not {count}");

    /// <summary>
    /// Every offer of the latest offer tick answered, and <paramref name="mismatch"/> of the tasks launched on them (names in
    /// order) null; else its reason, with the answers and the offer router's explanation.
    /// </summary>
    private static ScenarioTick LaunchedTick(string description, Func<List<string>, string?> mismatch) =>
        new ExpectationTick(description, async c =>
        {
            var reason = WithAnsweredOffers(c, answers =>
                mismatch(answers.SelectMany(r => r.LaunchedTasks).Select(t => t.Name).Order(StringComparer.Ordinal).ToList()) is { } wrong
                    ? $"{wrong} ({Describe(answers)})"
                    : null);
            return reason is null || reason.StartsWith("offers ", StringComparison.Ordinal) ? reason : reason + await WhyAsync(c).ConfigureAwait(false);
        });

    /// <summary>The scheduler declined every offer of the latest offer tick (and used none).</summary>
    public static ScenarioTick DeclinedLastOffer() =>
        new ExpectationTick("Expect.DeclinedLastOffer()", c => Task.FromResult(
            WithAnsweredOffers(c, answers => answers.Any(r => r.Call!.Type == Call.Types.Type.Accept)
                ? $"the last offers were accepted: {Describe(answers.Where(r => r.Call!.Type == Call.Types.Type.Accept))}"
                : null)));

    /// <summary>The last <see cref="Send.UpdateSpec"/> was refused with an error containing <paramref name="contains"/>.</summary>
    public static ScenarioTick UpdateRefused(string contains) =>
        Judged($"Expect.UpdateRefused({contains})", c =>
            c.LastUpdate is null ? "no update was sent"
            : c.LastUpdate.Outcome != Messages.Configs.UpdateOutcome.Refused ? $"the update was not refused: {c.LastUpdate.Outcome}"
            : c.LastUpdate.Errors.Any(e => e.Contains(contains, StringComparison.Ordinal)) ? null
            : $"the update was refused, but for: {string.Join("; ", c.LastUpdate.Errors)}");

    /// <summary>The last <see cref="Send.UpdateSpec"/> made a new target.</summary>
    public static ScenarioTick UpdateAccepted() =>
        Judged("Expect.UpdateAccepted()", c =>
            c.LastUpdate is null ? "no update was sent"
            : c.LastUpdate.Outcome == Messages.Configs.UpdateOutcome.NewTarget ? null
            : $"the update was {c.LastUpdate.Outcome}: {string.Join("; ", c.LastUpdate.Errors)}");

    /// <summary>
    /// An expectation on something already settled (the answer <see cref="Send.UpdateSpec"/> kept): judged once, so a
    /// wrong one fails at once instead of after <see cref="ScenarioOptions.ExpectTimeout"/>.
    /// </summary>
    private static ScenarioTick Judged(string description, Func<ScenarioContext, string?> judge) =>
        new LambdaTick(description, c => judge(c) is { } reason ? throw new TickFailedException(reason) : Task.CompletedTask);

    /// <summary>
    /// The service has no pod instance <paramref name="podInstance"/> any more. The tick fails at once unless the name is
    /// <c>&lt;pod type&gt;-&lt;index&gt;</c> of a pod type of the spec (not a task name such as <c>world-1-server</c>).
    /// </summary>
    public static ScenarioTick PodGone(string podInstance) =>
        new ExpectationTick($"Expect.PodGone({podInstance})", async c =>
        {
            if (!c.Spec.Pods.Any(p => Actors.Offers.PodNames.IsInstanceOf(podInstance, p.Type)))
            {
                throw new TickFailedException(
                    $"{podInstance} is not a pod instance name: expected <pod type>-<index> of the spec's pod types "
                    + $"({string.Join(", ", c.Spec.Pods.Select(p => p.Type))}), e.g. {c.Spec.Pods[0].Type}-0");
            }

            var names = await c.RequireRoot().Ask<Messages.Pods.PodProtocol.PodNames>(Messages.Pods.PodProtocol.GetPodNames.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return names.Names.Contains(podInstance) ? $"{podInstance} is still one of [{string.Join(", ", names.Names)}]" : null;
        });

    /// <summary>Pod <paramref name="podInstance"/>'s status shows task <paramref name="taskName"/> (full name) as <paramref name="status"/>.</summary>
    public static ScenarioTick TaskShown(string podInstance, string taskName, string status) =>
        new ExpectationTick($"Expect.TaskShown({podInstance}, {taskName}, {status})", async c =>
        {
            var answer = await c.RequireRoot().Ask<object>(new Messages.Pods.PodProtocol.GetPodInstanceStatus(podInstance), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (answer is not Messages.Pods.PodInstanceStatus pod)
            {
                return $"no pod {podInstance}: {answer}";
            }

            var task = pod.Tasks.FirstOrDefault(t => t.Name == taskName);
            return task?.Status == status ? null : $"{taskName} is {task?.Status ?? "not there"}";
        });

    /// <summary>
    /// No simulated agent runs a task named <paramref name="taskName"/> any more (killed, or ended on its own); the scheduler
    /// launched one before (or <see cref="Send.StrayTask"/> started one), else the expectation fails.
    /// </summary>
    public static ScenarioTick NotRunning(string taskName) =>
        new ExpectationTick($"Expect.NotRunning({taskName})", async c =>
        {
            var history = c.Cluster.History;
            var started = history.Any(r => r.LaunchedTasks.Any(t => t.Name == taskName))
                || history.Any(r => r.Event is { Type: Event.Types.Type.Update } e
                    && e.Update.Status.TaskId.Value.StartsWith(taskName + "__stray-", StringComparison.Ordinal));
            return !started ? $"{taskName} was never launched"
                : await c.Cluster.IsRunningAsync(taskName).ConfigureAwait(false) ? $"{taskName} still runs on a simulated agent"
                : null;
        });

    /// <summary>
    /// The master knows the service's framework with exactly <paramref name="roles"/>, in this order (as SUBSCRIBE or the
    /// latest UPDATE_FRAMEWORK named them).
    /// </summary>
    public static ScenarioTick FrameworkRoles(params string[] roles) =>
        new ExpectationTick($"Expect.FrameworkRoles({string.Join(", ", roles)})", async c =>
        {
            var snapshot = await c.Cluster.SnapshotAsync().ConfigureAwait(false);
            var framework = snapshot.Frameworks.SingleOrDefault(f => f.Name == c.Spec.Name);
            return framework is null ? $"no framework {c.Spec.Name} is subscribed"
                : framework.Roles.SequenceEqual(roles) ? null
                : $"the framework's roles are [{string.Join(", ", framework.Roles)}]";
        });

    /// <summary>The scheduler unreserved resources (UNRESERVE, after any DESTROY) on the offers of the latest offer tick.</summary>
    public static ScenarioTick UnreservedResources() =>
        new ExpectationTick("Expect.UnreservedResources()", c => Task.FromResult(
            WithAnsweredOffers(c, answers => answers.Any(r => r.Operations(OperationType.Unreserve).Any())
                ? null
                : $"no UNRESERVE on the last offers: {Describe(answers)}")));

    /// <summary>
    /// The scheduler's latest REVIVE or SUPPRESS call is <paramref name="type"/>: after a REVIVE the master's next
    /// allocation (<see cref="Send.AdvanceTime"/>) offers it every agent, after a SUPPRESS none.
    /// </summary>
    public static ScenarioTick LatestOfferFlowCall(Call.Types.Type type) =>
        new ExpectationTick($"Expect.LatestOfferFlowCall({type})", c =>
        {
            var last = c.Cluster.History.LastOrDefault(r => r.Call?.Type is Call.Types.Type.Revive or Call.Types.Type.Suppress);
            return Task.FromResult(last?.Call!.Type == type
                ? null
                : $"the scheduler's latest REVIVE or SUPPRESS call is {(last is null ? "none" : last.Call!.Type.ToString())}, not {type}");
        });

    /// <summary>
    /// The scheduler unreserved (an UNRESERVE in any ACCEPT: on an offer a tick made or on one of the master's own
    /// allocation, <see cref="Send.AdvanceTime"/>) every reservation the latest launch of <paramref name="taskName"/> was
    /// made with (by its <c>resource_id</c> labels), its executor's included: a task of a group carries no executor, the
    /// LAUNCH_GROUP that launched it does (with the pod's volumes).
    /// </summary>
    public static ScenarioTick Unreserved(string taskName) =>
        new ExpectationTick($"Expect.Unreserved({taskName})", c =>
        {
            var history = c.Cluster.History;
            var launch = history.SelectMany(r => r.LaunchedTasks).LastOrDefault(t => t.Name == taskName);
            if (launch is null)
            {
                return Task.FromResult<string?>($"{taskName} was never launched");
            }

            var group = history.SelectMany(r => r.Operations(OperationType.LaunchGroup))
                .LastOrDefault(o => o.LaunchGroup.TaskGroup.Tasks.Any(t => t.TaskId.Value == launch.TaskId.Value));
            var executor = launch.Executor ?? group?.LaunchGroup.Executor;
            var ids = launch.Resources.Concat(executor?.Resources ?? []).SelectMany(ResourceIds).ToHashSet(StringComparer.Ordinal);
            var unreserved = history.SelectMany(r => r.Operations(OperationType.Unreserve)).SelectMany(o => o.Unreserve.Resources)
                .SelectMany(ResourceIds).ToHashSet(StringComparer.Ordinal);
            var left = ids.Where(id => !unreserved.Contains(id)).Order(StringComparer.Ordinal).ToList();
            return Task.FromResult(ids.Count == 0 ? $"{taskName}'s latest launch used no reservation"
                : left.Count == 0 ? null
                : $"{left.Count} of the {ids.Count} reservations of {taskName}'s latest launch are not unreserved: {string.Join(", ", left)}");
        });

    /// <summary>
    /// The scheduler sent KILL for a task named <paramref name="taskName"/> (one it launched) at least
    /// <paramref name="times"/> times in all: more kills pass too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="times"/> is less than 1.</exception>
    public static ScenarioTick Killed(string taskName, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        return new ExpectationTick($"Expect.Killed({taskName}{(times == 1 ? "" : ", times: " + times)})", c =>
        {
            var history = c.Cluster.History;
            var ids = history.SelectMany(r => r.LaunchedTasks).Where(t => t.Name == taskName).Select(t => t.TaskId.Value)
                .ToHashSet(StringComparer.Ordinal);
            var kills = history.Count(r => r.Call is { Type: Call.Types.Type.Kill } k && ids.Contains(k.Kill.TaskId.Value));
            return Task.FromResult(kills >= times ? null : $"{taskName} was killed {kills} times, expected at least {times}");
        });
    }

    /// <summary>
    /// The scheduler sent KILL for a task named <paramref name="taskName"/> it never launched (a stray task, see
    /// <see cref="Send.StrayTask"/>), and the agent ended it; it killed none of the tasks of that name it launched itself.
    /// </summary>
    public static ScenarioTick StrayKilled(string taskName) =>
        new ExpectationTick($"Expect.StrayKilled({taskName})", c =>
        {
            var history = c.Cluster.History;
            var launched = history.SelectMany(r => r.LaunchedTasks).Where(t => t.Name == taskName).Select(t => t.TaskId.Value)
                .ToHashSet(StringComparer.Ordinal);
            var killed = history.Where(r => r.Call is { Type: Call.Types.Type.Kill }).Select(r => r.Call!.Kill.TaskId.Value)
                .Where(id => id.StartsWith(taskName + "__", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
            var strays = killed.Where(id => !launched.Contains(id)).ToList();
            var wronglyKilled = killed.Where(launched.Contains).ToList();
            var ended = history.Where(r => r.Event is { Type: Event.Types.Type.Update } e && e.Update.Status.State == TaskState.TaskKilled)
                .Select(r => r.Event!.Update.Status.TaskId.Value).ToHashSet(StringComparer.Ordinal);
            var stray = strays.FirstOrDefault(id => id.Contains("__stray-", StringComparison.Ordinal));
            return Task.FromResult(
                wronglyKilled.Count > 0 ? $"the scheduler killed {string.Join(", ", wronglyKilled)}, which it launched itself"
                : stray is null ? $"no KILL of a stray {taskName} task (KILLs of {taskName}: [{string.Join(", ", killed)}])"
                : ended.Contains(stray) ? null
                : $"the scheduler sent KILL for {stray}, but the agent has not reported it TASK_KILLED");
        });

    /// <summary>
    /// Since the latest subscription the scheduler reconciled explicitly, naming exactly these tasks (none: it had no
    /// task to ask about, and sent no RECONCILE). Fails at once while the scheduler is not running
    /// (<see cref="Send.Register"/> first).
    /// </summary>
    public static ScenarioTick ReconciledExplicitly(params string[] taskNames) =>
        new ExpectationTick($"Expect.ReconciledExplicitly({string.Join(", ", taskNames)})", c =>
        {
            c.RequireRoot();
            var history = c.Cluster.History;
            var since = history.Select((r, i) => (r, i)).LastOrDefault(x => x.r.Call?.Type == Call.Types.Type.Subscribe, (null!, -1)).i;
            if (since < 0)
            {
                return Task.FromResult<string?>("the scheduler has not subscribed to the master");
            }

            var names = history.SelectMany(r => r.LaunchedTasks).GroupBy(t => t.TaskId.Value).ToDictionary(g => g.Key, g => g.First().Name);
            var asked = history.Skip(since).Where(r => r.Call?.Type == Call.Types.Type.Reconcile)
                .SelectMany(r => r.Call!.Reconcile.Tasks).Select(t => names.GetValueOrDefault(t.TaskId.Value, t.TaskId.Value))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            return Task.FromResult(asked.SequenceEqual(taskNames.Order(StringComparer.Ordinal))
                ? null
                : $"the scheduler reconciled [{string.Join(", ", asked)}], not [{string.Join(", ", taskNames)}]");
        });

    /// <summary>The plan has <paramref name="status"/>.</summary>
    public static ScenarioTick PlanStatus(string plan, Status status) =>
        new ExpectationTick($"Expect.PlanStatus({plan}, {status})", async c =>
        {
            var info = await c.GetPlanAsync(plan).ConfigureAwait(false);
            return info is null ? $"no plan {plan}" : info.Status == status ? null : $"plan {plan} is {info.Status}";
        });

    /// <summary>The step <paramref name="step"/> (e.g. <c>hello-0:[server]</c>) of the phase of the plan has <paramref name="status"/>.</summary>
    public static ScenarioTick StepStatus(string plan, string phase, string step, Status status) =>
        new ExpectationTick($"Expect.StepStatus({plan}, {phase}, {step}, {status})", async c =>
        {
            var (stepInfo, missing) = await FindStep(c, plan, phase, step).ConfigureAwait(false);
            return stepInfo is null ? missing : stepInfo.Status == status ? null : $"step {step} is {stepInfo.Status}";
        });

    /// <summary>The message of the step <paramref name="step"/> of the phase of the plan (as <c>plan show</c> prints it) contains <paramref name="text"/>.</summary>
    public static ScenarioTick StepMessage(string plan, string phase, string step, string text) =>
        new ExpectationTick($"Expect.StepMessage({plan}, {phase}, {step}, {text})", async c =>
        {
            var (stepInfo, missing) = await FindStep(c, plan, phase, step).ConfigureAwait(false);
            return stepInfo is null ? missing
                : stepInfo.Message.Contains(text, StringComparison.Ordinal) ? null
                : $"step {step} says '{stepInfo.Message}'";
        });

    private static async Task<(StepInfo? Step, string? Missing)> FindStep(ScenarioContext c, string plan, string phase, string step)
    {
        var info = await c.GetPlanAsync(plan).ConfigureAwait(false);
        if (info is null)
        {
            return (null, $"no plan {plan}");
        }

        var phaseInfo = info.Phases.FirstOrDefault(p => p.Name == phase);
        if (phaseInfo is null)
        {
            return (null, $"plan {plan} has no phase {phase}; it has: {string.Join(", ", info.Phases.Select(p => p.Name))}");
        }

        var stepInfo = phaseInfo.Steps.FirstOrDefault(s => s.Name == step);
        return stepInfo is null
            ? (null, $"phase {phase} has no step {step}; it has: {string.Join(", ", phaseInfo.Steps.Select(s => s.Name))}")
            : (stepInfo, null);
    }

    /// <summary>
    /// Each of <paramref name="podInstances"/> (e.g. <c>db-0</c>) waits for offers: its requirement is registered with the
    /// offer router. Lets a scenario offer once several pods are ready, so one offer can take them all.
    /// </summary>
    public static ScenarioTick WaitingForOffers(params string[] podInstances) =>
        new ExpectationTick($"Expect.WaitingForOffers({string.Join(", ", podInstances)})", async c =>
        {
            var pending = await c.GetPendingRequirementsAsync().ConfigureAwait(false);
            var missing = podInstances.Where(p => !pending.Contains(p)).ToList();
            return missing.Count == 0 ? null : $"[{string.Join(", ", missing)}] do not wait for offers (waiting: [{string.Join(", ", pending)}])";
        });

    /// <summary>
    /// None of <paramref name="podInstances"/> waits for offers: no requirement of theirs is registered with the offer
    /// router (e.g. their step's plan or phase is interrupted).
    /// </summary>
    public static ScenarioTick NotWaitingForOffers(params string[] podInstances) =>
        new ExpectationTick($"Expect.NotWaitingForOffers({string.Join(", ", podInstances)})", async c =>
        {
            var pending = await c.GetPendingRequirementsAsync().ConfigureAwait(false);
            var waiting = podInstances.Where(pending.Contains).ToList();
            return waiting.Count == 0 ? null : $"[{string.Join(", ", waiting)}] still wait for offers";
        });

    /// <summary>
    /// Every plan of the scheduler is COMPLETE. Plans that have not reported yet (right after a start or an update the
    /// plans are rebuilt) and a <c>decommission</c> plan that does not know yet whether it has pods count as not complete.
    /// </summary>
    public static ScenarioTick AllPlansComplete() =>
        new ExpectationTick("Expect.AllPlansComplete()", async c =>
        {
            var plans = await c.GetPlansAsync().ConfigureAwait(false);
            var open = plans.Reported.Where(p => p.Status != Status.Complete).Select(p => $"{p.Name} is {p.Status}")
                .Concat(plans.NotReported.Select(name => $"{name} has not reported yet"))
                .ToList();
            return open.Count > 0 ? string.Join("; ", open)
                : plans.Settled ? null
                : "the plans have not all reported yet (the decommission plan does not know yet whether it has pods)";
        });

    /// <summary>
    /// Waits until the scheduler answered every offer of the latest offer tick, then judges the answering calls.
    /// </summary>
    private static string? WithAnsweredOffers(ScenarioContext c, Func<List<ClusterRecord>, string?> judge)
    {
        if (c.LastOffers.IsEmpty)
        {
            return "no offer was sent yet (use Send.OffersFor or Send.ReofferPod first)";
        }

        var offers = c.LastOffers.ToHashSet(StringComparer.Ordinal);
        var answers = c.Cluster.History.Where(r => r.AnsweredOffers.Any(offers.Contains)).ToList();
        var answered = answers.SelectMany(r => r.AnsweredOffers).Where(offers.Contains).ToHashSet(StringComparer.Ordinal);
        var waiting = offers.Except(answered).ToList();
        return waiting.Count > 0 ? $"offers {string.Join(", ", waiting)} are not answered yet" : judge(answers);
    }

    private static IEnumerable<string> ResourceIds(Resource resource) =>
        resource.Reservations.SelectMany(r => r.Labels?.Labels_ ?? []).Where(l => l.Key == Actors.Offers.Resources.ResourceIdLabel).Select(l => l.Value);

    /// <summary>The router's explanations for the last offers (DC/OS debug offers), for failure messages.</summary>
    private static async Task<string> WhyAsync(ScenarioContext c)
    {
        var offers = c.LastOffers.ToHashSet(StringComparer.Ordinal);
        var outcomes = await c.RequireRoot().Ask<Messages.Offers.OfferOutcomes>(new Messages.Offers.OfferProtocol.GetOfferOutcomes(), TimeSpan.FromSeconds(10))
            .ConfigureAwait(false);
        var lines = outcomes.Outcomes.Where(o => offers.Contains(o.OfferId)).Select(o => $"{o.PodInstance}: {string.Join(", ", o.Explanation)}").ToList();
        return lines.Count == 0 ? "; the offer router evaluated no pod instance against them" : "; the offer router says: " + string.Join(" | ", lines);
    }

    private static string Describe(IEnumerable<ClusterRecord> records) => string.Join("; ", records.Select(r => r.Call!.Type switch
    {
        Call.Types.Type.Accept => "ACCEPT " + string.Join(", ", r.Call.Accept.Operations.Select(o =>
            o.Type is OperationType.Launch or OperationType.LaunchGroup
                ? $"{o.Type}({string.Join(" ", (o.Launch?.TaskInfos ?? o.LaunchGroup.TaskGroup.Tasks).Select(t => t.Name))})"
                : o.Type.ToString())),
        Call.Types.Type.Decline => $"DECLINE refuse_seconds={r.Call.Decline.Filters?.RefuseSeconds}",
        _ => r.Call.Type.ToString(),
    }));
}
