using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;
using ActorScheduler.Messages.MesosV1;
using static ActorScheduler.Mesos.Tests.Support.Resources;

namespace ActorScheduler.Mesos.Tests.Emulator;

/// <summary>Tasks on local agents find <c>bootstrap</c> on their PATH: a script running the configured actorscheduler command.</summary>
public sealed class BootstrapShimTests
{
    [Fact]
    public void The_script_execs_the_command_with_bootstrap_and_the_arguments_every_word_quoted()
    {
        Assert.Equal(
            "#!/bin/sh\n# Written by the actorscheduler Mesos emulator: the local bootstrap (DC/OS SDK bootstrap).\nexec '/usr/bin/dotnet' '/opt/it'\\''s/actorscheduler.dll' bootstrap \"$@\"\n",
            BootstrapShim.Script(["/usr/bin/dotnet", "/opt/it's/actorscheduler.dll"]));
    }

    [Fact]
    public void The_command_of_an_assembly_runs_it_on_a_dotnet_host()
    {
        var command = BootstrapShim.CommandOf("/opt/actorscheduler/actorscheduler.dll");

        Assert.Equal(2, command.Count);
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(command[0]));
        Assert.Equal("/opt/actorscheduler/actorscheduler.dll", command[1]);
    }

    [Fact]
    public async Task A_task_calls_bootstrap_from_its_path_and_a_task_of_an_emulator_without_it_does_not_find_it()
    {
        using var dir = new TempDir();
        var options = TestEmulator.Options(dir.Path);
        options.BootstrapCommand = ["/bin/echo", "shim:"];
        await using (var emulator = await MesosEmulator.StartAsync(options))
        await using (var framework = await TestFramework.StartAsync(emulator.Url, TestFramework.Info()))
        {
            var offer = await framework.NextOfferAsync();
            await framework.AcceptAsync(offer, Launch(CommandTask("caller", offer, "bootstrap --print-env")));
            await framework.AwaitStateAcknowledgingAsync("caller", TaskState.TaskFinished);
        }

        var stdout = Directory.GetDirectories(dir.Path, "caller", SearchOption.AllDirectories).Single();
        Assert.Equal("shim: bootstrap --print-env\n", await File.ReadAllTextAsync(Path.Combine(stdout, "stdout")));

        using var plain = new TempDir();
        await using var without = await MesosEmulator.StartAsync(TestEmulator.Options(plain.Path));
        await using var other = await TestFramework.StartAsync(without.Url, TestFramework.Info());
        var again = await other.NextOfferAsync();
        await other.AcceptAsync(again, Launch(CommandTask("lost", again, "command -v bootstrap")));
        Assert.Equal(TaskState.TaskFailed, (await other.AwaitStateAcknowledgingAsync("lost", TaskState.TaskFailed)).State);
    }
}
