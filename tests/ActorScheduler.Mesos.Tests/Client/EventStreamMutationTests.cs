using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Tests.Shared;

namespace ActorScheduler.Mesos.Tests.Client;

/// <summary>
/// Property: whatever bytes a master (or a proxy, or a broken connection) puts on the event stream — bad length
/// prefixes, truncated records, garbage protobuf or JSON — the client's <see cref="MesosSubscription.ReadEventsAsync"/>
/// yields events and ends, or throws <see cref="MesosConnectionException"/> saying what was wrong: never another
/// exception, never a hang, and never the allocation a corrupt length prefix claims. Seeded mutations of a valid
/// stream of every event type the scheduler reads, in both encodings.
/// </summary>
public sealed class EventStreamMutationTests
{
    [Theory]
    [InlineData(MesosContentType.Protobuf, 3601)]
    [InlineData(MesosContentType.Json, 3602)]
    public async Task Mutated_event_streams_yield_events_or_a_connection_error(MesosContentType contentType, int testSeed)
    {
        var seed = Mutations.Seed(testSeed);
        var random = new Random(seed);
        var records = ValidEvents().Select(e => MesosCodec.Encode(e, contentType)).ToList();
        var stream = records.SelectMany(r => RecordIoWriter.Frame(r)).ToArray();
        for (var i = 0; i < Mutations.Iterations(10_000); i++)
        {
            // The framed stream as a whole (prefixes, framing, payloads); or one payload re-framed with its right length,
            // so the decoder, not the framing, meets the garbage; or one length prefix that lies about its record.
            var mutated = random.Next(3) switch
            {
                0 => Mutations.Mutate(stream, random),
                1 => Frame(records.Select((r, n) => n == random.Next(records.Count) ? Mutations.Mutate(r, random) : r)),
                _ => LyingPrefix(records, random),
            };

            var problem = await ReadAllAsync(mutated, contentType);
            if (problem is not null)
            {
                throw Mutations.Failure($"{contentType} event stream", seed, i, problem, Mutations.Show(mutated));
            }
        }
    }

    private static byte[] Frame(IEnumerable<byte[]> records) => records.Where(r => r.Length > 0).SelectMany(r => RecordIoWriter.Frame(r)).ToArray();

    /// <summary>The stream with one record's length line replaced: off by one, doubled, just under the reader's limit, or random.</summary>
    private static byte[] LyingPrefix(List<byte[]> records, Random random)
    {
        var at = random.Next(records.Count);
        var length = records[at].Length;
        var claimed = random.Next(5) switch
        {
            0 => length - 1,
            1 => length + 1,
            2 => length * 2,
            3 => RecordIoReader.DefaultMaxRecordBytes - random.Next(1024),
            _ => random.Next(1, int.MaxValue),
        };
        var prefix = System.Text.Encoding.ASCII.GetBytes(claimed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return Frame(records.Take(at)).Concat(prefix).Concat(records[at]).Concat(Frame(records.Skip(at + 1))).ToArray();
    }

    /// <summary>Null when the stream read as the property says; else what went wrong.</summary>
    private static async Task<string?> ReadAllAsync(byte[] bytes, MesosContentType contentType)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var subscription = new MesosSubscription(new HttpResponseMessage(), new MemoryStream(bytes), "stream", contentType, _ => { },
            TimeSpan.FromSeconds(10));

        // A MemoryStream completes every read at once, so the whole read runs on this thread and its allocations count here.
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            await foreach (var _ in subscription.ReadEventsAsync(timeout.Token))
            {
            }
        }
        catch (MesosConnectionException e) when (!string.IsNullOrWhiteSpace(e.Message))
        {
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return "hung (no end within 10 s)";
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}";
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var bound = (64 * bytes.Length) + (1024 * 1024);
        return allocated > bound ? $"allocated {allocated} bytes reading {bytes.Length} (more than {bound})" : null;
    }

    /// <summary>One event of each type the scheduler handles, filled as a master fills them.</summary>
    private static IEnumerable<Event> ValidEvents()
    {
        var framework = new FrameworkID { Value = "M-0001" };
        var agent = new AgentID { Value = "M-S0" };
        yield return new Event
        {
            Type = Event.Types.Type.Subscribed,
            Subscribed = new Event.Types.Subscribed
            {
                FrameworkId = framework,
                HeartbeatIntervalSeconds = 15,
                MasterInfo = new MasterInfo { Id = "M", Ip = 2130706433, Port = 5050, Hostname = "localhost" },
            },
        };
        yield return new Event { Type = Event.Types.Type.Heartbeat };
        var offer = new Offer
        {
            Id = new OfferID { Value = "M-O1" },
            FrameworkId = framework,
            AgentId = agent,
            Hostname = "agent-0",
            Resources =
            {
                Support.Resources.Scalar("cpus", 2, "role"),
                Support.Resources.Scalar("mem", 1024),
                Support.Resources.Ports((31000, 32000)),
            },
        };
        offer.Attributes.Add(new Messages.MesosV1.Attribute { Name = "zone", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "a" } });
        yield return new Event { Type = Event.Types.Type.Offers, Offers = new Event.Types.Offers { Offers_ = { offer } } };
        yield return new Event
        {
            Type = Event.Types.Type.Update,
            Update = new Event.Types.Update
            {
                Status = new TaskStatus
                {
                    TaskId = new TaskID { Value = "hello-0-server__1" },
                    State = TaskState.TaskRunning,
                    AgentId = agent,
                    Source = TaskStatus.Types.Source.Executor,
                    Uuid = Google.Protobuf.ByteString.CopyFrom(Enumerable.Range(1, 16).Select(b => (byte)b).ToArray()),
                    Message = "running",
                    Timestamp = 1_700_000_000.5,
                },
            },
        };
        yield return new Event { Type = Event.Types.Type.Rescind, Rescind = new Event.Types.Rescind { OfferId = new OfferID { Value = "M-O1" } } };
        yield return new Event { Type = Event.Types.Type.Failure, Failure = new Event.Types.Failure { AgentId = agent } };
        yield return new Event { Type = Event.Types.Type.Error, Error = new Event.Types.Error { Message = "Framework has been removed" } };
    }
}
