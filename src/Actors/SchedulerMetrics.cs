using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ActorScheduler.Messages.Plans;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors;

/// <summary>
/// The scheduler's counters (DC/OS <c>Metrics</c>): one registry per scheduler, counted by the actors that see the
/// events (offers, operations, status updates, launches) and read by <c>/v1/metrics</c>. Thread-safe.
/// </summary>
public sealed class SchedulerMetrics
{
    /// <summary>Offers received from the master.</summary>
    public const string OffersReceived = "offers.received";

    /// <summary>Offers declined.</summary>
    public const string OffersDeclined = "offers.declined";

    /// <summary>Offers declined with the short filter (not ready, or work pending: DC/OS <c>declines.short</c>).</summary>
    public const string DeclinesShort = "declines.short";

    /// <summary>Offers declined with the long filter (nothing wants resources: DC/OS <c>declines.long</c>).</summary>
    public const string DeclinesLong = "declines.long";

    /// <summary>Offers a capped offer cycle kept for the next ones (each time one is kept; see <c>OfferHolding</c>).</summary>
    public const string OffersKept = "offers.kept";

    /// <summary>
    /// Kept offers declined because a cycle of newer offers left them unclaimed again: the newer ones took their place
    /// (among <see cref="DeclinesShort"/>).
    /// </summary>
    public const string DeclinesPassedOver = "declines.passed_over";

    /// <summary>Offers an offer cycle answered, accepted or declined (each counted once: DC/OS <c>offers.processed</c>).</summary>
    public const string OffersProcessed = "offers.processed";

    /// <summary>
    /// Timer: one offer cycle, from its start to its last offer answered — evaluation, the claimed pods recording their
    /// launches, the ACCEPTs and DECLINEs sent (DC/OS <c>offers.process</c>). Offers a capped cycle keeps for the next
    /// one are timed with that one.
    /// </summary>
    public const string OffersProcess = "offers.process";

    /// <summary>
    /// Timer: the router's own part of one offer cycle — evaluating the offers for the waiting pods, arbitrating the
    /// claims, telling the claimed pods and declining what no one claimed — without the wait for the claimed pods'
    /// launch records that <see cref="OffersProcess"/> includes (what Fenzo calls a scheduling run).
    /// </summary>
    public const string OffersEvaluate = "offers.evaluate";

    /// <summary>Offers accepted (launches or garbage collection).</summary>
    public const string OffersAccepted = "offers.accepted";

    /// <summary>Tasks launched.</summary>
    public const string Launches = "launches";

    /// <summary>REVIVE calls.</summary>
    public const string Revives = "revives";

    /// <summary>
    /// REVIVE requests held back because a REVIVE or SUPPRESS call was in flight, or the revive budget had no token
    /// (<see cref="Mesos.OfferFlowSequencer"/>): sent once it is answered or a token is back, folded into one with any
    /// that follow (DC/OS <c>revives.throttles</c>).
    /// </summary>
    public const string RevivesThrottled = "revives.throttles";

    /// <summary>SUPPRESS calls.</summary>
    public const string Suppresses = "suppresses";

    /// <summary>
    /// Of <see cref="Revives"/>: a scheduler with nothing to place revived offers to see every agent's reservations and
    /// collect those nobody owns (every <c>SchedulerSettings.ReservationSweepInterval</c>).
    /// </summary>
    public const string Sweeps = "sweeps";

    /// <summary>
    /// Reservations a pod gave up on an agent (a replace, an abandoned launch, a decommission's release) that the router
    /// waits to see gone, counted once a pod and agent. Minus <see cref="GivenUpSettled"/> and <see cref="GivenUpExpired"/>:
    /// those it waits for now (offers keep coming while there are any).
    /// </summary>
    public const string GivenUpWaits = "given_up.waits";

    /// <summary>Of <see cref="GivenUpWaits"/>: an offer showed the reservations gone (collected, or never made).</summary>
    public const string GivenUpSettled = "given_up.settled";

    /// <summary>Of <see cref="GivenUpWaits"/>: the agent did not offer within the router's patience (an hour).</summary>
    public const string GivenUpExpired = "given_up.expired";

    /// <summary>
    /// Reservations given up under a role other than the service role that the framework keeps subscribing with that
    /// role for (<see cref="Mesos.RoleHolds"/>), counted once a role and agent. Minus the three endings below: the holds
    /// now (the gateway logs why it keeps each role).
    /// </summary>
    public const string RoleHolds = "role_holds.held";

    /// <summary>Of <see cref="RoleHolds"/>: an offer under the role showed the reservations gone (collected).</summary>
    public const string RoleHoldsCollected = "role_holds.collected";

    /// <summary>Of <see cref="RoleHolds"/>: the operator marked their agent gone.</summary>
    public const string RoleHoldsAgentGone = "role_holds.agent_gone";

    /// <summary>Of <see cref="RoleHolds"/>: the master's registry no longer keeps their agent (<c>--registry_max_agent_age</c>).</summary>
    public const string RoleHoldsExpired = "role_holds.expired";

    // Boxed so an increment is one interlocked add (AddOrUpdate on a value takes the bucket's lock).
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricTimer> _timers = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="by"/> to a counter (created at 0).</summary>
    public void Increment(string name, long by = 1) => Interlocked.Add(ref _counters.GetOrAdd(name, static _ => new StrongBox<long>()).Value, by);

    // Counter names by wire name, built once (one status update or operation each, thousands a second in a deploy).
    private static readonly ConcurrentDictionary<string, string> OperationNames = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> TaskStatusNames = new(StringComparer.Ordinal);

    /// <summary>An operation sent in an ACCEPT: <c>operation.reserve</c>, <c>operation.launch_group</c>, ….</summary>
    public static string Operation(string type) => OperationNames.GetOrAdd(type, t => $"operation.{t.ToLowerInvariant()}");

    /// <summary>A status update received: <c>task_status.task_running</c>, ….</summary>
    public static string TaskStatus(string state) => TaskStatusNames.GetOrAdd(state, s => $"task_status.{s.ToLowerInvariant()}");

    /// <summary>Records a duration in a timer (created empty).</summary>
    public void Record(string timer, TimeSpan duration) => _timers.GetOrAdd(timer, _ => new MetricTimer()).Record(duration);

    /// <summary>The counters now, by name.</summary>
    public ImmutableSortedDictionary<string, long> Counters() =>
        _counters.ToImmutableSortedDictionary(c => c.Key, c => Interlocked.Read(ref c.Value.Value), StringComparer.Ordinal);

    /// <summary>The timers now, by name.</summary>
    public ImmutableSortedDictionary<string, TimerSnapshot> Timers() =>
        _timers.ToImmutableSortedDictionary(t => t.Key, t => t.Value.Snapshot(), StringComparer.Ordinal);
}

/// <summary>What <c>/v1/metrics</c> answers: counters and timers, plus gauges read at the time of the request.</summary>
/// <param name="Counters">Monotonic counters by name.</param>
/// <param name="Gauges">Values now: plan statuses (DC/OS <c>plan_status.&lt;plan&gt;</c>), status counts, reconciliation, suppression.</param>
/// <param name="Timers">Timers by name (<c>offers.process</c>), in seconds.</param>
public sealed record MetricsSnapshot(ImmutableSortedDictionary<string, long> Counters, ImmutableSortedDictionary<string, double> Gauges, ImmutableSortedDictionary<string, TimerSnapshot> Timers)
{
    /// <summary>
    /// Builds the snapshot: <c>plan_status.&lt;plan&gt;</c> (−1 error, 0 complete, 1 pending or waiting, 2 in progress; as
    /// DC/OS), <c>plans.status.&lt;status&gt;</c> and <c>steps.status.&lt;status&gt;</c> counts,
    /// <c>reconciliation.complete</c> (1 once explicit reconciliation finished on the current subscription) and
    /// <c>is_suppressed</c> (1 while offers are suppressed, as DC/OS), and with <paramref name="offersInHand"/> the offers
    /// the router holds unanswered now: <c>offers.kept_now</c> (kept for a next cycle) and <c>offers.claimed_now</c>
    /// (claimed by pods whose launches are being recorded) — what the scheduler withholds from other frameworks.
    /// </summary>
    public static MetricsSnapshot Of(
        ImmutableSortedDictionary<string, long> counters,
        IEnumerable<PlanInfo> plans,
        bool reconciled,
        bool suppressed = false,
        ImmutableSortedDictionary<string, TimerSnapshot>? timers = null,
        (int Kept, int Claimed)? offersInHand = null)
    {
        var gauges = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["reconciliation.complete"] = reconciled ? 1 : 0,
            ["is_suppressed"] = suppressed ? 1 : 0,
        };
        if (offersInHand is var (kept, claimed))
        {
            gauges["offers.kept_now"] = kept;
            gauges["offers.claimed_now"] = claimed;
        }

        foreach (var plan in plans)
        {
            gauges[PlanStatusPrefix + plan.Name] = PlanStatusValue(plan);
            Count(gauges, $"plans.status.{plan.Status.ToWireName().ToLowerInvariant()}");
            foreach (var step in plan.Phases.SelectMany(p => p.Steps))
            {
                Count(gauges, $"steps.status.{step.Status.ToWireName().ToLowerInvariant()}");
            }
        }

        return new MetricsSnapshot(
            counters,
            gauges.ToImmutableSortedDictionary(StringComparer.Ordinal),
            timers ?? ImmutableSortedDictionary.Create<string, TimerSnapshot>(StringComparer.Ordinal));
    }

    /// <summary>
    /// JSON in the Dropwizard shape DC/OS served: <c>{"counters":{"offers.received":{"count":3}},"gauges":{"plan_status.deploy":{"value":0}},
    /// "timers":{"offers.process":{"count":2,"max":…,"mean":…,"min":…,"p50":…,…,"p999":…,"duration_units":"seconds"}}}</c>.
    /// </summary>
    public object ToJson() => new
    {
        counters = Counters.ToDictionary(c => c.Key, c => new { count = c.Value }),
        gauges = Gauges.ToDictionary(g => g.Key, g => new { value = g.Value }),
        timers = Timers.ToDictionary(t => t.Key, t => TimerJson(t.Value)),
    };

    private static SortedDictionary<string, object> TimerJson(TimerSnapshot timer)
    {
        var json = new SortedDictionary<string, object>(StringComparer.Ordinal)
        {
            ["count"] = timer.Count,
            ["max"] = timer.Max,
            ["mean"] = timer.Mean,
            ["min"] = timer.Min,
            ["duration_units"] = "seconds",
        };
        foreach (var (name, quantile) in TimerSnapshot.Quantiles)
        {
            json[name] = timer.Percentile(quantile);
        }

        return json;
    }

    /// <summary>Prometheus text exposition format (0.0.4): names prefixed <c>actorscheduler_</c>, dots as underscores.</summary>
    public string ToPrometheus()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in Counters)
        {
            var metric = PrometheusName(name) + "_total";
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {metric} counter\n{metric} {value}\n");
        }

        foreach (var (name, value) in Gauges.Where(g => !g.Key.StartsWith(PlanStatusPrefix, StringComparison.Ordinal)))
        {
            var metric = PrometheusName(name);
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {metric} gauge\n{metric} {value.ToString(CultureInfo.InvariantCulture)}\n");
        }

        // One family with the plan as a label: plan names may hold '-' and '_', which a metric name cannot tell apart.
        var planStatus = PrometheusName(PlanStatusPrefix.TrimEnd('.'));
        var first = true;
        foreach (var (name, value) in Gauges.Where(g => g.Key.StartsWith(PlanStatusPrefix, StringComparison.Ordinal)))
        {
            if (first)
            {
                text.Append(CultureInfo.InvariantCulture, $"# TYPE {planStatus} gauge\n");
                first = false;
            }

            text.Append(CultureInfo.InvariantCulture, $"{planStatus}{{plan=\"{LabelValue(name[PlanStatusPrefix.Length..])}\"}} {value.ToString(CultureInfo.InvariantCulture)}\n");
        }

        foreach (var (name, timer) in Timers)
        {
            var metric = PrometheusName(name) + "_seconds";
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {metric} summary\n");
            foreach (var (_, quantile) in TimerSnapshot.Quantiles)
            {
                text.Append(CultureInfo.InvariantCulture, $"{metric}{{quantile=\"{quantile.ToString(CultureInfo.InvariantCulture)}\"}} {timer.Percentile(quantile).ToString(CultureInfo.InvariantCulture)}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"{metric}_sum {timer.SumSeconds.ToString(CultureInfo.InvariantCulture)}\n{metric}_count {timer.Count}\n");
        }

        return text.ToString();
    }

    private const string PlanStatusPrefix = "plan_status.";

    private static string LabelValue(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string PrometheusName(string name) =>
        "actorscheduler_" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private static int PlanStatusValue(PlanInfo plan) => plan.Status switch
    {
        Status.Error => -1,
        Status.Complete => 0,
        Status.Pending or Status.Waiting => 1,
        _ => 2,
    };

    private static void Count(SortedDictionary<string, double> gauges, string name) => gauges[name] = gauges.GetValueOrDefault(name) + 1;
}
