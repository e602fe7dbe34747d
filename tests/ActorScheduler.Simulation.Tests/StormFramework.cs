using System.Threading.Channels;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// A bare framework on a <see cref="SimulatedCluster"/> for storm tests: it subscribes, reads every event (so the
/// cluster's history records them) and answers nothing unless told to. Holding its offers makes a storm's run depend on
/// the seed alone.
/// </summary>
internal sealed class StormFramework : IAsyncDisposable
{
    private readonly IMesosConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>();
    private readonly TaskCompletionSource<FrameworkID> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Event> _seen = [];
    private int _acknowledged;
    private TaskCompletionSource _more = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMesosEventStream? _stream;
    private Task _reader = Task.CompletedTask;

    private StormFramework(SimulatedCluster cluster)
    {
        _connection = cluster.Connect();
    }

    public FrameworkID Id { get; private set; } = new();

    public static async Task<StormFramework> SubscribeAsync(SimulatedCluster cluster, params FrameworkInfo.Types.Capability.Types.Type[] capabilities)
    {
        var framework = new StormFramework(cluster);
        var info = new FrameworkInfo { User = "nobody", Name = "storm-test", Role = "storm", FailoverTimeout = 0 };
        info.Capabilities.AddRange(capabilities.Select(c => new FrameworkInfo.Types.Capability { Type = c }));
        framework._stream = await framework._connection.SubscribeAsync(info, CancellationToken.None);
        framework._reader = Task.Run(framework.ReadAsync);
        framework.Id = await framework._subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return framework;
    }

    /// <summary>ACCEPT of <paramref name="offer"/> launching one tiny task named <paramref name="taskName"/>.</summary>
    public Task LaunchAsync(Offer offer, string taskName)
    {
        var task = new TaskInfo
        {
            Name = taskName,
            TaskId = new TaskID { Value = taskName + "-id" },
            AgentId = offer.AgentId.Clone(),
            Command = new CommandInfo { Value = "sleep 1000" },
        };
        task.Resources.Add(Unreserved(offer, "cpus", 0.1));
        task.Resources.Add(Unreserved(offer, "mem", 32));

        var launch = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Launch, Launch = new Offer.Types.Operation.Types.Launch() };
        launch.Launch.TaskInfos.Add(task);
        var call = new Call { Type = Call.Types.Type.Accept, FrameworkId = Id.Clone(), Accept = new Call.Types.Accept() };
        call.Accept.OfferIds.Add(offer.Id.Clone());
        call.Accept.Operations.Add(launch);
        return _connection.SendAsync(call, CancellationToken.None);
    }

    /// <summary>
    /// ACCEPT of <paramref name="offer"/> launching one task named <paramref name="taskName"/> (0.1 cpus, 32 MB) in a task
    /// group on <paramref name="executor"/> (new or already running).
    /// </summary>
    public Task LaunchGroupAsync(Offer offer, ExecutorInfo executor, string taskName)
    {
        var task = new TaskInfo
        {
            Name = taskName,
            TaskId = new TaskID { Value = taskName + "-id" },
            AgentId = offer.AgentId.Clone(),
            Command = new CommandInfo { Value = "sleep 1000" },
            Resources = { Unreserved(offer, "cpus", 0.1), Unreserved(offer, "mem", 32) },
        };
        var group = new Offer.Types.Operation.Types.LaunchGroup { Executor = executor, TaskGroup = new TaskGroupInfo { Tasks = { task } } };
        var call = new Call { Type = Call.Types.Type.Accept, FrameworkId = Id.Clone(), Accept = new Call.Types.Accept() };
        call.Accept.OfferIds.Add(offer.Id.Clone());
        call.Accept.Operations.Add(new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.LaunchGroup, LaunchGroup = group });
        return _connection.SendAsync(call, CancellationToken.None);
    }

    /// <summary>ACCEPT of <paramref name="offer"/> reserving <paramref name="amount"/> of resource <paramref name="name"/> for the framework's role.</summary>
    public Task ReserveAsync(Offer offer, string name, double amount)
    {
        var resource = Unreserved(offer, name, amount);
        resource.Reservations.Add(new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Dynamic, Role = "storm", Principal = "storm-test" });
        var reserve = new Offer.Types.Operation { Type = Offer.Types.Operation.Types.Type.Reserve, Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { resource } } };
        var call = new Call { Type = Call.Types.Type.Accept, FrameworkId = Id.Clone(), Accept = new Call.Types.Accept() };
        call.Accept.OfferIds.Add(offer.Id.Clone());
        call.Accept.Operations.Add(reserve);
        return _connection.SendAsync(call, CancellationToken.None);
    }

    /// <summary><paramref name="amount"/> of <paramref name="offer"/>'s resource <paramref name="name"/>, as offered.</summary>
    public static Resource Unreserved(Offer offer, string name, double amount)
    {
        var resource = offer.Resources.First(r => r.Name == name).Clone();
        resource.Scalar = new Value.Types.Scalar { Value = amount };
        return resource;
    }

    /// <summary>DECLINE of <paramref name="offerIds"/> with a filter of <paramref name="refuseSeconds"/>.</summary>
    public Task DeclineAsync(IEnumerable<string> offerIds, double refuseSeconds)
    {
        var decline = new Call.Types.Decline { Filters = new Filters { RefuseSeconds = refuseSeconds } };
        decline.OfferIds.AddRange(offerIds.Select(id => new OfferID { Value = id }));
        return _connection.SendAsync(new Call { Type = Call.Types.Type.Decline, FrameworkId = Id.Clone(), Decline = decline }, CancellationToken.None);
    }

    /// <summary>KILL of a task this framework launched.</summary>
    public Task KillAsync(string taskId, AgentID agentId) =>
        _connection.SendAsync(new Call
        {
            Type = Call.Types.Type.Kill,
            FrameworkId = Id.Clone(),
            Kill = new Call.Types.Kill { TaskId = new TaskID { Value = taskId }, AgentId = agentId.Clone() },
        }, CancellationToken.None);

    /// <summary>SUPPRESS of every role: no more offers until a REVIVE.</summary>
    public Task SuppressAsync() =>
        _connection.SendAsync(new Call { Type = Call.Types.Type.Suppress, FrameworkId = Id.Clone(), Suppress = new Call.Types.Suppress() }, CancellationToken.None);

    /// <summary>The next event matching <paramref name="match"/> (others are skipped), within 10 s.</summary>
    public async Task<Event> NextAsync(Func<Event, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var evt = await _events.Reader.ReadAsync(timeout.Token);
            if (match(evt))
            {
                return evt;
            }
        }
    }

    /// <summary>ACKNOWLEDGE of every status update read so far that carries a UUID and was not acknowledged yet.</summary>
    public async Task AcknowledgeAllAsync()
    {
        List<ActorScheduler.Messages.MesosV1.TaskStatus> due;
        lock (_seen)
        {
            due = _seen.Where(e => e.Type == Event.Types.Type.Update && !e.Update.Status.Uuid.IsEmpty).Select(e => e.Update.Status).Skip(_acknowledged).ToList();
            _acknowledged += due.Count;
        }

        foreach (var status in due)
        {
            await _connection.SendAsync(new Call
            {
                Type = Call.Types.Type.Acknowledge,
                FrameworkId = Id.Clone(),
                Acknowledge = new Call.Types.Acknowledge { AgentId = status.AgentId.Clone(), TaskId = status.TaskId.Clone(), Uuid = status.Uuid },
            }, CancellationToken.None);
        }
    }

    /// <summary>Whether an event matching <paramref name="match"/> was read already.</summary>
    public bool HasSeen(Func<Event, bool> match)
    {
        lock (_seen)
        {
            return _seen.Any(match);
        }
    }

    /// <summary>The first event ever read that matches <paramref name="match"/>, waiting up to 10 s for it.</summary>
    public async Task<Event> SeenAsync(Func<Event, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            Task more;
            lock (_seen)
            {
                if (_seen.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                more = _more.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("No matching event within 10 s");
            }

            await Task.WhenAny(more, Task.Delay(left));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _connection.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var evt in _stream!.ReadEventsAsync(_stop.Token))
            {
                if (evt.Type == Event.Types.Type.Subscribed)
                {
                    _subscribed.TrySetResult(evt.Subscribed.FrameworkId);
                }
                else
                {
                    _events.Writer.TryWrite(evt);
                    TaskCompletionSource more;
                    lock (_seen)
                    {
                        _seen.Add(evt);
                        more = _more;
                        _more = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    more.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
