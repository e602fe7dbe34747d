using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ActorScheduler.Mesos.Emulator.Faults;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// A wire-compatible Mesos master on a real Kestrel server, with local agents running tasks as real
/// processes. Each start is a new master (new master id); agents found in the data dir recover from their
/// checkpoints, re-adopt live task processes and keep their reservations and volumes (master failover).
/// <see cref="Faults"/> injects faults (lost agents, severed streams, dropped updates, master failover, …).
/// </summary>
public sealed class MesosEmulator : IAsyncDisposable
{
    private const string LockFileName = "emulator.lock";

    private readonly MesosEmulatorOptions _options;
    private readonly SerialQueue _queue;
    private readonly WebApplication _app;
    private readonly FileStream _lock;
    private ClusterState? _cluster;
    private MasterSettings? _masterSettings;
    private Master? _master;
    private ITimer? _timer;
    private int _tickQueued;
    private int _stopped;

    private MesosEmulator(MesosEmulatorOptions options, SerialQueue queue, WebApplication app, FileStream lockFile)
    {
        _options = options;
        _queue = queue;
        _app = app;
        _lock = lockFile;
        Url = new Uri("http://" + options.Host + "/");
        Faults = new EmulatorFaults(this);
    }

    /// <summary>Fault injection: lose, return, mark gone or restart agents, sever or stall streams, drop / duplicate /
    /// delay status updates, fail over the master. Also served over HTTP under <c>/faults</c>.</summary>
    public EmulatorFaults Faults { get; }

    /// <summary>The master URL, e.g. <c>http://127.0.0.1:5050/</c> (the real port when Port was 0).</summary>
    public Uri Url { get; private set; }

    /// <summary>This master's id (new on every start).</summary>
    public string MasterId => _master?.MasterId ?? string.Empty;

    /// <exception cref="MesosEmulatorException">Bad options, port in use, unusable data dir or unreadable checkpoint.</exception>
    public static async Task<MesosEmulator> StartAsync(MesosEmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = Validate(options);
        var dataDir = Path.GetFullPath(options.DataDir);
        var lockFile = PrepareDataDir(dataDir);
        var log = options.Log ?? (_ => { });
        var queue = new SerialQueue(e => log($"emulator error: {e}"));
        MesosEmulator? emulator = null;
        try
        {
            var masterId = Guid.NewGuid().ToString();
            var agentSettings = new AgentSettings(options.Time, options.StatusUpdateRetryInterval, TimeSpan.FromMinutes(10), options.KillGracePeriod, log)
            {
                BootstrapCommand = options.BootstrapCommand,
                Secrets = new SecretStore(options.Secrets, options.SecretsDir is null ? null : Path.GetFullPath(options.SecretsDir)),
                DockerVolumeRoot = Path.Combine(dataDir, "docker-volumes"),
                EnforceMemory = options.EnforceMemory,
                MemoryCheckInterval = options.MemoryCheckInterval,
            };
            var agents = await queue.InvokeAsync(() => LoadAgents(options, dataDir, masterId, agentSettings)).ConfigureAwait(false);

            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(address, options.Port));
            builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
            var app = builder.Build();
            emulator = new MesosEmulator(options, queue, app, lockFile);
            var handler = new SchedulerHttpHandler(queue, () => Volatile.Read(ref emulator._master), () => emulator.Url, new FaultHttpHandler(emulator.Faults));
            app.Run(handler.HandleAsync);
            try
            {
                await app.StartAsync(ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw e.InnerException is AddressInUseException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                    ? new MesosEmulatorException($"port {options.Port} on {options.Host} is already in use", e)
                    : new MesosEmulatorException($"cannot listen on {options.Host}:{options.Port}: {e.Message}", e);
            }

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            var port = bound is null ? options.Port : new Uri(bound).Port;
            emulator.Url = new Uri($"http://{options.Host}:{port.ToString(CultureInfo.InvariantCulture)}/");
            var seed = options.Seed ?? Random.Shared.Next();
            emulator._cluster = new ClusterState(agents, new StatusUpdateFaultPolicy(seed, options.StatusUpdateFaults));
            // With fault domains the master is in the agents' region, in the first zone (a Mesos master's --domain).
            emulator._masterSettings = new MasterSettings(masterId, options.Host, port, options.AllocationInterval, options.HeartbeatInterval, options.Time, log,
                Domain: AgentSlots.DomainOf(0, options.Zones, options.Region));
            var master = new Master(emulator._masterSettings, emulator._cluster);
            Volatile.Write(ref emulator._master, master);
            emulator._timer = options.Time.CreateTimer(_ => emulator.QueueTick(), null, options.PollInterval, options.PollInterval);
            log($"master {masterId} listening on {emulator.Url} with {agents.Count} agent(s), data dir {dataDir}");
            if (options.StatusUpdateFaults.Any)
            {
                log($"status-update faults: {Describe(options.StatusUpdateFaults)}, seed {seed.ToString(CultureInfo.InvariantCulture)}");
            }
            return emulator;
        }
        catch
        {
            if (emulator is not null)
            {
                await emulator.StopAsync().ConfigureAwait(false);
            }
            else
            {
                await queue.StopAsync().ConfigureAwait(false);
                await lockFile.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Stops gracefully: closes every subscription stream and the server. Task processes keep running (and
    /// are re-adopted by the next start on the same data dir) unless <c>KillTasksOnStop</c>.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        var master = _master;
        if (master is not null)
        {
            try
            {
                await _queue.InvokeAsync(() => master.Stop(_options.KillTasksOnStop, _options.KillGracePeriod)).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Already stopped.
            }
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are aborted.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await _queue.StopAsync().ConfigureAwait(false);
        if (master is not null && _options.KillTasksOnStop)
        {
            await WaitForTaskProcessesAsync(master).ConfigureAwait(false);
        }

        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A consistent view of agents, frameworks and tasks.</summary>
    public EmulatorSnapshot Snapshot()
    {
        var master = _master ?? throw new InvalidOperationException("The emulator has not started");
        if (Volatile.Read(ref _stopped) == 0)
        {
            try
            {
                return _queue.InvokeAsync(() => master.Snapshot(Url)).GetAwaiter().GetResult();
            }
            catch (ObjectDisposedException)
            {
                // Stopped meanwhile: the loop is gone, read directly.
            }
        }

        return master.Snapshot(Url);
    }

    /// <summary>What the emulator launched and which calls it accepted since it started (across master failovers).</summary>
    public EmulatorHistory History()
    {
        var cluster = _cluster ?? throw new InvalidOperationException("The emulator has not started");
        try
        {
            return InvokeAsync(_ => cluster.History.Snapshot()).GetAwaiter().GetResult();
        }
        catch (ObjectDisposedException)
        {
            // Stopped: the loop is gone, read directly.
            return cluster.History.Snapshot();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="func"/> on the master loop, against the current master.</summary>
    /// <exception cref="ObjectDisposedException">The emulator has stopped.</exception>
    internal Task<T> InvokeAsync<T>(Func<Master, T> func)
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return Task.FromException<T>(new ObjectDisposedException(nameof(MesosEmulator), "The emulator has stopped"));
        }

        return _queue.InvokeAsync(() => func(_master ?? throw new InvalidOperationException("The emulator has not started")));
    }

    /// <summary>
    /// Master failover, run on the master loop: the master stops (every stream closes), a new master with a new id
    /// takes over the same agents and registry. Frameworks must subscribe again; agents and tasks carry on.
    /// </summary>
    internal string FailOverMaster()
    {
        var old = _master!;
        _cluster!.History.Fault(new FaultRecord(_options.Time.GetUtcNow(), "master-failover", old.MasterId, []));
        old.Stop(killTasks: false, _options.KillGracePeriod);
        _masterSettings = _masterSettings! with { MasterId = Guid.NewGuid().ToString() };
        Volatile.Write(ref _master, new Master(_masterSettings, _cluster!));
        _masterSettings.Log($"master failover: {old.MasterId} handed over to {_masterSettings.MasterId}; frameworks must subscribe again");
        return _masterSettings.MasterId;
    }

    internal static string Describe(StatusUpdateFaults f) => string.Create(CultureInfo.InvariantCulture,
        $"drop {f.DropProbability}, duplicate {f.DuplicateProbability}, delay {f.DelayProbability} by {f.Delay.TotalMilliseconds} ms");

    private void QueueTick()
    {
        if (Interlocked.CompareExchange(ref _tickQueued, 1, 0) != 0)
        {
            return;
        }

        var master = _master;
        if (master is null || !_queue.Post(() =>
            {
                Volatile.Write(ref _tickQueued, 0);
                master.Tick();
            }))
        {
            Volatile.Write(ref _tickQueued, 0);
        }
    }

    private static IPAddress Validate(MesosEmulatorOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            throw new MesosEmulatorException("a data dir is required");
        }

        if (!IPAddress.TryParse(options.Host, out var address))
        {
            throw new MesosEmulatorException($"host '{options.Host}' is not an IP address");
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new MesosEmulatorException($"port {options.Port} is out of range 0-65535");
        }

        if (options.Agents < 0 || options.Agents > AgentSlots.MaxAgents)
        {
            throw new MesosEmulatorException(string.Create(CultureInfo.InvariantCulture, $"agent count {options.Agents} is out of range 0-{AgentSlots.MaxAgents}"));
        }

        if (!(options.AgentCpus > 0) || !(options.AgentMemMb > 0) || !(options.AgentDiskMb >= 0)
            || !double.IsFinite(options.AgentCpus) || !double.IsFinite(options.AgentMemMb) || !double.IsFinite(options.AgentDiskMb))
        {
            throw new MesosEmulatorException("agent cpus and memory must be positive, disk must not be negative");
        }

        if (options.AgentGpus < 0)
        {
            throw new MesosEmulatorException(string.Create(CultureInfo.InvariantCulture, $"agent gpus must be 0 or more, got {options.AgentGpus}"));
        }

        if (!string.IsNullOrWhiteSpace(options.AgentReserved))
        {
            var reservedError = AgentReservedResources.TryParse(options.AgentReserved, out var parseError) is { } reserved
                ? AgentReservedResources.FitError(reserved, options.AgentPorts)
                : parseError;
            if (reservedError is not null)
            {
                throw new MesosEmulatorException($"reserved resources '{options.AgentReserved}': {reservedError}");
            }
        }

        if (options.SecretsDir is { } secretsDir && !Directory.Exists(secretsDir))
        {
            throw new MesosEmulatorException($"secrets dir '{secretsDir}' does not exist");
        }

        if (options.Secrets.Keys.FirstOrDefault(name => SecretStore.Normalize(name).Length == 0) is { } badName)
        {
            throw new MesosEmulatorException($"secret name '{badName}' is empty");
        }

        foreach (var mount in options.MountDisks)
        {
            if (!(mount.SizeMb > 0) || !double.IsFinite(mount.SizeMb))
            {
                throw new MesosEmulatorException(string.Create(CultureInfo.InvariantCulture, $"a MOUNT disk needs a positive size in MB, got {mount.SizeMb}"));
            }

            if (mount.Profile is { } profile && (profile.Length == 0 || !profile.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
            {
                throw new MesosEmulatorException($"MOUNT disk profile '{profile}' must be non-empty and use only a-z A-Z 0-9 _ - .");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Attributes))
        {
            // Every placeholder and value is checked on agent 0; a per-agent value that still fails stops the start too.
            if (AgentAttributes.Validate(options.Attributes, options.Zones, options.Region) is { } error)
            {
                throw new MesosEmulatorException($"attributes '{options.Attributes}': {error}");
            }
        }

        if (options.AgentPorts.Begin > options.AgentPorts.End)
        {
            throw new MesosEmulatorException($"agent port range {options.AgentPorts.Begin}-{options.AgentPorts.End} is empty");
        }

        if (options.AllocationInterval <= TimeSpan.Zero || options.HeartbeatInterval <= TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero)
        {
            throw new MesosEmulatorException("allocation and heartbeat intervals must be positive");
        }

        if (options.StatusUpdateFaults.Validate() is { } faultError)
        {
            throw new MesosEmulatorException($"status-update faults: {faultError}");
        }

        return address;
    }

    private static FileStream PrepareDataDir(string dataDir)
    {
        if (DataDirectory.Prepare(dataDir, "agents") is { } error)
        {
            throw new MesosEmulatorException(error);
        }

        try
        {
            // An exclusive lock (flock on Linux): released by the OS even after kill -9.
            return new FileStream(Path.Combine(dataDir, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new MesosEmulatorException($"data dir {dataDir} is in use by another emulator", e);
        }
    }

    private static List<LocalAgent> LoadAgents(MesosEmulatorOptions options, string dataDir, string masterId, AgentSettings settings)
    {
        var agentsDir = Path.Combine(dataDir, "agents");
        var agents = Directory.GetDirectories(agentsDir)
            .Where(AgentCheckpointStore.Exists)
            .Order(StringComparer.Ordinal)
            .Select(dir => LocalAgent.Recover(dir, settings))
            .ToList();
        foreach (var agent in agents)
        {
            settings.Log($"recovered agent {agent.Id.Value} ({agent.Hostname}) with {agent.Tasks.Count} task(s)");
        }

        // Agents that never changed state wrote no checkpoint (nothing to recover): their slots are filled anew.
        var usedHosts = agents.Select(a => a.Hostname).ToHashSet(StringComparer.Ordinal);
        var slot = 0;
        for (var n = 0; agents.Count < options.Agents; n++)
        {
            while (usedHosts.Contains(AgentSlots.HostnameOf(slot)))
            {
                slot++;
            }

            var id = new AgentID { Value = $"{masterId}-S{n.ToString(CultureInfo.InvariantCulture)}" };
            var hostname = AgentSlots.HostnameOf(slot);
            var workDir = Path.Combine(agentsDir, id.Value);
            usedHosts.Add(hostname);
            agents.Add(LocalAgent.Create(id, hostname, workDir, AgentResources(options, slot, workDir), settings));
            slot++;
        }

        foreach (var agent in agents)
        {
            agent.Attributes = AttributesOf(options, agent.Hostname);
            agent.Domain = AgentSlots.DomainOf(AgentSlots.SlotOf(agent.Hostname) ?? 0, options.Zones, options.Region);
        }

        return agents;
    }

    /// <summary>The agent's attributes from the options' template (recovered agents get today's template too).</summary>
    private static IReadOnlyList<Messages.MesosV1.Attribute> AttributesOf(MesosEmulatorOptions options, string hostname)
    {
        if (string.IsNullOrWhiteSpace(options.Attributes))
        {
            return [];
        }

        var slot = AgentSlots.SlotOf(hostname) ?? 0;
        var zone = AgentSlots.ZoneOf(slot, options.Zones);
        return AgentAttributes.TryParseTemplate(options.Attributes, slot, zone, zone is null ? null : options.Region, out var error)
            ?? throw new MesosEmulatorException($"attributes '{options.Attributes}' for agent {hostname}: {error}");
    }

    private static List<Resource> AgentResources(MesosEmulatorOptions options, int slot, string workDir)
    {
        var (begin, end) = options.AgentPorts;
        var size = (end - begin + 1) / (ulong)Math.Max(1, options.Agents);
        ulong sliceBegin = begin;
        ulong sliceEnd = end;
        if (size > 0 && (ulong)slot < (ulong)options.Agents)
        {
            sliceBegin = begin + (size * (ulong)slot);
            sliceEnd = slot == options.Agents - 1 ? end : sliceBegin + size - 1;
        }

        var resources = new List<Resource>
        {
            Scalar("cpus", options.AgentCpus),
            Scalar("mem", options.AgentMemMb),
        };
        if (options.AgentDiskMb > 0)
        {
            resources.Add(Scalar("disk", options.AgentDiskMb));
        }

        if (options.AgentGpus > 0)
        {
            resources.Add(Scalar("gpus", options.AgentGpus));
        }

        for (var i = 0; i < options.MountDisks.Count; i++)
        {
            var mount = options.MountDisks[i];
            var disk = Scalar("disk", mount.SizeMb);
            disk.Disk = new Resource.Types.DiskInfo
            {
                Source = new Resource.Types.DiskInfo.Types.Source
                {
                    Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Mount,
                    Mount = new Resource.Types.DiskInfo.Types.Source.Types.Mount
                    {
                        Root = Path.Combine(workDir, "mounts", $"disk-{(i + 1).ToString(CultureInfo.InvariantCulture)}"),
                    },
                },
            };
            if (mount.Profile is { } profile)
            {
                disk.Disk.Source.Profile = profile;
            }

            resources.Add(disk);
        }

        var ports = new Resource { Name = "ports", Type = Value.Types.Type.Ranges, Ranges = new Value.Types.Ranges() };
        ports.Ranges.Range.Add(new Value.Types.Range { Begin = sliceBegin, End = sliceEnd });
        resources.Add(ports);
        return string.IsNullOrWhiteSpace(options.AgentReserved)
            ? resources
            : AgentReservedResources.AddTo(resources, AgentReservedResources.TryParse(options.AgentReserved, out var error)
                ?? throw new MesosEmulatorException($"reserved resources '{options.AgentReserved}': {error}"));
    }

    private static Resource Scalar(string name, double value) =>
        new() { Name = name, Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = value } };

    private async Task WaitForTaskProcessesAsync(Master master)
    {
        var deadline = DateTime.UtcNow + _options.KillGracePeriod;
        while (true)
        {
            var live = master.Agents.SelectMany(a => a.LiveProcesses()).ToList();
            if (live.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                foreach (var process in live)
                {
                    ProcFs.SignalGroup(process, ProcFs.SigKill);
                }

                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
