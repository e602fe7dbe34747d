using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// The flags that shape the emulator's local agents, shared by <c>mesos-local</c> and <c>run</c> (embedded emulator):
/// <c>--agent-cpus</c>, <c>--agent-mem</c>, <c>--agent-disk</c>, <c>--agent-gpus</c>, <c>--agent-reserved</c>, <c>--agent-ports BEGIN-END</c>, <c>--zones</c>,
/// <c>--region</c>, <c>--attributes</c>, <c>--mount-disk SIZE_MB[:PROFILE]</c> (repeatable), and the agents' secrets,
/// <c>--secret NAME=VALUE</c> (repeatable) and <c>--secrets-dir DIR</c>. Bad values are parse
/// errors: one clear line each and a non-zero exit.
/// </summary>
public sealed class EmulatorAgentFlags
{
    /// <summary>cpus of each agent.</summary>
    public Option<double?> Cpus { get; } = new("--agent-cpus") { Description = "cpus of each local agent. [default: 4]" };

    /// <summary>mem (MB) of each agent.</summary>
    public Option<double?> Mem { get; } = new("--agent-mem") { Description = "Memory of each local agent in MB. [default: 8192]" };

    /// <summary>ROOT disk (MB) of each agent.</summary>
    public Option<double?> Disk { get; } = new("--agent-disk") { Description = "ROOT disk of each local agent in MB (0: none). [default: 20480]" };

    /// <summary>GPUs of each agent.</summary>
    public Option<int?> Gpus { get; } = new("--agent-gpus")
    {
        Description = "GPUs of each local agent, offered only to frameworks with the GPU_RESOURCES capability. [default: 0]",
    };

    /// <summary>Static reservations of each agent, in the Mesos agent's resource text.</summary>
    public Option<string?> Reserved { get; } = new("--agent-reserved")
    {
        Description = "Resources each local agent reserves statically for a role, in Mesos form: "
            + "'cpus(slave_public):2;mem(slave_public):1024;ports(slave_public):[31000-31010]'. Scalars come on top of its "
            + "unreserved ones; reserved ports are taken out of its share of --agent-ports and must lie within it.",
    };

    /// <summary>The port range the agents share out.</summary>
    public Option<string?> Ports { get; } = new("--agent-ports")
    {
        Description = "Port range BEGIN-END the local agents split among themselves (all run on this host). [default: 31000-32000]",
    };

    /// <summary>Fault-domain zones.</summary>
    public Option<int> Zones { get; } = new("--zones")
    {
        Description = "Spread the local agents over N fault-domain zones (zone-1..N, round-robin); 0 = no domains.",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>Region of the zones.</summary>
    public Option<string?> Region { get; } = new("--region") { Description = "Region of the agents' fault domains (needs --zones). [default: local]" };

    /// <summary>Agent attributes in Mesos text, with per-agent placeholders.</summary>
    public Option<string?> Attributes { get; } = new("--attributes")
    {
        Description = "Agent attributes in Mesos form, e.g. 'rack:rack-{index%2};ssd:true;cores:8;slots:[1-4]'. "
            + "{index} is the agent's 0-based index, {index%N} it modulo N, {zone} and {region} its fault domain.",
    };

    /// <summary>MOUNT disks every agent gets.</summary>
    public Option<string[]> MountDisks { get; } = new("--mount-disk")
    {
        Description = "Give every local agent a MOUNT disk of SIZE_MB (indivisible; optional disk profile after a colon, e.g. 2048:ssd). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Secrets for the agents' secret resolver, by name.</summary>
    public Option<string[]> Secrets { get; } = new("--secret")
    {
        Description = "A secret for SECRET environment variables and volumes of tasks, as NAME=VALUE (visible to other users of this host in the "
            + "process list: prefer --secrets-dir). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>A directory of secrets, one file per secret.</summary>
    public Option<string?> SecretsDir { get; } = new("--secrets-dir")
    {
        Description = "A directory of secrets for tasks: the file at path NAME under it is the secret NAME (read at each launch).",
    };

    /// <summary>Whether the agents kill a task that uses more memory than it may.</summary>
    public Option<bool> EnforceMemory { get; } = new("--enforce-memory")
    {
        Description = "Hold each task to its memory, as Mesos' cgroups/mem isolator does: a task whose processes use more resident memory than "
            + "its mem (or its larger memory limit) is killed and fails with REASON_CONTAINER_LIMITATION_MEMORY. Checked once a second.",
    };

    private IEnumerable<Option> All => [Cpus, Mem, Disk, Gpus, Reserved, Ports, Zones, Region, Attributes, MountDisks, Secrets, SecretsDir, EnforceMemory];

    /// <summary>The flags with their value checks.</summary>
    public EmulatorAgentFlags()
    {
        Positive(Cpus, "--agent-cpus", allowZero: false);
        Positive(Mem, "--agent-mem", allowZero: false);
        Positive(Disk, "--agent-disk", allowZero: true);
        Gpus.Validators.Add(result =>
        {
            if (Converted(result, out int? gpus) && gpus < 0)
            {
                result.AddError($"--agent-gpus must be 0 or more, got {gpus.Value.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        Reserved.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && AgentReservedResources.TryParse(text, out var error) is null)
            {
                result.AddError($"--agent-reserved '{text}': {error}");
            }
        });
        Ports.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !TryParsePorts(text, out _, out var error))
            {
                result.AddError(error!);
            }
        });
        Zones.Validators.Add(result =>
        {
            if (Converted(result, out int zones) && zones < 0)
            {
                result.AddError("--zones must be 0 or more");
            }
        });
        Region.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } region && (region.Length == 0 || !region.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                result.AddError($"--region expects a name of a-z A-Z 0-9 - _ ., got '{region}'");
            }
        });
        Secrets.Validators.Add(result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TryParseSecret(text, out _, out var error))
                {
                    result.AddError(error!);
                }
            }
        });
        SecretsDir.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } dir && !Directory.Exists(dir))
            {
                result.AddError($"--secrets-dir '{dir}' is not a directory");
            }
        });
        MountDisks.Validators.Add(result =>
        {
            foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (!TryParseMountDisk(text, out _, out var error))
                {
                    result.AddError(error!);
                }
            }
        });
    }

    /// <summary>Adds the flags to <paramref name="command"/>, with the checks that need several of them.</summary>
    /// <param name="master">When given (<c>run --master</c>), agent flags are refused with it: there are no local agents then.</param>
    /// <param name="emulatorOptions">The command's own options for the embedded emulator (<c>run</c>'s <c>--agents</c>,
    /// <c>--master-port</c>), refused with <paramref name="master"/> too.</param>
    public void AddTo(Command command, Option<string?>? master = null, IReadOnlyList<Option>? emulatorOptions = null)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            // A value missing or refused on its own is the parser's error already; reading it here would throw.
            if (!Converted(result.GetResult(Zones), out int zones)
                || !Converted(result.GetResult(Region), out string? region)
                || !Converted(result.GetResult(Attributes), out string? attributes))
            {
                return;
            }

            if (region is not null && zones <= 0)
            {
                result.AddError("--region needs --zones N (a Mesos fault domain has a region and a zone)");
            }

            if (attributes is not null && AgentAttributes.Validate(attributes, zones, region ?? "local") is { } error)
            {
                result.AddError($"--attributes '{attributes}': {error}");
            }

            if (master is not null && Converted(result.GetResult(master), out string? masterUrl) && masterUrl is not null)
            {
                if (Given(result, All) is { Count: > 0 } agentFlags)
                {
                    result.AddError($"{string.Join(", ", agentFlags)} shape the embedded emulator's agents and cannot be combined with --master");
                }

                if (Given(result, emulatorOptions ?? []) is { Count: > 0 } emulator)
                {
                    result.AddError($"{string.Join(", ", emulator)} configure the embedded emulator and cannot be combined with --master");
                }
            }
        });
    }

    /// <summary>The names of <paramref name="options"/> given on the command line (not left to their defaults).</summary>
    private static List<string> Given(CommandResult result, IEnumerable<Option> options) =>
        options.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();

    /// <summary>Sets what the flags give on <paramref name="options"/>; flags not given keep the options' defaults.</summary>
    public void ApplyTo(ParseResult parse, MesosEmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(options);
        options.AgentCpus = parse.GetValue(Cpus) ?? options.AgentCpus;
        options.AgentMemMb = parse.GetValue(Mem) ?? options.AgentMemMb;
        options.AgentDiskMb = parse.GetValue(Disk) ?? options.AgentDiskMb;
        options.AgentGpus = parse.GetValue(Gpus) ?? options.AgentGpus;
        options.AgentReserved = parse.GetValue(Reserved) ?? options.AgentReserved;
        if (parse.GetValue(Ports) is { } ports && TryParsePorts(ports, out var range, out _))
        {
            options.AgentPorts = range;
        }

        options.Zones = parse.GetValue(Zones);
        options.Region = parse.GetValue(Region) ?? options.Region;
        options.Attributes = parse.GetValue(Attributes) ?? options.Attributes;
        var secrets = parse.GetValue(Secrets) ?? [];
        if (secrets.Length > 0)
        {
            // Later flags win, as for any repeated NAME=VALUE.
            var values = new Dictionary<string, string>(options.Secrets, StringComparer.Ordinal);
            foreach (var text in secrets)
            {
                var (name, value) = TryParseSecret(text, out var secret, out _) ? secret : throw new InvalidOperationException(text);
                values[name] = value;
            }

            options.Secrets = values;
        }

        if (parse.GetValue(SecretsDir) is { } secretsDir)
        {
            options.SecretsDir = Path.GetFullPath(secretsDir);
        }

        options.EnforceMemory |= parse.GetValue(EnforceMemory);

        var mounts = parse.GetValue(MountDisks) ?? [];
        if (mounts.Length > 0)
        {
            options.MountDisks = mounts.Select(m => TryParseMountDisk(m, out var disk, out _) ? disk! : throw new InvalidOperationException(m)).ToList();
        }
    }

    /// <summary>Parses <c>BEGIN-END</c> (whole numbers, 1 ≤ BEGIN ≤ END ≤ 65535).</summary>
    public static bool TryParsePorts(string text, out (ulong Begin, ulong End) range, out string? error)
    {
        range = default;
        var parts = text.Split('-');
        if (parts.Length != 2
            || !ushort.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var begin)
            || !ushort.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || begin == 0 || begin > end)
        {
            error = $"--agent-ports expects BEGIN-END with 1 <= BEGIN <= END <= 65535, such as 31000-32000, got '{text}'";
            return false;
        }

        range = (begin, end);
        error = null;
        return true;
    }

    /// <summary>Parses <c>NAME=VALUE</c> (the value may be empty and hold '='; the name may not be empty). The message never shows the value.</summary>
    public static bool TryParseSecret(string text, out (string Name, string Value) secret, out string? error)
    {
        secret = default;
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            error = "--secret expects NAME=VALUE, got no '='";
            return false;
        }

        var name = text[..equals];
        if (name.TrimStart('/').Length == 0)
        {
            error = "--secret expects NAME=VALUE with a name, got an empty name";
            return false;
        }

        secret = (name, text[(equals + 1)..]);
        error = null;
        return true;
    }

    /// <summary>Parses <c>SIZE_MB</c> or <c>SIZE_MB:PROFILE</c>.</summary>
    public static bool TryParseMountDisk(string text, out AgentMountDisk? disk, out string? error)
    {
        disk = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var size = colon < 0 ? text : text[..colon];
        var profile = colon < 0 ? null : text[(colon + 1)..];
        if (!double.TryParse(size, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var mb) || !(mb > 0) || !double.IsFinite(mb))
        {
            error = $"--mount-disk expects SIZE_MB or SIZE_MB:PROFILE with a size above 0, such as 2048 or 2048:ssd, got '{text}'";
            return false;
        }

        if (profile is not null && (profile.Length == 0 || !profile.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            error = $"--mount-disk: profile '{profile}' must be non-empty and use only a-z A-Z 0-9 _ - .";
            return false;
        }

        disk = new AgentMountDisk(mb, profile);
        error = null;
        return true;
    }

    /// <summary>The option's value, false when it did not convert (the parser reports that error itself).</summary>
    internal static bool Converted<T>(OptionResult? result, out T value)
    {
        value = default!;
        if (result is null)
        {
            return true;
        }

        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Positive(Option<double?> option, string name, bool allowZero)
    {
        option.Validators.Add(result =>
        {
            if (Converted(result, out double? converted) && converted is { } value && (!double.IsFinite(value) || value < 0 || (!allowZero && value == 0)))
            {
                result.AddError($"{name} must be {(allowZero ? "0 or more" : "more than 0")}, got {value.ToString(CultureInfo.InvariantCulture)}");
            }
        });
    }
}
