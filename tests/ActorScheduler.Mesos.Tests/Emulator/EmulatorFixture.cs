using System.Threading.Channels;
using ActorScheduler.Mesos.Client;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using Capability = ActorScheduler.Messages.MesosV1.FrameworkInfo.Types.Capability;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>A fresh emulator on a free port with a temp data dir; kills leftover task processes on dispose.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    private EmulatorFixture(string dataDir, MesosEmulator emulator)
    {
        DataDir = dataDir;
        Emulator = emulator;
    }

    public string DataDir { get; }

    public MesosEmulator Emulator { get; private set; }

    public static async Task<EmulatorFixture> StartAsync(int agents = 2)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}");
        return new EmulatorFixture(dir, await MesosEmulator.StartAsync(Options(dir, 0, agents)));
    }

    public static MesosEmulatorOptions Options(string dir, int port, int agents) => new()
    {
        DataDir = dir,
        Port = port,
        Agents = agents,
        AllocationInterval = TimeSpan.FromMilliseconds(100),
        AgentCpus = 2,
        AgentMemMb = 1024,
        AgentDiskMb = 1024,
    };

    /// <summary>Stops the emulator (tasks keep running) and starts a new one on the same data dir and port.</summary>
    public async Task RestartAsync()
    {
        var port = Emulator.Url.Port;
        await Emulator.DisposeAsync();
        Emulator = await MesosEmulator.StartAsync(Options(DataDir, port, Emulator.Snapshot().Agents.Count));
    }

    public static FrameworkInfo Framework(string? id = null)
    {
        var info = new FrameworkInfo
        {
            User = "test",
            Name = "test-framework",
            Principal = "test-principal",
            FailoverTimeout = 3600,
            Checkpoint = true,
            Roles = { "test-role" },
            Capabilities =
            {
                new Capability { Type = Capability.Types.Type.MultiRole },
                new Capability { Type = Capability.Types.Type.ReservationRefinement },
                new Capability { Type = Capability.Types.Type.PartitionAware },
            },
        };
        if (id is not null)
        {
            info.Id = new FrameworkID { Value = id };
        }

        return info;
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid)
                && new DirectoryInfo(Path.Combine(dir, "cwd")) is var cwd
                && SafeTarget(cwd) is { } target && target.StartsWith(DataDir, StringComparison.Ordinal))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                }
            }
        }

        Directory.Delete(DataDir, recursive: true);
    }

    private static string? SafeTarget(DirectoryInfo link)
    {
        try
        {
            return link.LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Reads a subscription in the background so tests can await the events they expect, in order.</summary>
internal sealed class EventPump : IAsyncDisposable
{
    private readonly Channel<Event> _events = Channel.CreateUnbounded<Event>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    public EventPump(MesosSubscription subscription)
    {
        Subscription = subscription;
        _reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in subscription.ReadEventsAsync(_stop.Token))
                {
                    _events.Writer.TryWrite(e);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or MesosConnectionException)
            {
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });
    }

    public MesosSubscription Subscription { get; }

    /// <summary>The next event matching <paramref name="match"/> (others are skipped), or a failure after the timeout.</summary>
    public async Task<Event> NextAsync(Func<Event, bool> match, string what, int seconds = 20)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (await _events.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_events.Reader.TryRead(out var e))
                {
                    if (match(e))
                    {
                        return e;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new Xunit.Sdk.XunitException($"no {what} within {seconds}s");
    }

    public Task<Event> UpdateAsync(string taskId, TaskState state) =>
        NextAsync(e => e.Type == Event.Types.Type.Update && e.Update.Status.TaskId.Value == taskId && e.Update.Status.State == state, $"{state} for {taskId}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Subscription.DisposeAsync();
        await _reader;
        _stop.Dispose();
    }
}
