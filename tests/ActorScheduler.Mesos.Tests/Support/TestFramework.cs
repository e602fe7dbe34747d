using System.Threading.Channels;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>
/// A scheduler for tests: subscribes through <see cref="MesosSchedulerClient"/> (or, with <see cref="StartRawAsync"/>,
/// over plain HTTP), pumps events into a buffer and lets tests await the next matching event with a timeout (events
/// skipped meanwhile stay available).
/// </summary>
internal sealed class TestFramework : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private readonly Channel<Event> _incoming = Channel.CreateUnbounded<Event>();
    private readonly List<Event> _backlog = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly MesosSchedulerClient? _client;
    private readonly MesosSubscription? _subscription;
    private readonly RawSchedulerConnection? _raw;
    private Task _pump = Task.CompletedTask;

    private TestFramework(MesosSchedulerClient client, MesosSubscription subscription)
    {
        _client = client;
        _subscription = subscription;
    }

    private TestFramework(RawSchedulerConnection raw)
    {
        _raw = raw;
    }

    public MesosSchedulerClient Client => _client ?? throw new InvalidOperationException("a raw-HTTP framework has no client");

    public MesosSubscription Subscription => _subscription ?? throw new InvalidOperationException("a raw-HTTP framework has no client subscription");

    /// <summary>The raw connection of a framework started with <see cref="StartRawAsync"/>.</summary>
    public RawSchedulerConnection Raw => _raw ?? throw new InvalidOperationException("this framework uses the client");

    public FrameworkID FrameworkId { get; private set; } = new();

    public Exception? StreamError { get; private set; }

    public static FrameworkInfo Info(string role = "test-role", double failoverTimeout = 0, bool multiRole = false, bool taskKillingState = false, bool partitionAware = false)
    {
        var info = new FrameworkInfo { User = "nobody", Name = "test-framework", FailoverTimeout = failoverTimeout };
        if (taskKillingState)
        {
            info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.TaskKillingState });
        }

        if (partitionAware)
        {
            info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.PartitionAware });
        }

        if (multiRole)
        {
            info.Roles.Add(role);
            info.Capabilities.Add(new FrameworkInfo.Types.Capability { Type = FrameworkInfo.Types.Capability.Types.Type.MultiRole });
        }
        else
        {
            info.Role = role;
        }

        return info;
    }

    /// <summary>Subscribes and waits for SUBSCRIBED.</summary>
    public static async Task<TestFramework> StartAsync(Uri master, FrameworkInfo info, MesosContentType contentType = MesosContentType.Protobuf)
    {
        var client = new MesosSchedulerClient(master, new MesosClientOptions { ContentType = contentType, RequestTimeout = TimeSpan.FromSeconds(30) });
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var subscription = await client.SubscribeAsync(info, timeout.Token);
        var framework = new TestFramework(client, subscription);
        framework._pump = framework.PumpAsync();
        var subscribed = await framework.NextAsync(e => e.Type == Event.Types.Type.Subscribed);
        framework.FrameworkId = subscribed.Subscribed.FrameworkId;
        return framework;
    }

    /// <summary>Subscribes over plain HTTP with JSON (see <see cref="RawSchedulerConnection"/>) and waits for SUBSCRIBED.</summary>
    public static async Task<TestFramework> StartRawAsync(Uri master, FrameworkInfo info)
    {
        var call = new Call { Type = Call.Types.Type.Subscribe, Subscribe = new Call.Types.Subscribe { FrameworkInfo = info } };
        if (info.Id is not null)
        {
            call.FrameworkId = info.Id.Clone();
        }

        var framework = new TestFramework(await RawSchedulerConnection.SubscribeAsync(master, call));
        framework._pump = framework.PumpAsync();
        var subscribed = await framework.NextAsync(e => e.Type == Event.Types.Type.Subscribed);
        framework.FrameworkId = subscribed.Subscribed.FrameworkId;
        return framework;
    }

    /// <summary>The next events of the stream until it ends (fails if it does not end within the timeout).</summary>
    public async Task<List<Event>> RemainingEventsAsync(TimeSpan? timeout = null)
    {
        var events = new List<Event>(_backlog);
        _backlog.Clear();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await foreach (var evt in _incoming.Reader.ReadAllAsync(cts.Token))
            {
                events.Add(evt);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The stream did not end within {timeout ?? DefaultTimeout}; seen: {string.Join(", ", events.Select(e => e.Type))}");
        }

        return events;
    }

    public async Task<Event> NextAsync(Func<Event, bool> predicate, TimeSpan? timeout = null)
    {
        var index = _backlog.FindIndex(e => predicate(e));
        if (index >= 0)
        {
            var found = _backlog[index];
            _backlog.RemoveAt(index);
            return found;
        }

        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var evt = await _incoming.Reader.ReadAsync(cts.Token);
                if (predicate(evt))
                {
                    return evt;
                }

                _backlog.Add(evt);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching event within {timeout ?? DefaultTimeout}; seen: {string.Join(", ", _backlog.Select(e => e.Type))}; stream error: {StreamError?.Message}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"Event stream ended; seen: {string.Join(", ", _backlog.Select(e => e.Type))}; stream error: {StreamError?.Message}");
        }
    }

    public async Task<Offer> NextOfferAsync(Func<Offer, bool>? predicate = null, TimeSpan? timeout = null)
    {
        var evt = await NextAsync(e => e.Type == Event.Types.Type.Offers && e.Offers.Offers_.Any(o => predicate?.Invoke(o) ?? true), timeout);
        var offer = evt.Offers.Offers_.First(o => predicate?.Invoke(o) ?? true);

        // The other offers of the event stay available (they are outstanding until accepted or declined).
        var rest = evt.Clone();
        rest.Offers.Offers_.Remove(offer);
        if (rest.Offers.Offers_.Count > 0)
        {
            _backlog.Insert(0, rest);
        }

        return offer;
    }

    public async Task<TaskStatus> NextUpdateAsync(string taskId, TaskState? state = null, TimeSpan? timeout = null)
    {
        var evt = await NextAsync(
            e => e.Type == Event.Types.Type.Update && e.Update.Status.TaskId.Value == taskId && (state is null || e.Update.Status.State == state),
            timeout);
        return evt.Update.Status;
    }

    /// <summary>Waits for the given state, acknowledging every update of the task on the way.</summary>
    public async Task<TaskStatus> AwaitStateAcknowledgingAsync(string taskId, TaskState state, TimeSpan? timeout = null)
    {
        while (true)
        {
            var status = await NextUpdateAsync(taskId, null, timeout);
            await AcknowledgeAsync(status);
            if (status.State == state)
            {
                return status;
            }
        }
    }

    /// <summary>Every update of the task, acknowledged in turn, up to and including the first that matches <paramref name="until"/>.</summary>
    public async Task<List<TaskStatus>> CollectUpdatesAsync(string taskId, Func<TaskStatus, bool> until, TimeSpan? timeout = null)
    {
        var updates = new List<TaskStatus>();
        while (true)
        {
            var status = await NextUpdateAsync(taskId, null, timeout);
            await AcknowledgeAsync(status);
            updates.Add(status);
            if (until(status))
            {
                return updates;
            }
        }
    }

    public async Task SendAsync(Call call)
    {
        call.FrameworkId ??= FrameworkId.Clone();
        if (_raw is not null)
        {
            using var response = await _raw.PostAsync(call);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{call.Type} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            return;
        }

        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Client.SendAsync(call, timeout.Token);
    }

    public Task AcknowledgeAsync(TaskStatus status)
    {
        if (!status.HasUuid)
        {
            return Task.CompletedTask;
        }

        return SendAsync(new Call
        {
            Type = Call.Types.Type.Acknowledge,
            Acknowledge = new Call.Types.Acknowledge { AgentId = status.AgentId, TaskId = status.TaskId, Uuid = status.Uuid },
        });
    }

    /// <summary>The next UPDATE_OPERATION_STATUS for the operation (in any state unless one is given).</summary>
    public async Task<OperationStatus> NextOperationUpdateAsync(string operationId, OperationState? state = null, TimeSpan? timeout = null)
    {
        var evt = await NextAsync(
            e => e.Type == Event.Types.Type.UpdateOperationStatus && e.UpdateOperationStatus.Status.OperationId?.Value == operationId
                && (state is null || e.UpdateOperationStatus.Status.State == state),
            timeout);
        return evt.UpdateOperationStatus.Status;
    }

    public Task AcknowledgeOperationAsync(OperationStatus status) =>
        SendAsync(new Call
        {
            Type = Call.Types.Type.AcknowledgeOperationStatus,
            AcknowledgeOperationStatus = new Call.Types.AcknowledgeOperationStatus
            {
                AgentId = status.AgentId,
                OperationId = status.OperationId,
                Uuid = status.Uuid.Value,
            },
        });

    /// <summary>RECONCILE_OPERATIONS for the given (operation id, agent id or null) pairs; none: implicit.</summary>
    public Task ReconcileOperationsAsync(params (string OperationId, string? AgentId)[] operations)
    {
        var reconcile = new Call.Types.ReconcileOperations();
        foreach (var (operationId, agentId) in operations)
        {
            var item = new Call.Types.ReconcileOperations.Types.Operation { OperationId = new OperationID { Value = operationId } };
            if (agentId is not null)
            {
                item.AgentId = new AgentID { Value = agentId };
            }

            reconcile.Operations.Add(item);
        }

        return SendAsync(new Call { Type = Call.Types.Type.ReconcileOperations, ReconcileOperations = reconcile });
    }

    public Task DeclineAsync(Offer offer, double refuseSeconds = 0)
    {
        var call = new Call
        {
            Type = Call.Types.Type.Decline,
            Decline = new Call.Types.Decline { Filters = new Filters { RefuseSeconds = refuseSeconds } },
        };
        call.Decline.OfferIds.Add(offer.Id);
        return SendAsync(call);
    }

    public Task AcceptAsync(Offer offer, params Offer.Types.Operation[] operations)
    {
        var call = new Call
        {
            Type = Call.Types.Type.Accept,
            Accept = new Call.Types.Accept { Filters = new Filters { RefuseSeconds = 0 } },
        };
        call.Accept.OfferIds.Add(offer.Id);
        call.Accept.Operations.AddRange(operations);
        return SendAsync(call);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }

        if (_raw is not null)
        {
            await _raw.DisposeAsync();
        }

        try
        {
            await _pump;
        }
        catch (Exception)
        {
            // Reported through StreamError.
        }

        _client?.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            var events = _raw is not null ? _raw.ReadEventsAsync(_stop.Token) : Subscription.ReadEventsAsync(_stop.Token);
            await foreach (var evt in events)
            {
                await _incoming.Writer.WriteAsync(evt);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StreamError = e;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _incoming.Writer.TryComplete();
        }
    }
}
