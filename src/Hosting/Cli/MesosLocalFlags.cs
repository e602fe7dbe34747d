using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Emulator.Faults;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>mesos-local</c>'s options: its own (<c>--port</c>, <c>--agents</c>, <c>--host</c>, <c>--data-dir</c>, the
/// status-update faults, <c>--seed</c>, <c>--kill-tasks-on-stop</c>) and the <see cref="EmulatorAgentFlags"/>. A bad
/// or missing value is a parse error naming the option (one <c>error:</c> line, exit 2), before the emulator starts.
/// </summary>
public sealed class MesosLocalFlags
{
    /// <summary>How long a delayed update is held when <c>--update-delay-ms</c> is not given.</summary>
    private static readonly TimeSpan DefaultUpdateDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>--update-delay-ms</c>: from 0 (at once) to the emulator's longest delay; a number without its unit is
    /// milliseconds, as the option's name says and as it took them before it took durations.
    /// </summary>
    private static readonly DurationText.Bounds UpdateDelayBounds = new(StatusUpdateFaults.MaxDelay)
    {
        Min = TimeSpan.Zero, Bare = TimeSpan.FromMilliseconds(1), Note = "0: at once",
    };

    private readonly EmulatorAgentFlags _agents = new();

    public Option<int> Port { get; } = new("--port")
    {
        Description = "Port to serve the Mesos scheduler API on (127.0.0.1).",
        DefaultValueFactory = _ => 5050,
        CustomParser = Number("--port", 0, 65535, "a port from 0 to 65535"),
    };

    public Option<int> Agents { get; } = new("--agents")
    {
        Description = "Number of local agents.",
        DefaultValueFactory = _ => 3,
        CustomParser = Number("--agents", 0, MesosEmulatorOptions.MaxAgents,
            string.Create(CultureInfo.InvariantCulture, $"a number of agents from 0 to {MesosEmulatorOptions.MaxAgents}")),
    };

    public Option<string> DataDir { get; } = new("--data-dir")
    {
        Description = "Agent work dirs, checkpoints and task sandboxes.",
        DefaultValueFactory = _ => ".actorscheduler/mesos",
    };

    public Option<string> Host { get; } = new("--host")
    {
        Description = "Address to serve on (127.0.0.1 keeps it local; 0.0.0.0 for containers).",
        DefaultValueFactory = _ => "127.0.0.1",
    };

    public Option<bool> KillTasksOnStop { get; } = new("--kill-tasks-on-stop")
    {
        Description = "Kill every task when the emulator stops (by default task processes keep running and the next start on this data dir adopts them).",
    };

    // Fault injection from the start (the /faults endpoints change it at run time).
    public Option<double> DropUpdates { get; } = new("--drop-updates")
    {
        Description = "Drop this share (0..1) of agent status updates on their way to frameworks; agents retry them.",
        CustomParser = Share("--drop-updates"),
    };

    public Option<double> DuplicateUpdates { get; } = new("--duplicate-updates")
    {
        Description = "Deliver this share (0..1) of agent status updates twice.",
        CustomParser = Share("--duplicate-updates"),
    };

    public Option<double> DelayUpdates { get; } = new("--delay-updates")
    {
        Description = "Hold back this share (0..1) of agent status updates by --update-delay-ms.",
        CustomParser = Share("--delay-updates"),
    };

    public Option<TimeSpan?> UpdateDelayMs { get; } = new("--update-delay-ms")
    {
        Description = "How long a delayed update is held, and how long after the original a duplicate follows. A duration, a number and its unit "
            + $"ms, s, m, h or d (500ms, 1.5s, 2m), or a number of milliseconds; 0 to {DurationText.Format(StatusUpdateFaults.MaxDelay)}. "
            + $"Default {DurationText.Format(DefaultUpdateDelay)}.",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            var delay = DurationText.Parse(text, "--update-delay-ms", UpdateDelayBounds, out var error);
            if (error is not null)
            {
                result.AddError(error);
            }

            return delay;
        },
    };

    public Option<int?> Seed { get; } = new("--seed")
    {
        Description = "Seed of the fault injection's random draws: the same seed repeats the same faults (default: random, printed).",
        CustomParser = result => Number("--seed", int.MinValue, int.MaxValue, "a whole number")(result),
    };

    /// <summary>Adds the options and their checks to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Port, Agents, DataDir, Host, KillTasksOnStop, DropUpdates, DuplicateUpdates, DelayUpdates, UpdateDelayMs, Seed })
        {
            command.Options.Add(option);
        }

        _agents.AddTo(command);
        Host.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } host && !System.Net.IPAddress.TryParse(host, out _))
            {
                result.AddError($"--host expects an IP address such as 127.0.0.1 or 0.0.0.0, got '{host}'");
            }
        });
        DataDir.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } dir && string.IsNullOrWhiteSpace(dir))
            {
                result.AddError($"--data-dir expects a directory, got '{dir}'");
            }
        });
        command.Validators.Add(result =>
        {
            var sum = 0.0;
            foreach (var share in new[] { DropUpdates, DuplicateUpdates, DelayUpdates })
            {
                if (!EmulatorAgentFlags.Converted(result.GetResult(share), out double value))
                {
                    return; // a share is refused on its own
                }

                sum += value;
            }

            if (sum > 1 + 1e-9)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture,
                    $"--drop-updates, --duplicate-updates and --delay-updates add up to {sum}; they must not exceed 1"));
            }
        });
    }

    /// <summary>The emulator's options from a parse without errors.</summary>
    public MesosEmulatorOptions ToOptions(ParseResult parse, IReadOnlyList<string> bootstrapCommand)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var options = new MesosEmulatorOptions
        {
            Host = parse.GetValue(Host)!,
            Port = parse.GetValue(Port),
            Agents = parse.GetValue(Agents),
            DataDir = Path.GetFullPath(parse.GetValue(DataDir)!),
            StatusUpdateFaults = new StatusUpdateFaults(
                parse.GetValue(DropUpdates),
                parse.GetValue(DuplicateUpdates),
                parse.GetValue(DelayUpdates),
                parse.GetValue(UpdateDelayMs) ?? DefaultUpdateDelay),
            Seed = parse.GetValue(Seed),
            KillTasksOnStop = parse.GetValue(KillTasksOnStop),
            BootstrapCommand = bootstrapCommand,
        };
        _agents.ApplyTo(parse, options);
        return options;
    }

    private static Func<ArgumentResult, double> Share(string name) => Number(name, 0.0, 1.0, "a share from 0 to 1");

    /// <summary>A parser of one number from <paramref name="min"/> to <paramref name="max"/>, refusing anything else with "NAME expects WHAT, got 'VALUE'".</summary>
    private static Func<ArgumentResult, T> Number<T>(string name, T min, T max, string what)
        where T : INumber<T>
    {
        var style = typeof(T) == typeof(double) ? NumberStyles.Float : NumberStyles.Integer;
        return result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (T.TryParse(text, style, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            result.AddError($"{name} expects {what}, got '{text}'");
            return default!;
        };
    }
}
