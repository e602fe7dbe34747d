using System.Text;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using Google.Protobuf;
using RLimit = ActorScheduler.Messages.MesosV1.RLimitInfo.Types.RLimit;
using RLimitType = ActorScheduler.Messages.MesosV1.RLimitInfo.Types.RLimit.Types.Type;
using Variable = ActorScheduler.Messages.MesosV1.Environment.Types.Variable;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>The decisions behind a local agent's container settings, without processes: rlimits, the secret store, the master's rules.</summary>
public sealed class ContainerSettingsTests
{
    private static readonly ProcessLimits.HostLimits Unprivileged = new(t => t == RLimitType.RlmtNofile ? 4096UL : null, Privileged: false, NrOpen: 1048576);

    [Fact]
    public void Rlimits_become_prlimit_options_both_unset_being_unlimited()
    {
        var info = new RLimitInfo { Rlimits = { new RLimit { Type = RLimitType.RlmtNofile, Soft = 100, Hard = 4096 }, new RLimit { Type = RLimitType.RlmtCore } } };

        var options = ProcessLimits.Options(info, Unprivileged, out var error);

        Assert.Null(error);
        Assert.Equal(["--nofile=100:4096", "--core=unlimited:unlimited"], options);
        Assert.Equal(["prlimit", "--nofile=100:4096", "--core=unlimited:unlimited", "--", "/bin/sh", "-c", "x"], ProcessLimits.Wrap(options!, ["/bin/sh", "-c", "x"]));
    }

    [Theory]
    [InlineData(RLimitType.Unknown, 1UL, 1UL, "Failed to set UNKNOWN limit: Could not convert rlimit: Unknown rlimit type")]
    [InlineData(RLimitType.RlmtStack, 10UL, null, "Failed to set RLMT_STACK limit: Invalid rlimit values")]
    [InlineData(RLimitType.RlmtStack, 10UL, 5UL, "Failed to set RLMT_STACK limit: Invalid argument (soft limit 10 is above hard limit 5)")]
    [InlineData(RLimitType.RlmtNofile, 10UL, 8192UL, "Failed to set RLMT_NOFILE limit: Operation not permitted (hard limit 8192 is above the agent's own 4096")]
    [InlineData(RLimitType.RlmtNofile, null, null, "Failed to set RLMT_NOFILE limit: Operation not permitted (hard limit unlimited is above the agent's own 4096")]
    public void A_limit_the_host_would_refuse_is_refused_with_mesoss_words_and_why(RLimitType type, ulong? soft, ulong? hard, string expected)
    {
        var limit = new RLimit { Type = type };
        if (soft is { } s)
        {
            limit.Soft = s;
        }

        if (hard is { } h)
        {
            limit.Hard = h;
        }

        Assert.Null(ProcessLimits.Options(new RLimitInfo { Rlimits = { limit } }, Unprivileged, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_privileged_agent_may_raise_hard_limits_but_not_open_files_above_nr_open()
    {
        var privileged = Unprivileged with { Privileged = true };

        Assert.Equal(["--nofile=8192:8192"], ProcessLimits.Options(new RLimitInfo { Rlimits = { new RLimit { Type = RLimitType.RlmtNofile, Soft = 8192, Hard = 8192 } } }, privileged, out _));
        Assert.Null(ProcessLimits.Options(new RLimitInfo { Rlimits = { new RLimit { Type = RLimitType.RlmtNofile } } }, privileged, out var error));
        Assert.Equal("Failed to set RLMT_NOFILE limit: Operation not permitted (hard limit unlimited is above fs.nr_open, 1048576 on this host)", error);
    }

    [Fact]
    public void The_secret_store_resolves_given_secrets_then_files_by_name_with_or_without_a_leading_slash_and_keys_of_json_secrets()
    {
        using var root = new TempDir();
        var dir = Path.Combine(root.Path, "secrets");
        Directory.CreateDirectory(Path.Combine(dir, "db"));
        File.WriteAllText(Path.Combine(dir, "db", "creds"), """{"user":"admin","port":5432}""");
        File.WriteAllText(Path.Combine(dir, "shadowed"), "from-file");
        File.WriteAllText(Path.Combine(root.Path, "outside"), "escaped");
        var store = new SecretStore(new Dictionary<string, string> { ["/shadowed"] = "given" }, dir);

        Assert.Equal("given", Text(store.Resolve(Reference("shadowed"), out _)));
        Assert.Equal("admin", Text(store.Resolve(Reference("/db/creds", "user"), out _)));
        Assert.Equal("5432", Text(store.Resolve(Reference("db/creds", "port"), out _)));
        Assert.Equal("inline", Text(store.Resolve(new Secret { Type = Secret.Types.Type.Value, Value = new() { Data = ByteString.CopyFromUtf8("inline") } }, out _)));

        Assert.Null(store.Resolve(Reference("../outside"), out var escaped));
        Assert.StartsWith("Secret '../outside' could not be resolved: the emulator's secret store has no such secret", escaped, StringComparison.Ordinal);
        Assert.Null(store.Resolve(Reference("db/creds", "password"), out var noKey));
        Assert.Equal("Secret 'db/creds' could not be resolved: it has no key 'password' (a secret with keys is a JSON object)", noKey);
        Assert.Null(store.Resolve(new Secret(), out var empty));
        Assert.Equal("Secret has no value", empty);
    }

    [Theory]
    [InlineData("unknown-type", "Environment variable of type 'UNKNOWN' is not allowed")]
    [InlineData("value-without-value", "Environment variable 'A' of type 'VALUE' must have a value set")]
    [InlineData("secret-with-value", "Environment variable 'A' of type 'SECRET' must not have a value set")]
    [InlineData("null-bytes", "Environment variable 'A' specifies a secret containing null bytes, which is not allowed in the environment")]
    [InlineData("reference-with-value", "Environment variable 'A' specifies an invalid secret: Secret 'n' of type REFERENCE must not have the 'value' field set")]
    public void The_master_refuses_an_environment_as_mesos_does(string kind, string expected)
    {
        var variable = kind switch
        {
            "unknown-type" => new Variable { Name = "A", Type = Variable.Types.Type.Unknown, Value = "x" },
            "value-without-value" => new Variable { Name = "A" },
            "secret-with-value" => new Variable { Name = "A", Type = Variable.Types.Type.Secret, Value = "x", Secret = Reference("n") },
            "null-bytes" => new Variable
            {
                Name = "A",
                Type = Variable.Types.Type.Secret,
                Secret = new Secret { Type = Secret.Types.Type.Value, Value = new() { Data = ByteString.CopyFrom(1, 0, 2) } },
            },
            _ => new Variable { Name = "A", Type = Variable.Types.Type.Secret, Secret = WithValue(Reference("n")) },
        };

        Assert.Equal(expected, ContainerValidation.ValidateEnvironment(new Messages.MesosV1.Environment { Variables = { variable } }));
    }

    [Fact]
    public void The_masters_check_of_a_task_without_a_container_allocates_nothing()
    {
        // Every task of an offer storm passes here, in the simulation too.
        var task = new TaskInfo { Name = "t", TaskId = new TaskID { Value = "t" }, Command = new CommandInfo { Value = "true", Environment = new() } };
        for (var i = 0; i < 20; i++)
        {
            task.Command.Environment.Variables.Add(new Variable { Name = "V" + i, Value = "x" });
        }

        Assert.Null(ContainerValidation.ValidateTask(task, groupMember: true));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = ContainerValidation.ValidateTask(task, groupMember: false);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(error);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task An_emulator_with_a_missing_secrets_dir_or_a_nameless_secret_does_not_start()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.SecretsDir = Path.Combine(dir.Path, "absent");
        var missing = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));
        options.SecretsDir = null;
        options.Secrets = new Dictionary<string, string> { ["/"] = "x" };
        var nameless = await Assert.ThrowsAsync<MesosEmulatorException>(() => MesosEmulator.StartAsync(options));

        Assert.Equal($"secrets dir '{Path.Combine(dir.Path, "absent")}' does not exist", missing.Message);
        Assert.Equal("secret name '/' is empty", nameless.Message);
    }

    private static Secret Reference(string name, string? key = null)
    {
        var secret = new Secret { Type = Secret.Types.Type.Reference, Reference = new() { Name = name } };
        if (key is not null)
        {
            secret.Reference.Key = key;
        }

        return secret;
    }

    private static Secret WithValue(Secret secret)
    {
        secret.Value = new() { Data = ByteString.CopyFromUtf8("v") };
        return secret;
    }

    private static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);
}
