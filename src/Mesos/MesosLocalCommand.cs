using System.Globalization;
using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Mesos;

/// <summary>
/// <c>mesos-local</c>: runs the Mesos master emulator with its local agents as a standalone process until
/// cancelled, printing its URL, its agents and notable events.
/// </summary>
public static class MesosLocalCommand
{
    /// <summary>
    /// Starts the emulator, prints its URL and agents, runs until <paramref name="ct"/> is cancelled, then
    /// stops gracefully. Returns 0 on a clean stop; 1 with one line on <paramref name="output"/> when the
    /// emulator cannot start (port in use, unusable data dir, bad options).
    /// </summary>
    public static async Task<int> RunAsync(MesosEmulatorOptions options, TextWriter output, CancellationToken ct)
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
            writer.WriteLine($"mesos-local: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }

        try
        {
            var snapshot = emulator.Snapshot();
            writer.WriteLine($"Mesos master emulator {snapshot.MasterId} listening on {emulator.Url}");
            foreach (var agent in snapshot.Agents)
            {
                var total = agent.Total;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  agent {agent.Id} on {agent.Hostname}: cpus {total.Cpus}, mem {total.MemMb} MB, disk {total.DiskMb} MB, {total.Ports} ports, work dir {agent.WorkDir}"));
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
}
