using System.Globalization;
using ActorScheduler.Actors;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// Where <c>run</c>'s scheduler logs go: the console gets one line per event — its message and the messages of the
/// exception behind it, no stack trace — and the log file in the data dir (<see cref="FileName"/>) gets each event whole,
/// with the exception's stack trace, for when that line is not enough. The line saying why the scheduler stopped for
/// good (<see cref="SchedulerFailureLog"/>) goes to the file only: <c>run</c> prints it as its <c>error:</c> line.
/// </summary>
public sealed class RunLogSetup : Setup
{
    /// <summary>The log file's name, in the data dir.</summary>
    public const string FileName = "actorscheduler.log";

    /// <summary>A log file grown past this is kept as <c>actorscheduler.log.1</c> (replacing the one before) when the next run starts.</summary>
    internal const long RotateAtBytes = 10 * 1024 * 1024;

    public RunLogSetup(TextWriter console, string filePath)
    {
        Console = TextWriter.Synchronized(console);
        FilePath = filePath;
    }

    public TextWriter Console { get; }

    public string FilePath { get; }

    /// <summary>The event as the console shows it: one line, the message then each cause's message it does not already say.</summary>
    internal static string ConsoleLine(LogEvent logEvent)
    {
        var line = OneLine(logEvent.Message?.ToString() ?? string.Empty);
        for (var cause = logEvent.Cause; cause is not null; cause = cause.InnerException)
        {
            var said = OneLine(cause.Message);
            if (said.Length > 0 && !line.Contains(said, StringComparison.Ordinal))
            {
                line = line.Length == 0 ? said : $"{line.TrimEnd('.')}: {said}";
            }
        }

        return line;
    }

    /// <summary>The event as the file keeps it: time, level, source, message, and the exception with its stack trace.</summary>
    internal static string FileEntry(LogEvent logEvent)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{logEvent.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {Level(logEvent.LogLevel())} [{logEvent.LogSource}] {logEvent.Message}");
        return logEvent.Cause is null ? head : $"{head}{Environment.NewLine}  {logEvent.Cause.ToString().Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal)}";
    }

    private static string Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => "DEBUG",
        Akka.Event.LogLevel.InfoLevel => "INFO",
        Akka.Event.LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };

    private static string OneLine(string text) => CommandGuard.OneLine(text);
}

/// <summary>The Akka logger of <c>run</c> (see <see cref="RunLogSetup"/>).</summary>
internal sealed class RunLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private RunLogSetup? _setup;
    private StreamWriter? _file;

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                _setup = Context.System.Settings.Setup.Get<RunLogSetup>().Value
                         ?? throw new InvalidOperationException($"{nameof(RunLogger)} needs a {nameof(RunLogSetup)} in the actor system's setup");
                _file = Open(_setup.FilePath);
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent when _setup is not null:
                if (logEvent.LogSource != SchedulerFailureLog.Source)
                {
                    _setup.Console.WriteLine(RunLogSetup.ConsoleLine(logEvent));
                }

                try
                {
                    _file?.WriteLine(RunLogSetup.FileEntry(logEvent));
                }
                catch (IOException)
                {
                    // A full disk: the console line was written; the journal will say more.
                }

                return true;
            default:
                return false;
        }
    }

    protected override void PostStop() => _file?.Dispose();

    /// <summary>The log file, appended to (the previous one set aside once it grew large); null when it cannot be opened.</summary>
    private static StreamWriter? Open(string path)
    {
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length > RunLogSetup.RotateAtBytes)
            {
                File.Move(path, path + ".1", overwrite: true);
            }

            var file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            file.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--- actorscheduler run, pid {Environment.ProcessId}, {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}"));
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
