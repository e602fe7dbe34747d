using System.Runtime.CompilerServices;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Simulation;

/// <summary>
/// A scheduler's transport to a <see cref="SimulatedCluster"/>: calls go through the master's own validation and
/// state machine on its serial queue (after each call the agents are polled, so a kill ends its task at once);
/// events are read from the subscription's stream. Both are recorded in the cluster's history.
/// </summary>
internal sealed class SimulatedConnection : IMesosConnection
{
    private readonly SimulatedCluster _cluster;
    private string? _streamId;

    public SimulatedConnection(SimulatedCluster cluster)
    {
        _cluster = cluster;
    }

    public Task<IMesosEventStream> SubscribeAsync(FrameworkInfo framework, CancellationToken ct)
    {
        var call = new Call
        {
            Type = Call.Types.Type.Subscribe,
            Subscribe = new Call.Types.Subscribe { FrameworkInfo = framework.Clone() },
        };
        if (framework.Id is not null)
        {
            call.FrameworkId = framework.Id.Clone();
        }

        if (CallValidator.Validate(call) is { } invalid)
        {
            throw new MesosCallException(400, $"Failed to validate scheduler::Call: {invalid}");
        }

        var stream = new SchedulerStream(MesosContentType.Protobuf);
        _cluster.Record(call, null, 200);
        if (!_cluster.Queue.Post(() => _cluster.Master.Subscribe(call, stream)))
        {
            throw new MesosConnectionException("The simulated master has stopped");
        }

        _streamId = stream.StreamId;
        return Task.FromResult<IMesosEventStream>(new EventStream(_cluster, stream));
    }

    public async Task SendAsync(Call call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        var sentAt = DateTimeOffset.UtcNow;
        if (CallValidator.Validate(call) is { } invalid)
        {
            _cluster.Record(call, null, 400, sentAt);
            throw new MesosCallException(400, $"Failed to validate scheduler::Call: {invalid}");
        }

        // The call goes to the master as it is (IMesosConnection: a sent call does not change); copying every ACCEPT's
        // task infos was a twentieth of what a storm allocated.
        var streamId = _streamId;
        CallResult result;
        try
        {
            result = await _cluster.Queue.InvokeAsync(() =>
            {
                var answer = _cluster.Master.Handle(call, streamId);
                _cluster.Record(call, null, answer.StatusCode, sentAt);
                if (call.Type is Call.Types.Type.Kill)
                {
                    // The kill may have ended the task's process: let its agent notice now. (Every call already sends
                    // what it made sendable; a poll of every agent per call would cost O(agents) per call in a storm.)
                    _cluster.Master.PollAgentOfTask(call.Kill.TaskId.Value);
                }
                else if (call.Type is Call.Types.Type.Shutdown or Call.Types.Type.Teardown)
                {
                    _cluster.Master.PollAgents();
                }

                return answer;
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException e)
        {
            throw new MesosConnectionException("The simulated master has stopped", e);
        }

        if (result.StatusCode is < 200 or >= 300)
        {
            throw new MesosCallException(result.StatusCode, result.Body);
        }
    }

    public void Dispose()
    {
    }

    private sealed class EventStream : IMesosEventStream
    {
        private readonly SimulatedCluster _cluster;
        private readonly SchedulerStream _stream;

        public EventStream(SimulatedCluster cluster, SchedulerStream stream)
        {
            _cluster = cluster;
            _stream = stream;
        }

        public string StreamId => _stream.StreamId;

        public async IAsyncEnumerable<Event> ReadEventsAsync([EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var evt in _stream.Events.ReadAllAsync(ct).ConfigureAwait(false))
            {
                _cluster.Record(null, evt, 0);
                yield return evt;
            }
        }

        public ValueTask DisposeAsync()
        {
            _cluster.Queue.Post(() => _cluster.Master.Disconnected(_stream));
            return ValueTask.CompletedTask;
        }
    }
}
