using System.Globalization;
using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Mesos;

/// <summary>
/// <c>mesos-local</c>: runs the Mesos master emulator with its local agents as a standalone process until
/// cancelled, printing its URL, its agents and notable events.
/// </summary>
public static class MesosLocalCommand
{
    /// <summary>Exit code when the emulator cannot start: bad arguments or environment, as for any command's bad arguments.</summary>
    public const int CannotStart = 2;

    private const int MaxAgentLines = 20;

    /// <summary>
    /// Starts the emulator, prints its URL and agents, runs until <paramref name="ct"/> is cancelled, then
    /// stops gracefully. Returns 0 on a clean stop; <see cref="CannotStart"/> with one <c>error:</c> line on
    /// <paramref name="error"/> (else on <paramref name="output"/>) when the emulator cannot start (port in use,
    /// unusable data dir, bad options), as <c>run</c> does when its embedded emulator cannot.
    /// </summary>
    public static async Task<int> RunAsync(MesosEmulatorOptions options, TextWriter output, CancellationToken ct, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var writer = TextWriter.Synchronized(output);
        var run = options.Clone();
        var callerLog = options.Log;
        run.Log = line =>
        {
            callerLog?.Invoke(line);
            writer.WriteLine($"{DateTimeOffset.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {line}");
        };

        MesosEmulator emulator;
        try
        {
            emulator = await MesosEmulator.StartAsync(run, ct).ConfigureAwait(false);
        }
        catch (MesosEmulatorException e)
        {
            (error ?? writer).WriteLine($"error: {e.Message}");
            return CannotStart;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }

        try
        {
            var snapshot = emulator.Snapshot();
            writer.WriteLine($"Mesos master emulator {snapshot.MasterId} listening on {emulator.Url}");
            foreach (var agent in snapshot.Agents.Take(MaxAgentLines))
            {
                writer.WriteLine(Describe(agent));
            }

            if (snapshot.Agents.Count > MaxAgentLines)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {snapshot.Agents.Count - MaxAgentLines} more agents (GET {emulator.Url} lists them all)"));
            }

            var faults = await emulator.Faults.StateAsync().ConfigureAwait(false);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Fault injection: GET/POST {emulator.Url}faults (seed {faults.Seed}{(faults.StatusUpdates.Any ? "; status updates: " + MesosEmulator.Describe(faults.StatusUpdates) : string.Empty)})"));
            writer.WriteLine("Press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Normal shutdown.
            }
        }
        finally
        {
            await emulator.StopAsync().ConfigureAwait(false);
        }

        writer.WriteLine(run.KillTasksOnStop
            ? "Mesos master emulator stopped; tasks were killed."
            : "Mesos master emulator stopped; task processes keep running and are re-adopted on the next start with this data dir.");
        return 0;
    }

    /// <summary>One line per agent: resources (MOUNT disks apart from the ROOT disk), zone, attributes, work dir.</summary>
    private static string Describe(AgentSnapshot agent)
    {
        var total = agent.Total;
        var mounts = agent.MountDisks.Sum(m => m.SizeMb);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"  agent {agent.Id} on {agent.Hostname}: cpus {total.Cpus}, mem {total.MemMb} MB, disk {total.DiskMb - mounts} MB, {total.Ports} ports");
        if (agent.MountDisks.Count > 0)
        {
            line += ", MOUNT disks " + string.Join(" + ", agent.MountDisks.Select(m =>
                string.Create(CultureInfo.InvariantCulture, $"{m.SizeMb} MB{(m.Profile is null ? string.Empty : $" ({m.Profile})")}")));
        }

        if (agent.Zone is not null)
        {
            line += $", zone {agent.Zone} in {agent.Region}";
        }

        if (agent.Attributes.Count > 0)
        {
            line += ", attributes " + string.Join(";", agent.Attributes.Select(a => $"{a.Key}:{a.Value}"));
        }

        return line + $", work dir {agent.WorkDir}";
    }
}
