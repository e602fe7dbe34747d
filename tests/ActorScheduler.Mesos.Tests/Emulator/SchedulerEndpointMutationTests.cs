using System.Net;
using System.Text;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Tests.Shared;
using Google.Protobuf;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>
/// Property: whatever a scheduler POSTs to the emulator's <c>/api/v1/scheduler</c> — valid calls of every type with
/// flipped, inserted or deleted bytes, truncated, with wrong field types or unknown enum values, under a wrong
/// Content-Type, Accept or <c>Mesos-Stream-Id</c> — the answer is a 2xx, or a 4xx with a message, never a 5xx or a
/// dropped connection (but a call whose type became UNKNOWN, which a Mesos master answers 501 Not Implemented, as the
/// emulator does); and afterwards the master still serves the subscribed framework (a valid call succeeds) with
/// consistent books: on every agent, what its tasks use plus what is offered fits in what it has.
/// </summary>
public sealed class SchedulerEndpointMutationTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private MesosEmulator _emulator = null!;
    private TestFramework _framework = null!;

    // A mutation that turns a call's type into UNKNOWN (0): a master answers 501 Not Implemented with this text
    // (found with seed 202 at five times the mutations).
    private const string UnknownCallType = "Received an unknown call type";

    private Uri Endpoint => new(_emulator.Url, "api/v1/scheduler");

    public async Task InitializeAsync()
    {
        _emulator = await MesosEmulator.StartAsync(TestEmulator.Options(_dir.Path, agents: 2));
        _framework = await TestFramework.StartAsync(_emulator.Url, TestFramework.Info());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _framework.DisposeAsync();
        await _emulator.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData(MesosContentType.Protobuf, 3611)]
    [InlineData(MesosContentType.Json, 3612)]
    public async Task Mutated_calls_get_a_2xx_or_a_4xx_with_a_message_and_leave_the_master_consistent(MesosContentType contentType, int testSeed)
    {
        var seed = Mutations.Seed(testSeed);
        var random = new Random(seed);
        var offer = await _framework.NextOfferAsync();
        var calls = ValidCalls(offer);
        var iterations = Mutations.Iterations(3_000);
        for (var i = 0; i < iterations; i++)
        {
            var valid = calls[random.Next(calls.Count)];
            var body = MesosCodec.Encode(valid, contentType);
            body = contentType == MesosContentType.Json
                ? Encoding.UTF8.GetBytes(Mutations.Mutate(Encoding.UTF8.GetString(body), random))
                : Mutations.Mutate(body, random);
            var headers = Headers.For(contentType, _framework.Subscription.StreamId, random);
            if (EndsTheFramework(body, headers.ContentType))
            {
                continue;
            }

            var problem = await PostAsync(body, headers);
            if (problem is not null)
            {
                throw Mutations.Failure($"POST {SchedulerHttpHandler.SchedulerPath} ({valid.Type})", seed, i, $"{problem} with {headers}",
                    contentType == MesosContentType.Json ? Mutations.Show(Encoding.UTF8.GetString(body)) : Mutations.Show(body));
            }

            if (i % 100 == 99 || i == iterations - 1)
            {
                // The next mutations start from a fresh offer, so ACCEPTs keep reaching the operations' checks.
                offer = await AssertStillServedAsync(offer, seed, i);
                calls = ValidCalls(offer);
            }
        }
    }

    /// <summary>Null when the answer is as the property says; else what was wrong with it.</summary>
    private async Task<string?> PostAsync(byte[] body, Headers headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        headers.Apply(request);
        HttpResponseMessage response;
        try
        {
            // A SUBSCRIBE that succeeds streams for ever: its headers are the answer, then the connection is closed.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"the connection failed ({e.GetType().Name}: {e.Message})";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return null;
            }

            var text = await response.Content.ReadAsStringAsync();
            return (status is >= 400 and < 500 && !string.IsNullOrWhiteSpace(text)) || (status == 501 && text == UnknownCallType)
                ? null
                : $"answered {status} '{text}'";
        }
    }

    /// <summary>
    /// Whether the master would take the mutated call as the framework's own TEARDOWN or failover SUBSCRIBE: both are
    /// valid and end the session the property checks afterwards, so such a mutation is skipped, not sent.
    /// </summary>
    private bool EndsTheFramework(byte[] body, string? contentType)
    {
        if (!MesosCodec.TryParseMediaType(contentType, out var encoding))
        {
            return false;
        }

        try
        {
            var call = MesosCodec.Decode<Call>(body, encoding);
            return call.FrameworkId?.Value == _framework.FrameworkId.Value
                && call.Type is Call.Types.Type.Teardown or Call.Types.Type.Subscribe;
        }
        catch (MesosDecodeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Asserts the framework is still served — it declines the last offer (if no mutation used it), revives and gets an
    /// offer — and the books add up; returns the new offer.
    /// </summary>
    private async Task<Offer> AssertStillServedAsync(Offer last, int seed, int iteration)
    {
        Offer offer;
        try
        {
            await _framework.DeclineAsync(last);
            await _framework.SendAsync(new Call { Type = Call.Types.Type.Revive });
            offer = await _framework.NextOfferAsync(timeout: TimeSpan.FromSeconds(10));
        }
        catch (Exception e)
        {
            throw Mutations.Failure("the subscribed framework", seed, iteration, $"got no REVIVE and offer afterwards: {e.Message}", "(the mutations before it)");
        }

        var overbooked = await _emulator.InvokeAsync(master => master.Agents
            .Select(agent =>
            {
                var held = agent.Used();
                foreach (var offer in master.OutstandingOffers.Where(o => o.Agent == agent))
                {
                    held.AddAll(offer.Resources.Resources);
                }

                return agent.Total.ContainsAll(held) ? null : $"agent {agent.Id.Value}: used + offered {Describe(held)} exceeds its total {Describe(agent.Total)}";
            })
            .OfType<string>()
            .ToList());
        if (overbooked.Count > 0)
        {
            throw Mutations.Failure("the master's books", seed, iteration, string.Join("; ", overbooked), "(the mutations before it)");
        }

        return offer;
    }

    private static string Describe(ResourcePool pool) =>
        string.Join(", ", pool.Resources.Select(r => $"{r.Name}({ResourceFormat.ReservationRole(r)}):{r.Scalar?.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? r.Type.ToString()}"));

    /// <summary>One valid call of each type a scheduler sends (but TEARDOWN), about the given offer and a task on its agent.</summary>
    private List<Call> ValidCalls(Offer offer)
    {
        var id = _framework.FrameworkId;
        var task = new TaskInfo
        {
            Name = "mutant",
            TaskId = new TaskID { Value = "mutant-0" },
            AgentId = offer.AgentId,
            Command = new CommandInfo { Value = "true", Shell = true },
            Resources = { Support.Resources.Scalar("cpus", 0.1, "test-role"), Support.Resources.Scalar("mem", 32, "test-role") },
        };
        var accept = new Call
        {
            Type = Call.Types.Type.Accept,
            Accept = new Call.Types.Accept
            {
                OfferIds = { offer.Id },
                Operations =
                {
                    Support.Resources.Reserve(Support.Resources.Scalar("cpus", 0.1, "test-role"), Support.Resources.Scalar("mem", 32, "test-role")),
                    Support.Resources.Launch(task),
                },
                Filters = new Filters { RefuseSeconds = 1 },
            },
        };
        var uuid = ByteString.CopyFrom(Enumerable.Range(1, 16).Select(b => (byte)b).ToArray());
        var subscribe = new Call { Type = Call.Types.Type.Subscribe, Subscribe = new Call.Types.Subscribe { FrameworkInfo = TestFramework.Info("other-role") } };
        List<Call> calls =
        [
            accept,
            new() { Type = Call.Types.Type.Decline, Decline = new Call.Types.Decline { OfferIds = { offer.Id }, Filters = new Filters { RefuseSeconds = 0 } } },
            new() { Type = Call.Types.Type.Kill, Kill = new Call.Types.Kill { TaskId = task.TaskId, AgentId = offer.AgentId } },
            new() { Type = Call.Types.Type.Acknowledge, Acknowledge = new Call.Types.Acknowledge { TaskId = task.TaskId, AgentId = offer.AgentId, Uuid = uuid } },
            new()
            {
                Type = Call.Types.Type.Reconcile,
                Reconcile = new Call.Types.Reconcile { Tasks = { new Call.Types.Reconcile.Types.Task { TaskId = task.TaskId, AgentId = offer.AgentId } } },
            },
            new() { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive { Roles = { "test-role" } } },
            new() { Type = Call.Types.Type.Suppress, Suppress = new Call.Types.Suppress { Roles = { "test-role" } } },
            new() { Type = Call.Types.Type.Message, Message = new Call.Types.Message { AgentId = offer.AgentId, ExecutorId = new ExecutorID { Value = "e" }, Data = uuid } },
        ];
        foreach (var call in calls)
        {
            call.FrameworkId = id.Clone();
        }

        calls.Add(subscribe);
        return calls;
    }

    /// <summary>The request's headers: mostly right for the body, sometimes wrong, missing or garbage.</summary>
    private sealed record Headers(string? ContentType, string? Accept, string? StreamId)
    {
        private static readonly string?[] ContentTypes =
            [null, "", "application/json; charset=utf-8", "text/plain", "application/x-protobuf;", "*/*", ";;", "application/json, application/x-protobuf"];

        private static readonly string?[] Accepts =
            [null, "", "*/*", "application/json", "application/x-protobuf", "application/json;q=0", "text/html", ";;;", "application/*;q=x", "a/b, c"];

        public static Headers For(MesosContentType contentType, string streamId, Random random)
        {
            var right = MesosCodec.MediaType(contentType);
            return new Headers(
                random.Next(6) == 0 ? ContentTypes.Concat([MesosCodec.JsonMediaType, MesosCodec.ProtobufMediaType]).ElementAt(random.Next(ContentTypes.Length + 2)) : right,
                random.Next(4) == 0 ? Accepts[random.Next(Accepts.Length)] : right,
                random.Next(6) switch
                {
                    0 => null,
                    1 => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(256)).ToArray()).ToString(),
                    2 => streamId[..random.Next(streamId.Length)],
                    3 => new string('x', random.Next(1, 9000)),
                    _ => streamId,
                });
        }

        public void Apply(HttpRequestMessage request)
        {
            if (ContentType is not null)
            {
                request.Content!.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (Accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", Accept);
            }

            if (StreamId is not null)
            {
                request.Headers.TryAddWithoutValidation(MesosSchedulerClient.StreamIdHeader, StreamId);
            }
        }

        public override string ToString() => $"Content-Type '{ContentType}', Accept '{Accept}', Mesos-Stream-Id '{StreamId}'";
    }
}
