using ActorScheduler.Hosting.Cli;
using Akka.Event;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>How <c>run</c> shows a log event on the console (one line) and keeps it in its log file (whole).</summary>
public sealed class RunLogTests
{
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

        var line = RunLogSetup.ConsoleLine(new Error(cause, "akka://x/user/a", typeof(RunLogTests), "Failed to persist event [E]."));

        Assert.Equal("Failed to persist event [E]: writing failed: disk full on /var", line);
    }

    [Fact]
    public void A_cause_the_message_already_says_is_not_repeated()
    {
        var cause = Thrown(new InvalidOperationException("the offer router failed: timed out", new TimeoutException("timed out")));

        Assert.Equal("the offer router failed: timed out", RunLogSetup.ConsoleLine(new Error(cause, "src", typeof(RunLogTests), cause.Message)));
    }

    [Fact]
    public void The_file_entry_has_the_level_the_source_and_the_stack_trace()
    {
        var cause = Thrown(new IOException("disk full"));

        var entry = RunLogSetup.FileEntry(new Error(cause, "akka://x/user/a", typeof(RunLogTests), "write failed"));

        Assert.Contains(" ERROR [akka://x/user/a] write failed", entry);
        Assert.Contains("System.IO.IOException: disk full", entry);
        Assert.Contains("   at ", entry);
    }
}
