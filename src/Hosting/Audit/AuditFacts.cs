using System.Globalization;
using System.Text;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace ActorScheduler.Hosting.Audit;

/// <summary>
/// An event's key facts in words, one line: what an auditor asks of it (which task id was launched on which agent with
/// which resources, which status was recorded, why a step changed, what an offer decision found). An event of a type
/// not named here is shown by its fields, so a newer event is never silently dropped.
/// </summary>
internal static class AuditFacts
{
    public static string Of(IMessage @event) => @event switch
    {
        FrameworkRegistered e => $"framework id {e.FrameworkId}",
        FrameworkRolesRecorded e => $"subscribes with roles {List(e.Roles)}",
        RoleHoldRecorded e => $"role {e.Role} kept for reservations {List(e.ResourceIds)} given up on agent {e.AgentId}{(e.Made ? string.Empty : " (perhaps never made)")}",
        RoleHoldEnded e => $"role {e.Role} no longer kept for {(e.ResourceIds.Count == 0 ? "any reservation" : $"reservations {List(e.ResourceIds)}")} on agent {e.AgentId}: {e.Reason}",
        ConfigStored e => $"config {e.ConfigId} of service {e.ServiceName} stored from {Or(e.Source, "?")} ({Lines(e.RenderedYaml)} lines of rendered spec)",
        TargetConfigSet e => $"target config {e.ConfigId}{(e.Rollback ? " (rollback)" : string.Empty)}",
        ConfigRejected e => $"spec from {Or(e.Source, "?")} refused, target unchanged: {string.Join("; ", e.Errors)}",
        TaskLaunchRecorded e => Launch(e),
        TaskStatusRecorded e => Status(e.Status),
        FootprintConfirmed => "the footprint of the last launch seen to exist",
        LaunchAbandoned e => $"launch from offer {e.OfferId} abandoned: {e.Reason}",
        PodReplaced => "operator replace: reservations and volumes given up, tasks relaunch on a new footprint",
        GivenUpFootprintSettled e => $"given-up reservations on agent {e.AgentId} settled{Ids(e.ResourceIds)}",
        PodDecommissionStarted => "decommission started: tasks are killed and never relaunched",
        PodDecommissionCancelled => "decommission cancelled: the pod is wanted again",
        PodFootprintReleased e => $"{e.ResourceIds.Count} reservation{(e.ResourceIds.Count == 1 ? string.Empty : "s")} released on agent {e.AgentId} for collection{Ids(e.ResourceIds)}{(e.NeverConfirmed ? " (never confirmed)" : string.Empty)}",
        PodResourcesCollected e => e.Forced ? "reservations given up without waiting (operator force-complete)" : "released reservations collected",
        PodStateErased => "pod state erased",
        TasksPaused e => $"operator pause of task{(e.Tasks.Count == 1 ? string.Empty : "s")} {List(e.Tasks)}",
        TasksResumed e => $"operator resume of task{(e.Tasks.Count == 1 ? string.Empty : "s")} {List(e.Tasks)}",
        ExecutorRelaunchPlanned e => $"new executor planned for step {e.StepId} on config {e.ConfigId}: relaunches {List(e.Tasks)}",
        ExecutorRelaunchDropped => "planned executor relaunch dropped",
        PodInstancesKnown e => $"pod instances {string.Join(", ", e.PodTypes.Zip(e.Indexes, (t, i) => $"{t}-{i}"))}",
        PodInstanceErased e => $"pod instance {e.PodInstance} erased",
        TaskFailureSeen e => $"task {e.TaskName} failed, permanent-failure clock started at {Time(e.At)}",
        BackoffDelayed e => string.Create(CultureInfo.InvariantCulture, $"task {e.TaskName} relaunch delayed {e.DelaySeconds:0.###} s, until {Time(e.Until)}"),
        BackoffCleared e => $"backoff cleared for {(e.TaskNames.Count == 0 ? "every task" : List(e.TaskNames))}",
        RecoveryStarted e => $"{(e.Permanent ? "permanent" : "transient")} recovery {e.Phase} of {List(e.Tasks)}{(e.Reason.Length > 0 ? $": {e.Reason}" : string.Empty)}",
        RecoveryPhaseChanged e => $"recovery {e.Change}",
        StepStatusChanged e => $"status {e.Status}{(e.Message.Length > 0 ? $": {e.Message}" : string.Empty)}",
        InterruptChanged e => e.Interrupted ? "operator pause (interrupted)" : "operator resume (proceeds)",
        StepForceCompleted e => $"operator force-complete on config {e.ConfigId}",
        StepRestarted => "operator force-restart: PENDING again, its tasks relaunch",
        CanaryProceeded e => $"canary proceed {e.Proceeds} on config {e.ConfigId} (canary steps {List(e.CanarySteps)})",
        PlanStarted e => e.Parameters.Count == 0 ? "operator start" : $"operator start with {string.Join(", ", e.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}",
        OfferDecision e => Decision(e),
        OfferCycleRecorded e => Cycle(e),
        SkippedOffers e => Skipped(e),
        DeploymentCompleted e => $"deployment completed on config {e.ConfigId}",
        EntityForgotten e => $"history of {e.Entity} forgotten",
        StateFileStored e => $"state file {e.Name} stored ({Or(e.ContentType, "no content type")}, {e.Content.Length} bytes)",
        TlsCaGenerated => "certificate authority generated (its private key is in the journal; not shown)",
        TlsArtifactsIssued e => $"TLS artifacts '{e.Name}' issued for task {e.TaskInstance} (private key and keystore not shown)",
        _ => MesosClientJson(@event),
    };

    /// <summary>
    /// <c>hello-0-server launched as task id hello-0-server__1f… on agent a1 (host-1) with cpus 0.1, mem 32, disk 256
    /// from offer o-7, config c-1</c>; a new footprint (reservations made by the same ACCEPT) is said so.
    /// </summary>
    private static string Launch(TaskLaunchRecorded e)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var task in e.Tasks)
        {
            text.Append(first ? string.Empty : "; ");
            first = false;
            var info = task.TaskInfo;
            text.Append(CultureInfo.InvariantCulture, $"{(info?.Name is { Length: > 0 } name ? name : Or(task.TaskName, "?"))} launched as task id {info?.TaskId?.Value ?? "?"}");
            if (info is not null && info.Resources.Count > 0)
            {
                text.Append(" with ").Append(Resources(info.Resources));
            }

            if (task.Paused)
            {
                text.Append(" (paused: command replaced by a sleep)");
            }
        }

        if (e.Tasks.Count == 0)
        {
            text.Append("launch of no task");
        }

        text.Append(CultureInfo.InvariantCulture, $" on agent {e.AgentId}{(e.Hostname.Length > 0 ? $" ({e.Hostname})" : string.Empty)} from offer {e.OfferId}");
        if (e.Tasks.Count > 0 && e.Tasks[0].ConfigId.Length > 0)
        {
            text.Append(", config ").Append(e.Tasks[0].ConfigId);
        }

        if (e.FootprintUnconfirmed)
        {
            text.Append(", new footprint");
        }

        return text.ToString();
    }

    /// <summary><c>hello-0-server__1f… TASK_RUNNING healthy (source agent): message</c>.</summary>
    private static string Status(Messages.MesosV1.TaskStatus? status)
    {
        if (status is null)
        {
            return "status of no task";
        }

        var text = new StringBuilder($"{status.TaskId?.Value ?? "?"} {TaskStates.WireName(status.State)}");
        if (status.HasHealthy)
        {
            text.Append(status.Healthy ? " healthy" : " unhealthy");
        }

        if (status.HasReason)
        {
            text.Append(' ').Append(WireName(status.Reason));
        }

        if (status.HasSource)
        {
            text.Append(" (from ").Append(status.Source switch
            {
                Messages.MesosV1.TaskStatus.Types.Source.Master => "master",
                Messages.MesosV1.TaskStatus.Types.Source.Agent => "agent",
                Messages.MesosV1.TaskStatus.Types.Source.Executor => "executor",
                _ => status.Source.ToString(),
            }).Append(')');
        }

        if (status.AgentId?.Value is { Length: > 0 } agent)
        {
            text.Append(" on agent ").Append(agent);
        }

        if (status.HasMessage && status.Message.Length > 0)
        {
            text.Append(": ").Append(OneLine(status.Message));
        }

        return text.ToString();
    }

    /// <summary><c>hello-0: offer o-7 on host-1 (agent a1) PASS</c>, or FAIL with the failing lines of the explanation.</summary>
    private static string Decision(OfferDecision e)
    {
        var text = new StringBuilder($"{e.PodInstance}: offer {e.OfferId} on {Or(e.Hostname, "?")} (agent {e.AgentId}) ");
        if (e.Passed)
        {
            return text.Append("PASS").ToString();
        }

        text.Append("FAIL");
        var reasons = e.Explanation.Where(l => l.TrimStart().StartsWith("FAIL", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        if (reasons.Count == 0)
        {
            reasons = e.Explanation.Select(l => l.Trim()).ToList();
        }

        if (reasons.Count > 0)
        {
            text.Append(": ").Append(string.Join("; ", reasons));
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>hello-0: 4 offers not evaluated in full, a quick check showed them unfit: FAIL(ResourceEvaluationStage): Offer
    /// lacks … 'cpus' for new reservation (needs 2, offers had at most 1.5)</c>: the amounts as <c>debug offers</c> words
    /// them, where the record has them (not in records written before they were journaled).
    /// </summary>
    private static string Skipped(SkippedOffers e)
    {
        var why = new Messages.Offers.FailureCount(e.Reason, e.Count, e.HasNeeds ? e.Needs : null, e.HasMostOffered ? e.MostOffered : null).Why;
        return $"{e.PodInstance}: {e.Count} offer{(e.Count == 1 ? string.Empty : "s")} not evaluated in full, a quick check showed {(e.Count == 1 ? "it" : "them")} unfit: {why}";
    }

    /// <summary>
    /// An offer cycle: which offers it accepted, which it declined why and with which filter, and how many decisions and
    /// pods skipped it holds (each an entry of its own).
    /// </summary>
    private static string Cycle(OfferCycleRecorded e)
    {
        var parts = new List<string>();
        if (e.AcceptedOfferIds.Count > 0)
        {
            parts.Add($"accepted offer{(e.AcceptedOfferIds.Count == 1 ? string.Empty : "s")} {Some(e.AcceptedOfferIds)}");
        }

        foreach (var declined in e.Declined)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"declined {Some(declined.OfferIds)} ({declined.Reason}, refused for {declined.RefuseSeconds:0.###} s)"));
        }

#pragma warning disable CS0612 // Records written before `declined` name their declined offers only here.
        if (e.DeclinedOfferIds.Count > 0)
        {
            parts.Add($"declined {Some(e.DeclinedOfferIds)}");
        }
#pragma warning restore CS0612

        if (e.Decisions.Count > 0)
        {
            parts.Add($"{e.Decisions.Count} decision{(e.Decisions.Count == 1 ? string.Empty : "s")}");
        }

        if (e.Skipped.Count > 0)
        {
            parts.Add($"offers skipped for {e.Skipped.Count} pod{(e.Skipped.Count == 1 ? string.Empty : "s")}");
        }

        return parts.Count == 0 ? "offer cycle with nothing recorded" : "offer cycle: " + string.Join("; ", parts);
    }

    /// <summary><c>cpus 0.1, mem 32, disk 256, ports 31000</c>: scalars summed by name, others as their values, in order.</summary>
    private static string Resources(IEnumerable<Resource> resources)
    {
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        var others = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            if (!scalars.ContainsKey(resource.Name) && !others.ContainsKey(resource.Name))
            {
                order.Add(resource.Name);
            }

            if (resource.Type == Value.Types.Type.Scalar)
            {
                scalars[resource.Name] = scalars.GetValueOrDefault(resource.Name) + (resource.Scalar?.Value ?? 0);
            }
            else
            {
                (others.TryGetValue(resource.Name, out var values) ? values : others[resource.Name] = []).Add(DebugViews.ValueOf(resource));
            }
        }

        return string.Join(", ", order.Select(name => scalars.TryGetValue(name, out var sum)
            ? $"{name} {sum.ToString("0.###", CultureInfo.InvariantCulture)}"
            : $"{name} {string.Join(",", others[name])}"));
    }

    /// <summary>A protobuf enum value's wire name (<c>REASON_RECONCILIATION</c>), as the .proto file spells it.</summary>
    private static string WireName<T>(T value)
        where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? value.ToString();

    private static string List(IEnumerable<string> items) => items.Any() ? string.Join(", ", items) : "none";

    /// <summary>The first few of a list that may hold thousands (a storm cycle's offers), and how many more: <c>--json</c> has them all.</summary>
    private static string Some(IReadOnlyCollection<string> items, int shown = 5) =>
        items.Count <= shown ? List(items) : $"{string.Join(", ", items.Take(shown))} and {items.Count - shown} more";

    private static string Ids(IEnumerable<string> ids) => ids.Any() ? $" ({string.Join(", ", ids)})" : string.Empty;

    private static string Or(string text, string otherwise) => text.Length > 0 ? text : otherwise;

    private static int Lines(string text) => text.Length == 0 ? 0 : text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);

    private static string Time(Timestamp? at) => at is null ? "?" : JournalTime.Format(at.ToDateTime());

    private static string OneLine(string text) => Cli.CommandGuard.OneLine(text);

    /// <summary>An event this class has no words for: its fields as compact JSON.</summary>
    private static string MesosClientJson(IMessage @event) => Mesos.Client.MesosCodec.JsonFormatter.Format(@event);
}
