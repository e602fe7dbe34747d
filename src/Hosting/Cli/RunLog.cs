using System.Globalization;
using ActorScheduler.Actors;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// Where <c>run</c>'s logs go — the scheduler's (Akka) and the API's (ASP.NET): the console gets one line per event —
/// its message and the messages of the exceptions behind it, no stack trace — and the log file in the data dir
/// (<see cref="FileName"/>) gets each event whole, with the exception's stack trace, for when that line is not enough.
/// The line saying why the scheduler stopped for good (<see cref="SchedulerFailureLog"/>) goes to the file only:
/// <c>run</c> prints it as its <c>error:</c> line.
/// </summary>
public sealed class RunLog : IDisposable
{
    /// <summary>The log file's name, in the data dir.</summary>
    public const string FileName = "actorscheduler.log";

    /// <summary>A log file grown past this is kept as <c>actorscheduler.log.1</c> (replacing the one before) when the next run starts.</summary>
    internal const long RotateAtBytes = 10 * 1024 * 1024;

    private readonly TextWriter _console;
    private readonly StreamWriter? _file;

    /// <param name="console">Where the one-line events go (written to from other threads: synchronized here).</param>
    public RunLog(TextWriter console, string filePath)
    {
        _console = TextWriter.Synchronized(console);
        FilePath = filePath;
        _file = Open(filePath);
    }

    public string FilePath { get; }

    private volatile bool _fileOnly;

    /// <summary>
    /// From now on every event goes to the file only: a run stopped while it starts (Ctrl+C) cuts short what was starting
    /// — the host's start, the journal's — and what fails for that is no failure to show.
    /// </summary>
    public void FileOnlyFromNow() => _fileOnly = true;

    /// <summary>Writes an event: its one line on the console (unless <paramref name="fileOnly"/>), and whole in the file.</summary>
    public void Write(DateTime timestamp, string level, string source, string message, Exception? cause, bool fileOnly = false)
    {
        if (!fileOnly && !_fileOnly)
        {
            _console.WriteLine(ConsoleLine(message, cause));
        }

        if (_file is null)
        {
            return;
        }

        lock (_file)
        {
            try
            {
                _file.WriteLine(FileEntry(timestamp, level, source, message, cause));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // A full disk, or a late event after run closed the file: the console line was written.
            }
        }
    }

    /// <summary>The event as the console shows it: one line, the message then each cause's message it does not already say.</summary>
    internal static string ConsoleLine(string message, Exception? cause)
    {
        var line = CommandGuard.OneLine(message);
        for (; cause is not null; cause = cause.InnerException)
        {
            var said = CommandGuard.OneLine(cause.Message);
            if (said.Length > 0 && !line.Contains(said, StringComparison.Ordinal))
            {
                line = line.Length == 0 ? said : $"{line.TrimEnd('.')}: {said}";
            }
        }

        return line;
    }

    /// <summary>The event as the file keeps it: time, level, source, message, and the exception with its stack trace.</summary>
    internal static string FileEntry(DateTime timestamp, string level, string source, string message, Exception? cause)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{timestamp.ToUniversalTime():yyyy-MM-ddTHH:mm:ss.fffZ} {level} [{source}] {message}");
        return cause is null ? head : $"{head}{Environment.NewLine}  {cause.ToString().Replace(Environment.NewLine, Environment.NewLine + "  ", StringComparison.Ordinal)}";
    }

    public void Dispose()
    {
        if (_file is not null)
        {
            lock (_file)
            {
                _file.Dispose();
            }
        }
    }

    /// <summary>The log file, appended to (the previous one set aside once it grew large); null when it cannot be opened.</summary>
    private static StreamWriter? Open(string path)
    {
        try
        {
            if (File.Exists(path) && new FileInfo(path).Length > RotateAtBytes)
            {
                File.Move(path, path + ".1", overwrite: true);
            }

            var file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
            file.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--- actorscheduler run, pid {Environment.ProcessId}, {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}"));
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// Asks the actor system's <see cref="RunLogger"/> to write out every event logged before it: Akka's loggers write from
/// their mailboxes, and an actor system stopped right after an event was logged drops what its logger had not reached —
/// on a loaded machine, the very line saying why the scheduler stopped, which <c>run</c>'s <c>error:</c> line sends
/// the reader to the log file for.
/// </summary>
internal sealed class RunLogFlush
{
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the logger has written every event logged before the flush was published.</summary>
    internal Task Written => _written.Task;

    internal void Done() => _written.TrySetResult();

    /// <summary>
    /// Publishes a flush to <paramref name="system"/>'s logger and waits until it has written what came before, or for
    /// <paramref name="patience"/> at most (a logger that no longer runs holds nobody up; nothing to wait for once the
    /// system has terminated). The logger takes events in the order they were published, so the flush comes after every
    /// event logged before this call.
    /// </summary>
    internal static async Task FlushAsync(ActorSystem system, TimeSpan patience)
    {
        if (system.WhenTerminated.IsCompleted)
        {
            return;
        }

        var flush = new RunLogFlush();
        system.EventStream.Publish(flush);
        await Task.WhenAny(flush.Written, Task.Delay(patience));
    }
}

/// <summary>Hands the <see cref="RunLog"/> to the actor system's logger (<see cref="RunLogger"/>).</summary>
public sealed class RunLogSetup(RunLog log) : Setup
{
    public RunLog Log { get; } = log;
}

/// <summary>The Akka logger of <c>run</c>: every log event to its <see cref="RunLog"/>.</summary>
internal sealed class RunLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private RunLog? _log;

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                _log = Context.System.Settings.Setup.Get<RunLogSetup>().Value?.Log
                       ?? throw new InvalidOperationException($"{nameof(RunLogger)} needs a {nameof(RunLogSetup)} in the actor system's setup");
                Context.System.EventStream.Subscribe(Self, typeof(RunLogFlush));
                Sender.Tell(new LoggerInitialized());
                return true;
            case RunLogFlush flush:
                // Every event published before it is written (the file writes through: AutoFlush).
                flush.Done();
                return true;
            case LogEvent logEvent when _log is not null:
                _log.Write(
                    logEvent.Timestamp,
                    Level(logEvent.LogLevel()),
                    logEvent.LogSource,
                    logEvent.Message?.ToString() ?? string.Empty,
                    logEvent.Cause,
                    fileOnly: logEvent.LogSource == SchedulerFailureLog.Source);
                return true;
            default:
                return false;
        }
    }

    private static string Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => "DEBUG",
        Akka.Event.LogLevel.InfoLevel => "INFO",
        Akka.Event.LogLevel.WarningLevel => "WARNING",
        _ => "ERROR",
    };
}

/// <summary>The ASP.NET (Microsoft.Extensions.Logging) side of <c>run</c>'s log: the API's events to its <see cref="RunLog"/>.</summary>
internal sealed class RunLogProvider(RunLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RunLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel != Microsoft.Extensions.Logging.LogLevel.None;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(DateTime.UtcNow, logLevel.ToString().ToUpperInvariant(), category, formatter(state, exception), exception);
            }
        }
    }
}
