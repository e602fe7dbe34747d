using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Simulation;

/// <summary>
/// Drives a <see cref="SimulatedCluster"/> through an offer storm: adds heterogeneous agents over regions and zones,
/// then, as time passes, offers R agents' resources per second (or lets the master allocate every agent each interval, as
/// a Mesos master does: <see cref="StormAllocation"/>), rescinds outstanding offers, loses (and returns) agents and marks
/// agents gone (and restarts them under new ids) at random. Every choice comes from <see cref="OfferStormOptions.Seed"/> and every action is logged in
/// <see cref="Actions"/>: with the same seed, and a framework that answers the same way, a storm does the same things.
/// </summary>
/// <remarks>
/// Each step runs on the master's queue in one piece, so the offers it picks and rescinds are the master's state at that
/// instant. Random offers are scripted (they reach a framework even if it suppressed offers or declined with a filter);
/// the master's allocations honour both. Either way, build the cluster with <c>timedAllocation: false</c> so the storm's
/// offers are the only ones. Time is the cluster's: in a test advance it virtually (<see cref="RunAsync"/>); in a
/// benchmark call <see cref="AdvanceAsync"/> with the real time that passed.
/// </remarks>
public sealed class OfferStorm
{
    private readonly SimulatedCluster _cluster;
    private readonly Random _random;
    private readonly object _gate = new();
    private readonly List<StormAction> _actions = [];
    private readonly List<string> _agents = [];

    // Rebuilt every step (kept: at 10,000 agents a new list each step would land on the large object heap).
    private readonly List<string> _eligible = [];

    // Lost agents in loss order, with when they return (null: never); gone agents likewise, with when they restart.
    private readonly List<(string AgentId, DateTimeOffset? ReturnAt)> _lost = [];
    private readonly List<(string AgentId, DateTimeOffset? RestartAt)> _gone = [];
    // Faults asked for with Force and not made yet (asking twice before one is made makes one), with the tasks (by name)
    // whose agents they may hit.
    private readonly Dictionary<StormActionKind, Func<string, bool>> _forced = [];
    private DateTimeOffset _start;
    private double _owed;
    private TimeSpan _sinceAllocation;
    private long _offersMissed;

    /// <summary>A storm over <paramref name="cluster"/>; nothing happens until <see cref="CreateAgentsAsync"/>.</summary>
    /// <exception cref="ArgumentException">The options are not valid (the message names the option).</exception>
    public OfferStorm(SimulatedCluster cluster, OfferStormOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Options = options ?? new OfferStormOptions();
        Options.Validate();
        _cluster = cluster;
        _random = new Random(Options.Seed);
    }

    /// <summary>The storm's options.</summary>
    public OfferStormOptions Options { get; }

    /// <summary>The agents the storm created, in order (a restarted agent under its new id, in the old one's place).</summary>
    public IReadOnlyList<string> AgentIds
    {
        get
        {
            lock (_gate)
            {
                return _agents.ToList();
            }
        }
    }

    /// <summary>A snapshot of every action so far, in order.</summary>
    public IReadOnlyList<StormAction> Actions
    {
        get
        {
            lock (_gate)
            {
                return _actions.ToList();
            }
        }
    }

    /// <summary>Offers that were due but not made: every reachable agent had an outstanding offer or nothing free.</summary>
    public long OffersMissed => Interlocked.Read(ref _offersMissed);

    /// <summary>
    /// Adds <see cref="OfferStormOptions.Agents"/> agents: each gets a shape picked at random, the next fault domain
    /// round-robin over every zone of every region, and the options' attributes. Returns their ids.
    /// </summary>
    /// <exception cref="InvalidOperationException">The agents were already created.</exception>
    public async Task<IReadOnlyList<string>> CreateAgentsAsync()
    {
        lock (_gate)
        {
            if (_agents.Count > 0)
            {
                throw new InvalidOperationException("The storm's agents are already created");
            }
        }

        _start = _cluster.Clock.GetUtcNow();
        for (var i = 0; i < Options.Agents; i++)
        {
            var shape = Options.Shapes[_random.Next(Options.Shapes.Length)];
            var domain = Options.DomainOf(i);
            var ids = await _cluster.AddAgentsAsync(1, shape, domain, Options.Attributes).ConfigureAwait(false);
            lock (_gate)
            {
                _agents.Add(ids[0]);
                Log(StormActionKind.AgentAdded, ids[0], $"{shape} {domain.Zone}");
            }
        }

        return AgentIds;
    }

    /// <summary>
    /// Lets <paramref name="elapsed"/> pass: the cluster's clock moves (master heartbeats, retries, filters), then the
    /// storm makes the offers that fell due (rate × elapsed, fractions carried over), each possibly followed by a
    /// rescind, an agent loss and an agent marked gone, and returns the lost agents and restarts the gone ones whose time
    /// came.
    /// </summary>
    /// <exception cref="InvalidOperationException">The agents are not created yet.</exception>
    public async Task AdvanceAsync(TimeSpan elapsed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, TimeSpan.Zero);
        lock (_gate)
        {
            if (_agents.Count == 0)
            {
                throw new InvalidOperationException("Create the storm's agents first (CreateAgentsAsync)");
            }
        }

        await _cluster.AdvanceAsync(elapsed).ConfigureAwait(false);
        await _cluster.Queue.InvokeAsync(() => Step(elapsed)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the storm for <paramref name="duration"/> of virtual time in steps of <paramref name="step"/> (default
    /// 100 ms); creates the agents first if needed.
    /// </summary>
    public async Task RunAsync(TimeSpan duration, TimeSpan? step = null)
    {
        var size = step ?? TimeSpan.FromMilliseconds(100);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(size, TimeSpan.Zero, nameof(step));
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        bool created;
        lock (_gate)
        {
            created = _agents.Count > 0;
        }

        if (!created)
        {
            await CreateAgentsAsync().ConfigureAwait(false);
        }

        while (duration > TimeSpan.Zero)
        {
            var next = duration < size ? duration : size;
            duration -= next;
            await AdvanceAsync(next).ConfigureAwait(false);
        }
    }

    /// <summary>One step on the master's queue.</summary>
    private void Step(TimeSpan elapsed)
    {
        var master = _cluster.Master;
        var now = _cluster.Clock.GetUtcNow();
        lock (_gate)
        {
            foreach (var back in _lost.Where(l => l.ReturnAt <= now).ToList())
            {
                _lost.Remove(back);
                master.ReturnAgent(back.AgentId);
                Log(StormActionKind.AgentReturned, back.AgentId);
            }

            foreach (var back in _gone.Where(g => g.RestartAt <= now).ToList())
            {
                _gone.Remove(back);
                var id = _cluster.RestartAgent(back.AgentId);
                _agents[_agents.IndexOf(back.AgentId)] = id;
                Log(StormActionKind.AgentRestarted, id, back.AgentId);
            }

            // Not offered, not picked to fail again: lost agents and gone ones.
            var lost = _lost.Select(l => l.AgentId).Concat(_gone.Select(g => g.AgentId)).ToHashSet(StringComparer.Ordinal);
            var made = MakeOffers(elapsed, lost);
            foreach (var offer in made)
            {
                Log(StormActionKind.Offer, offer.Agent.Id.Value, offer.Id.Value);
            }

            foreach (var _ in made)
            {
                // Two draws per offer, whatever happens, so one choice does not shift the next ones.
                var rescind = _random.NextDouble() < Options.RescindProbability;
                var lose = _random.NextDouble() < Options.AgentLossProbability;
                if (rescind)
                {
                    Rescind(forced: false);
                }

                if (lose)
                {
                    Fail(StormActionKind.AgentLost, _agents.Where(a => !lost.Contains(a)).ToList(), lost, now, forced: false);
                }

                // A third draw only in storms that mark agents gone: the others make the same choices as before it existed.
                if (Options.AgentGoneProbability > 0 && _random.NextDouble() < Options.AgentGoneProbability)
                {
                    Fail(StormActionKind.AgentGone, _agents.Where(a => !lost.Contains(a)).ToList(), lost, now, forced: false);
                }
            }

            MakeForcedFaults(lost, now);
        }
    }

    /// <summary>The offers due after <paramref name="elapsed"/> (none between the master's allocations), made.</summary>
    private IReadOnlyList<OutstandingOffer> MakeOffers(TimeSpan elapsed, HashSet<string> lost)
    {
        var master = _cluster.Master;
        if (Options.Allocation == StormAllocation.Master)
        {
            _sinceAllocation += elapsed;
            if (_sinceAllocation < Options.AllocationInterval)
            {
                return [];
            }

            // One allocation however many intervals passed (a step longer than the interval), as a master that was busy.
            _sinceAllocation = TimeSpan.FromTicks(_sinceAllocation.Ticks % Options.AllocationInterval.Ticks);
            return master.Allocate();
        }

        _owed += Options.OffersPerSecond * elapsed.TotalSeconds;
        var due = (int)Math.Floor(_owed);
        _owed -= due;
        if (due == 0)
        {
            return [];
        }

        var offered = master.OutstandingOffers.Select(o => o.Agent.Id.Value).ToHashSet(StringComparer.Ordinal);
        _eligible.Clear();
        foreach (var agent in _agents)
        {
            if (!lost.Contains(agent) && !offered.Contains(agent))
            {
                _eligible.Add(agent);
            }
        }

        var picked = Pick(_eligible, due).Select(_cluster.AgentById).ToList();
        IReadOnlyList<OutstandingOffer> made = picked.Count == 0 ? [] : master.Allocate(picked, ignoreFilters: true);
        _offersMissed += due - made.Count;
        return made;
    }

    /// <summary>
    /// Makes the faults <see cref="Force(StormActionKind[])"/> asked for that can be made now, in a fixed order: the rescind of an
    /// outstanding offer, then the loss of a reachable agent that runs a task, then another marked gone. One that finds
    /// nothing to hit waits for a later step.
    /// </summary>
    private void MakeForcedFaults(HashSet<string> lost, DateTimeOffset now)
    {
        if (_forced.ContainsKey(StormActionKind.Rescind) && (Rescind(forced: true) || OfferToRescind(lost)))
        {
            _forced.Remove(StormActionKind.Rescind);
        }

        foreach (var kind in (ReadOnlySpan<StormActionKind>)[StormActionKind.AgentLost, StormActionKind.AgentGone])
        {
            if (_forced.TryGetValue(kind, out var task) && Fail(kind, _agents.Where(a => !lost.Contains(a) && Runs(a, task)).ToList(), lost, now, forced: true))
            {
                _forced.Remove(kind);
            }
        }
    }

    /// <summary>
    /// With no offer outstanding (the framework answered them all, or suppressed offers and the master allocates), offers
    /// a reachable agent picked at random as a scripted offer (which reaches a framework that suppressed offers or
    /// declined the agent) and rescinds it; false if no agent could be offered.
    /// </summary>
    private bool OfferToRescind(HashSet<string> lost)
    {
        if (_agents.Where(a => !lost.Contains(a)).ToList() is not { Count: > 0 } reachable)
        {
            return false;
        }

        var made = _cluster.Master.Allocate([_cluster.AgentById(reachable[_random.Next(reachable.Count)])], ignoreFilters: true);
        foreach (var offer in made)
        {
            Log(StormActionKind.Offer, offer.Agent.Id.Value, offer.Id.Value);
        }

        return made.Count > 0 && Rescind(forced: true);
    }

    /// <summary>Whether a task whose name <paramref name="task"/> accepts runs on the agent, as the agent sees it.</summary>
    private bool Runs(string agentId, Func<string, bool> task) =>
        _cluster.AgentById(agentId).Tasks.Any(t => t.State == Messages.MesosV1.TaskState.TaskRunning && !t.Orphaned && task(t.Info.Name));

    /// <summary>Rescinds an outstanding offer picked at random; false if there is none.</summary>
    private bool Rescind(bool forced)
    {
        if (_cluster.OutstandingOffersInOrder().ToList() is not { Count: > 0 } outstanding)
        {
            return false;
        }

        var victim = outstanding[_random.Next(outstanding.Count)];
        _cluster.Master.RescindOffer(victim.Id.Value);
        Log(StormActionKind.Rescind, victim.Agent.Id.Value, victim.Id.Value, forced);
        return true;
    }

    /// <summary>
    /// Loses (<see cref="StormActionKind.AgentLost"/>) or marks gone (<see cref="StormActionKind.AgentGone"/>) one of
    /// <paramref name="candidates"/> picked at random, to return or restart after <see cref="OfferStormOptions.AgentReturnAfter"/>;
    /// false if there is none.
    /// </summary>
    private bool Fail(StormActionKind kind, List<string> candidates, HashSet<string> lost, DateTimeOffset now, bool forced)
    {
        if (candidates.Count == 0)
        {
            return false;
        }

        var agent = candidates[_random.Next(candidates.Count)];
        var back = Options.AgentReturnAfter is { } after ? now + after : (DateTimeOffset?)null;
        if (kind == StormActionKind.AgentLost)
        {
            _cluster.Master.LoseAgent(agent);
            _lost.Add((agent, back));
        }
        else
        {
            _cluster.MarkAgentGone(agent);
            _gone.Add((agent, back));
        }

        lost.Add(agent);
        Log(kind, agent, forced: forced);
        return true;
    }

    /// <summary>
    /// Makes sure the storm makes each of <paramref name="faults"/> once, whatever its dice say, at its next step, after
    /// its offers: <see cref="StormActionKind.Rescind"/> rescinds an outstanding offer (with none outstanding, it offers an
    /// agent as a scripted offer and rescinds that), <see cref="StormActionKind.AgentLost"/>
    /// loses a reachable agent where a task runs and <see cref="StormActionKind.AgentGone"/> marks another such agent gone
    /// (each picked at random, seeded, among <see cref="AgentIds"/>; they return or restart as the random ones do). A fault
    /// with nothing to hit (no agent runs a task yet) waits for a later step. Logged with <see cref="StormAction.Forced"/>.
    /// So a run short enough that its dice made no fault, or none where tasks run, still has the faults it tests.
    /// </summary>
    /// <exception cref="ArgumentException">A kind that is not one of those three faults.</exception>
    public void Force(params StormActionKind[] faults) => Force(_ => true, faults);

    /// <summary>
    /// <see cref="Force(StormActionKind[])"/>, the agent faults hitting only agents where a task whose name
    /// <paramref name="task"/> accepts runs (the pods a later scale-in keeps, say).
    /// </summary>
    /// <exception cref="ArgumentException">A kind that is not one of those three faults.</exception>
    public void Force(Func<string, bool> task, params StormActionKind[] faults)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(faults);
        foreach (var fault in faults)
        {
            if (!Forceable.Contains(fault))
            {
                throw new ArgumentException(
                    $"A storm can be made to rescind an offer, lose an agent or mark one gone ({string.Join(", ", Forceable)}), not {fault}", nameof(faults));
            }
        }

        lock (_gate)
        {
            foreach (var fault in faults)
            {
                _forced[fault] = task;
            }
        }
    }

    /// <summary>The faults <see cref="Force(StormActionKind[])"/> takes.</summary>
    public static IReadOnlySet<StormActionKind> Forceable { get; } =
        new HashSet<StormActionKind> { StormActionKind.Rescind, StormActionKind.AgentLost, StormActionKind.AgentGone };

    /// <summary><paramref name="count"/> distinct items at random (a partial Fisher–Yates shuffle), all if fewer.</summary>
    private List<string> Pick(List<string> items, int count)
    {
        var n = Math.Min(count, items.Count);
        for (var i = 0; i < n; i++)
        {
            var j = i + _random.Next(items.Count - i);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items.GetRange(0, n);
    }

    private void Log(StormActionKind kind, string agentId, string? detail = null, bool forced = false) =>
        _actions.Add(new StormAction(_actions.Count, _cluster.Clock.GetUtcNow() - _start, kind, agentId, detail) { Forced = forced });
}
