using ActorScheduler.Hosting.Cli;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>How <c>run</c> shows a log event on the console (one line) and keeps it in its log file (whole).</summary>
public sealed class RunLogTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"actorscheduler-runlog-{Guid.NewGuid():N}.log");

    private static Exception Thrown(Exception e)
    {
        try
        {
            throw e;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }

    [Fact]
    public void The_console_line_is_the_message_then_each_cause_it_does_not_already_say_on_one_line_without_a_stack_trace()
    {
        var cause = Thrown(new InvalidOperationException("writing failed", new IOException("disk full\non /var")));

        Assert.Equal("Failed to persist event [E]: writing failed: disk full on /var", RunLog.ConsoleLine("Failed to persist event [E].", cause));
    }

    [Fact]
    public void A_cause_the_message_already_says_is_not_repeated()
    {
        var cause = Thrown(new InvalidOperationException("the offer router failed: timed out", new TimeoutException("timed out")));

        Assert.Equal("the offer router failed: timed out", RunLog.ConsoleLine(cause.Message, cause));
    }

    [Fact]
    public void The_file_entry_has_the_level_the_source_and_the_stack_trace()
    {
        var entry = RunLog.FileEntry(DateTime.UtcNow, "ERROR", "akka://x/user/a", "write failed", Thrown(new IOException("disk full")));

        Assert.Contains(" ERROR [akka://x/user/a] write failed", entry);
        Assert.Contains("System.IO.IOException: disk full", entry);
        Assert.Contains("   at ", entry);
    }

    [Fact]
    public void An_API_error_ASP_NET_logs_is_one_line_on_the_console_and_whole_in_the_file()
    {
        var console = new StringWriter();
        using (var log = new RunLog(console, _file))
        {
            using var provider = new RunLogProvider(log);
            provider.CreateLogger("ActorScheduler.Api").LogError(Thrown(new InvalidOperationException("no plans")), "{Method} {Path} failed", "GET", "/v1/plans");
        }

        Assert.Equal("GET /v1/plans failed: no plans", console.ToString().Trim());
        var written = File.ReadAllText(_file);
        Assert.Contains(" ERROR [ActorScheduler.Api] GET /v1/plans failed", written);
        Assert.Contains("   at ", written);
    }

    [Fact]
    public async Task A_flush_completes_once_the_logger_has_written_every_event_logged_before_it()
    {
        using var log = new RunLog(TextWriter.Null, _file);
        var setup = Akka.Actor.BootstrapSetup.Create()
            .WithConfig(Akka.Configuration.ConfigurationFactory.ParseString($"akka.loggers = [\"{typeof(RunLog).Namespace}.RunLogger, {typeof(RunLog).Assembly.GetName().Name}\"]"))
            .And(new RunLogSetup(log));
        var system = Akka.Actor.ActorSystem.Create("runlog", setup);
        try
        {
            // The logger is held inside an event (its message's text waits for the gate), with the line that matters
            // queued behind it, as when the actor system is stopped right after the scheduler logged why it stops.
            var gate = new ManualResetEventSlim();
            system.EventStream.Publish(new Akka.Event.Error(null, "test", typeof(RunLogTests), new Held(gate)));
            system.EventStream.Publish(new Akka.Event.Error(null, SchedulerFailureLogSource, typeof(RunLogTests), "The scheduler stops: the journal was lost"));

            var flush = RunLogFlush.FlushAsync(system, TimeSpan.FromMinutes(1));

            Assert.False(flush.IsCompleted, "the flush completed while the logger had not written the events before it");
            gate.Set();
            await flush.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("The scheduler stops: the journal was lost", File.ReadAllText(_file));
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task A_flush_of_a_terminated_actor_system_returns_at_once()
    {
        var system = Akka.Actor.ActorSystem.Create("runlog-terminated");
        await system.Terminate();

        var flush = RunLogFlush.FlushAsync(system, TimeSpan.FromMinutes(1));

        Assert.True(flush.IsCompleted);
        await flush;
    }

    private const string SchedulerFailureLogSource = ActorScheduler.Actors.SchedulerFailureLog.Source;

    /// <summary>A log message whose text is not there until the gate opens.</summary>
    private sealed class Held(ManualResetEventSlim gate)
    {
        public override string ToString()
        {
            gate.Wait();
            return "held";
        }
    }

    public void Dispose() => File.Delete(_file);
}
