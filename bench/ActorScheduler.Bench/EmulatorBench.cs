using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;

namespace ActorScheduler.Bench;

/// <summary>
/// The Mesos emulator at scale, measured through raw HTTP with our client. The emulator runs in a child process (this
/// executable, <c>emulator-serve</c>) so its memory is its own. It measures: allocation cycles (REVIVE → one OFFERS
/// event with an offer for every agent, received and decoded), DECLINE of all of them in one call, ACCEPTs (each with
/// one RESERVE of 0.1 cpus, labelled, which the agent checkpoints with fsync before the 202), the emulator's memory,
/// and how fast the client decodes one OFFERS event of every agent in protobuf and in JSON.
/// </summary>
internal static class EmulatorBench
{
    private const string Role = "bench";

    /// <summary>The options <c>emulator</c> takes (each with a value).</summary>
    public static readonly string[] ValuedOptions = ["--agents", "--cycles", "--accepts", "--concurrency"];

    /// <exception cref="BadOptionException">An option is unknown or malformed.</exception>
    /// <param name="output">Where the RESULT line goes.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var options = BenchOptions.Parse(args, ValuedOptions);
        var agents = options.Int("--agents", 10_000, min: 1);
        var cycles = options.Int("--cycles", 5, min: 1);
        var accepts = options.Int("--accepts", agents, min: 1);
        var concurrency = options.Int("--concurrency", 8, min: 1);
        var dataDir = Directory.CreateTempSubdirectory("actorscheduler-bench-emulator-");
        try
        {
            using var child = EmulatorChild.Start(agents, dataDir.FullName);
            var url = new Uri(await child.ReadValueAsync("URL"));
            Console.Error.WriteLine($"emulator with {agents} agents up in {await child.ReadValueAsync("STARTED_MS")} ms at {url} (data dir {dataDir.FullName})");
            var idle = await child.MemoryAsync();

            using var client = new MesosSchedulerClient(url, new MesosClientOptions { RequestTimeout = TimeSpan.FromMinutes(5) });
            var info = new FrameworkInfo { User = "nobody", Name = "emulator-bench", Role = Role, FailoverTimeout = 0 };
            await using var subscription = await client.SubscribeAsync(info, CancellationToken.None);
            var events = Pump(subscription);
            await NextAsync(events, e => e.Type == Event.Types.Type.Subscribed);

            // Allocation cycles: REVIVE (the emulator allocates on REVIVE; its periodic cycle is set to an hour) until
            // every agent is offered, then one DECLINE of all offers without a filter.
            var cycleMs = new List<double>();
            var declineMs = new List<double>();
            List<Offer> offers = [];
            Event lastOffers = new();
            async Task CycleAsync(string label)
            {
                var watch = Stopwatch.StartNew();
                await client.SendAsync(new Call { Type = Call.Types.Type.Revive, Revive = new Call.Types.Revive() }, CancellationToken.None);
                offers = [];
                while (offers.Count < agents)
                {
                    lastOffers = await NextAsync(events, e => e.Type == Event.Types.Type.Offers);
                    offers.AddRange(lastOffers.Offers.Offers_);
                }

                cycleMs.Add(watch.Elapsed.TotalMilliseconds);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {offers.Count} offers in {watch.Elapsed.TotalMilliseconds:F0} ms"));
            }

            for (var i = 0; i < cycles; i++)
            {
                await CycleAsync($"cycle {i}");
                if (i == cycles - 1)
                {
                    break; // the last cycle's offers are accepted below
                }

                var watch = Stopwatch.StartNew();
                var decline = new Call { Type = Call.Types.Type.Decline, Decline = new Call.Types.Decline { Filters = new Filters { RefuseSeconds = 0 } } };
                decline.Decline.OfferIds.AddRange(offers.Select(o => o.Id));
                await client.SendAsync(decline, CancellationToken.None);
                declineMs.Add(watch.Elapsed.TotalMilliseconds);
            }

            // ACCEPTs without operations (each declines its offer): the master's own cost of an ACCEPT.
            var emptyWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(offers.Take(accepts).ToList(), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (offer, ct) =>
                await client.SendAsync(AcceptCall(offer), ct));
            var emptyPerSecond = Math.Min(accepts, offers.Count) / emptyWatch.Elapsed.TotalSeconds;
            await CycleAsync("cycle before the RESERVEs");

            // ACCEPTs, each with one labelled RESERVE, from several connections at once (the master applies them one by one).
            var toAccept = offers.Take(accepts).ToList();
            var acceptWatch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(toAccept, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (offer, ct) =>
                await client.SendAsync(ReserveCall(offer), ct));
            var acceptSeconds = acceptWatch.Elapsed.TotalSeconds;
            var busy = await child.MemoryAsync();
            var reservedAgents = await ReservedAgentsAsync(url);
            if (reservedAgents != toAccept.Count)
            {
                Console.Error.WriteLine($"error: {toAccept.Count} RESERVEs accepted but {reservedAgents} agents hold a reservation");
                return 1;
            }

            // Decoding one OFFERS event of every agent, as the client does for each record of the stream.
            var protobuf = MesosCodec.Encode(lastOffers, MesosContentType.Protobuf);
            var json = MesosCodec.Encode(lastOffers, MesosContentType.Json);
            var decodeProtobuf = DecodeRate(protobuf, MesosContentType.Protobuf, lastOffers.Offers.Offers_.Count);
            var decodeJson = DecodeRate(json, MesosContentType.Json, lastOffers.Offers.Offers_.Count);

            cycleMs.Sort();
            var medianCycle = cycleMs[cycleMs.Count / 2];
            var offersPerSecond = agents / (medianCycle / 1000);
            var acceptsPerSecond = toAccept.Count / acceptSeconds;
            var declineText = declineMs.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{declineMs.Order().ElementAt(declineMs.Count / 2):F0} ms");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                agents:                                      {agents} (emulator start {idle.Rss:F0} MB RSS, {idle.Managed:F0} MB managed)
                allocation cycle, REVIVE to OFFERS received: median {medianCycle:F0} ms of {cycleMs.Count} (best {cycleMs[0]:F0}, worst {cycleMs[^1]:F0}) = {offersPerSecond:F0} offers/s
                DECLINE of all {agents} offers in one call:   median {declineText}
                ACCEPT without operations (declines its offer), {concurrency} concurrent: {emptyPerSecond:F0}/s
                ACCEPT with one RESERVE (0.1 cpus, labelled; agent checkpoint fsync'd before the 202), {concurrency} concurrent: {toAccept.Count} in {acceptSeconds:F2} s = {acceptsPerSecond:F0}/s; {reservedAgents} agents then hold the reservation
                emulator memory after the run:               {busy.Rss:F0} MB RSS, {busy.Managed:F0} MB managed
                one OFFERS event of {lastOffers.Offers.Offers_.Count} offers:            protobuf {protobuf.Length / 1e6:F1} MB decoded at {decodeProtobuf:F0} offers/s; JSON {json.Length / 1e6:F1} MB at {decodeJson:F0} offers/s
                RESULT agents={agents} offers_per_s={offersPerSecond:F0} accepts_per_s={acceptsPerSecond:F0} emulator_mb={busy.Rss:F0} decode_offers_per_s_protobuf={decodeProtobuf:F0} decode_offers_per_s_json={decodeJson:F0}
                """));
            return 0;
        }
        finally
        {
            dataDir.Delete(recursive: true);
        }
    }

    /// <summary>The child side: serves the emulator, prints its URL, answers <c>mem</c> on stdin, stops at end of input.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var served = BenchOptions.Parse(args, ["--agents", "--data-dir"]);
        var watch = Stopwatch.StartNew();
        var options = new MesosEmulatorOptions
        {
            Port = 0,
            Agents = served.Int("--agents", 10_000, min: 1),
            DataDir = served.Text("--data-dir") ?? throw new BadOptionException("--data-dir is required"),
            AllocationInterval = TimeSpan.FromHours(1),
            PollInterval = TimeSpan.FromMilliseconds(5),
            KillTasksOnStop = true,
        };
        await using var emulator = await MesosEmulator.StartAsync(options);
        Console.WriteLine($"URL {emulator.Url}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STARTED_MS {watch.ElapsedMilliseconds}"));
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "mem")
            {
                var managed = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
                var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var kb = double.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MEM {kb / 1e3:F1} {managed:F1}"));
            }
        }

        return 0;
    }

    /// <summary>How many agents the status page (<c>GET /</c>) shows with reserved cpus: the RESERVEs really happened.</summary>
    private static async Task<int> ReservedAgentsAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(url));
        return status.RootElement.GetProperty("agents").EnumerateArray()
            .Count(a => a.GetProperty("reserved").GetProperty("cpus").GetDouble() > 0);
    }

    private static Call AcceptCall(Offer offer)
    {
        var call = new Call
        {
            Type = Call.Types.Type.Accept,
            Accept = new Call.Types.Accept { Filters = new Filters { RefuseSeconds = 0 } },
        };
        call.Accept.OfferIds.Add(offer.Id);
        return call;
    }

    private static Call ReserveCall(Offer offer)
    {
        var cpus = new Resource
        {
            Name = "cpus",
            Type = Value.Types.Type.Scalar,
            Scalar = new Value.Types.Scalar { Value = 0.1 },
            Role = Role,
            Reservation = new Resource.Types.ReservationInfo
            {
                Labels = new Labels { Labels_ = { new Label { Key = "resource_id", Value = Guid.NewGuid().ToString() } } },
            },
        };
        var call = AcceptCall(offer);
        call.Accept.Operations.Add(new Offer.Types.Operation
        {
            Type = Offer.Types.Operation.Types.Type.Reserve,
            Reserve = new Offer.Types.Operation.Types.Reserve { Resources = { cpus } },
        });
        return call;
    }

    /// <summary>Offers per second decoding <paramref name="bytes"/> (one warm-up, then at least a second of decoding).</summary>
    private static double DecodeRate(byte[] bytes, MesosContentType contentType, int offers)
    {
        MesosCodec.Decode<Event>(bytes, contentType);
        var watch = Stopwatch.StartNew();
        var runs = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(1) || runs < 3)
        {
            MesosCodec.Decode<Event>(bytes, contentType);
            runs++;
        }

        return offers * runs / watch.Elapsed.TotalSeconds;
    }

    private static ChannelReader<Event> Pump(MesosSubscription subscription)
    {
        var channel = Channel.CreateUnbounded<Event>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var evt in subscription.ReadEventsAsync(CancellationToken.None))
                {
                    await channel.Writer.WriteAsync(evt);
                }

                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        });
        return channel.Reader;
    }

    private static async Task<Event> NextAsync(ChannelReader<Event> events, Func<Event, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while (true)
        {
            var evt = await events.ReadAsync(timeout.Token);
            if (predicate(evt))
            {
                return evt;
            }
        }
    }

    /// <summary>This executable running <c>emulator-serve</c>, talked to over stdin/stdout.</summary>
    private sealed class EmulatorChild : IDisposable
    {
        private readonly Process _process;

        private EmulatorChild(Process process) => _process = process;

        public static EmulatorChild Start(int agents, string dataDir)
        {
            var info = SelfProcess.StartInfo(["emulator-serve", "--agents", agents.ToString(CultureInfo.InvariantCulture), "--data-dir", dataDir]);
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            return new EmulatorChild(Process.Start(info)!);
        }

        /// <summary>The value of the next line <c>KEY value</c> the child prints.</summary>
        public async Task<string> ReadValueAsync(string key)
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith(key + " ", StringComparison.Ordinal))
                {
                    return line[(key.Length + 1)..];
                }
            }

            throw new InvalidOperationException($"the emulator process ended before printing {key} (exit {(_process.HasExited ? _process.ExitCode : -1)})");
        }

        /// <summary>The child's RSS and managed heap (after a full collection), in MB.</summary>
        public async Task<(double Rss, double Managed)> MemoryAsync()
        {
            await _process.StandardInput.WriteLineAsync("mem");
            await _process.StandardInput.FlushAsync();
            var parts = (await ReadValueAsync("MEM")).Split(' ');
            return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }
}
