using System.CommandLine;
using ActorScheduler.Hosting.Cli;
using ActorScheduler.Hosting.Tests.EndToEnd;
using ActorScheduler.Mesos.Emulator;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>The agent flags of <c>mesos-local</c> and <c>run</c>: what they set, and one clear error per bad value.</summary>
public sealed class EmulatorAgentFlagsTests
{
    [Fact]
    public void The_flags_shape_the_agents()
    {
        var (parse, flags) = Parse(
            "--agent-cpus", "2.5", "--agent-mem", "4096", "--agent-disk", "0", "--agent-ports", "40000-40999",
            "--zones", "2", "--region", "eu-west", "--attributes", "rack:rack-{index%2};ssd:true",
            "--mount-disk", "2048", "--mount-disk", "512:fast");
        var options = new MesosEmulatorOptions { DataDir = "/tmp/x" };

        flags.ApplyTo(parse, options);

        Assert.Empty(parse.Errors);
        Assert.Equal((2.5, 4096.0, 0.0), (options.AgentCpus, options.AgentMemMb, options.AgentDiskMb));
        Assert.Equal((40000UL, 40999UL), options.AgentPorts);
        Assert.Equal((2, "eu-west"), (options.Zones, options.Region));
        Assert.Equal("rack:rack-{index%2};ssd:true", options.Attributes);
        Assert.Equal([new AgentMountDisk(2048), new AgentMountDisk(512, "fast")], options.MountDisks);
    }

    [Fact]
    public void Gpus_and_static_reservations_reach_the_options()
    {
        var (parse, flags) = Parse("--agent-gpus", "2", "--agent-reserved", "cpus(slave_public):2;mem(slave_public):1024");
        var options = new MesosEmulatorOptions { DataDir = "/tmp/x" };

        flags.ApplyTo(parse, options);

        Assert.Empty(parse.Errors);
        Assert.Equal((2, "cpus(slave_public):2;mem(slave_public):1024"), (options.AgentGpus, options.AgentReserved));
        Assert.Equal((0, null), (new MesosEmulatorOptions { DataDir = "/tmp/x" }.AgentGpus, new MesosEmulatorOptions { DataDir = "/tmp/x" }.AgentReserved));
    }

    [Fact]
    public void Without_flags_the_options_keep_their_defaults()
    {
        var (parse, flags) = Parse();
        var options = new MesosEmulatorOptions { DataDir = "/tmp/x" };
        var defaults = new MesosEmulatorOptions { DataDir = "/tmp/x" };

        flags.ApplyTo(parse, options);

        Assert.Equal((defaults.AgentCpus, defaults.AgentMemMb, defaults.AgentDiskMb, defaults.AgentPorts, defaults.Zones, defaults.Region),
            (options.AgentCpus, options.AgentMemMb, options.AgentDiskMb, options.AgentPorts, options.Zones, options.Region));
        Assert.Null(options.Attributes);
        Assert.Empty(options.MountDisks);
    }

    [Theory]
    [InlineData("--agent-cpus 0", "--agent-cpus must be more than 0, got 0")]
    [InlineData("--agent-mem -5", "--agent-mem must be more than 0, got -5")]
    [InlineData("--agent-disk -1", "--agent-disk must be 0 or more, got -1")]
    [InlineData("--agent-cpus lots", "Cannot parse argument 'lots' for option '--agent-cpus'")]
    [InlineData("--agent-gpus -1", "--agent-gpus must be 0 or more, got -1")]
    [InlineData("--agent-gpus 1.5", "Cannot parse argument '1.5' for option '--agent-gpus'")]
    [InlineData("--agent-reserved cpus:2", "--agent-reserved 'cpus:2': 'cpus:2' is not NAME(ROLE):VALUE, such as cpus(slave_public):2")]
    [InlineData("--agent-reserved cpus(*):2", "--agent-reserved 'cpus(*):2': 'cpus(*):2': a reservation needs a role other than '*', got '*'")]
    [InlineData("--agent-ports 32000-31000", "--agent-ports expects BEGIN-END with 1 <= BEGIN <= END <= 65535, such as 31000-32000, got '32000-31000'")]
    [InlineData("--agent-ports 31000", "--agent-ports expects BEGIN-END")]
    [InlineData("--agent-ports 0-10", "--agent-ports expects BEGIN-END")]
    [InlineData("--agent-ports 31000-70000", "--agent-ports expects BEGIN-END")]
    [InlineData("--zones -1", "--zones must be 0 or more")]
    [InlineData("--zones many", "Cannot parse argument 'many' for option '--zones'")]
    [InlineData("--region eu", "--region needs --zones N (a Mesos fault domain has a region and a zone)")]
    [InlineData("--zones 2 --region e/u", "--region expects a name of a-z A-Z 0-9 - _ ., got 'e/u'")]
    [InlineData("--attributes rack", "--attributes 'rack': 'rack' is not name:value")]
    [InlineData("--attributes rack:{zone}", "--attributes 'rack:{zone}': {zone} needs agents with fault domains (--zones N)")]
    [InlineData("--attributes rack:{a,b}", "set values such as {a,b} are not allowed for agent attributes")]
    [InlineData("--mount-disk 0", "--mount-disk expects SIZE_MB or SIZE_MB:PROFILE with a size above 0, such as 2048 or 2048:ssd, got '0'")]
    [InlineData("--mount-disk big", "--mount-disk expects SIZE_MB or SIZE_MB:PROFILE")]
    [InlineData("--mount-disk 1024:", "--mount-disk: profile '' must be non-empty and use only a-z A-Z 0-9 _ - .")]
    public void A_bad_value_is_one_clear_error(string args, string expected)
    {
        var (parse, _) = Parse(args.Split(' '));

        var error = Assert.Single(parse.Errors);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--agent-cpus")]
    [InlineData("--agent-mem")]
    [InlineData("--agent-disk")]
    [InlineData("--agent-gpus")]
    [InlineData("--agent-reserved")]
    [InlineData("--agent-ports")]
    [InlineData("--zones")]
    [InlineData("--region")]
    [InlineData("--attributes")]
    [InlineData("--mount-disk")]
    [InlineData("--secret")]
    [InlineData("--secrets-dir")]
    public void A_missing_value_is_one_error_naming_the_option(string option)
    {
        var (parse, _) = Parse(option);

        Assert.Contains($"'{option}'", Assert.Single(parse.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--agent-cpus lots", "--agent-cpus expects a number, got 'lots'")]
    [InlineData("--agent-gpus 1.5", "--agent-gpus expects a whole number, got '1.5'")]
    [InlineData("--zones many", "--zones expects a whole number, got 'many'")]
    [InlineData("--agent-reserved cpus:2", "--agent-reserved 'cpus:2': 'cpus:2' is not NAME(ROLE):VALUE, such as cpus(slave_public):2")]
    public void The_error_line_of_a_value_that_is_no_number_names_the_option_and_no_dotnet_type(string args, string expected)
    {
        var (parse, _) = Parse(args.Split(' '));

        Assert.Equal(expected, ParseErrorText.Of(Assert.Single(parse.Errors).Message));
    }

    [Fact]
    public void Secrets_reach_the_options_by_name_the_last_flag_winning_and_the_secrets_dir_as_a_full_path()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var (parse, flags) = Parse("--secret", "db/password=s3cr=t", "--secret", "empty=", "--secret", "db/password=later", "--secrets-dir", dir.FullName);
            var options = new MesosEmulatorOptions { DataDir = "/tmp/x" };

            flags.ApplyTo(parse, options);

            Assert.Empty(parse.Errors);
            Assert.Equal(new Dictionary<string, string> { ["db/password"] = "later", ["empty"] = string.Empty }, options.Secrets);
            Assert.Equal(dir.FullName, options.SecretsDir);
        }
        finally
        {
            dir.Delete();
        }
    }

    [Fact]
    public void Memory_enforcement_is_off_unless_asked_for()
    {
        var (parse, flags) = Parse("--enforce-memory");
        var options = new MesosEmulatorOptions { DataDir = "/tmp/x" };
        flags.ApplyTo(parse, options);
        Assert.Empty(parse.Errors);
        Assert.True(options.EnforceMemory);

        var (none, noFlags) = Parse();
        var defaults = new MesosEmulatorOptions { DataDir = "/tmp/x" };
        noFlags.ApplyTo(none, defaults);
        Assert.False(defaults.EnforceMemory);
        Assert.Contains("'yes'", Assert.Single(Parse("--enforce-memory", "yes").Parse.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--secret password", "--secret expects NAME=VALUE, got no '='")]
    [InlineData("--secret =value", "--secret expects NAME=VALUE with a name, got an empty name")]
    [InlineData("--secrets-dir /nonexistent/secrets", "--secrets-dir '/nonexistent/secrets' is not a directory")]
    public void A_bad_secret_flag_is_one_clear_error_that_never_shows_the_value(string args, string expected)
    {
        var (parse, _) = Parse(args.Split(' '));

        var error = Assert.Single(parse.Errors);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task Mesos_local_with_a_missing_secrets_dir_exits_non_zero_with_the_error_and_no_stack_trace()
    {
        using var data = new TempDataDir();
        using var process = SchedulerProcess.Launch(0, ["mesos-local", "--port", "0", "--data-dir", data.Path, "--secrets-dir", Path.Combine(data.Path, "no-such-dir")]);

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains($"--secrets-dir '{Path.Combine(data.Path, "no-such-dir")}' is not a directory", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Agent_flags_cannot_be_combined_with_an_external_master()
    {
        var master = new Option<string?>("--master");
        var command = new RootCommand { master };
        new EmulatorAgentFlags().AddTo(command, master);

        var parse = command.Parse(["--master", "http://127.0.0.1:5050", "--agent-cpus", "2", "--mount-disk", "100", "--enforce-memory"]);

        Assert.Equal("--agent-cpus, --mount-disk, --enforce-memory shape the embedded emulator's agents and cannot be combined with --master", Assert.Single(parse.Errors).Message);
        Assert.Empty(command.Parse(["--master", "http://127.0.0.1:5050"]).Errors);
        Assert.Contains("'--master'", Assert.Single(command.Parse(["--master"]).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mesos_local_with_a_bad_agent_flag_exits_non_zero_with_the_error_and_no_stack_trace()
    {
        using var data = new TempDataDir();
        using var process = SchedulerProcess.Launch(0, ["mesos-local", "--port", "0", "--data-dir", data.Path, "--attributes", "rack:r1;rack:r2"]);

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains("--attributes 'rack:r1;rack:r2': attribute 'rack' is given twice", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_an_outside_master_refuses_the_embedded_emulators_agent_count_and_port()
    {
        using var data = new TempDataDir();
        using var process = SchedulerProcess.Launch(0,
            ["run", Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), "--data-dir", data.Path, "--master", "http://127.0.0.1:1/", "--agents", "2", "--master-port", "5051"]);

        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains("--agents, --master-port configure the embedded emulator and cannot be combined with --master", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    private static (ParseResult Parse, EmulatorAgentFlags Flags) Parse(params string[] args)
    {
        var flags = new EmulatorAgentFlags();
        var command = new RootCommand();
        flags.AddTo(command);
        return (command.Parse(args), flags);
    }
}
