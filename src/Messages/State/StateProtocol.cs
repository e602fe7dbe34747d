using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Google.Protobuf;

namespace ActorScheduler.Messages.State;

/// <summary>
/// Scheduler-level state (DC/OS <c>/v1/state</c>): the properties the scheduler actors can answer, the small files
/// operators keep in the scheduler's journal, and the explicit reconciliation an operator can ask for.
/// </summary>
public static partial class StateProtocol
{
    /// <summary>The largest file kept in scheduler state: the DC/OS SDK's state store value limit (1,000,000 bytes).</summary>
    public const int MaxFileBytes = 1_000_000;

    /// <summary>Every scheduler property with a value now → <see cref="Properties"/>.</summary>
    public sealed record GetProperties
    {
        public static GetProperties Instance { get; } = new();

        private GetProperties()
        {
        }
    }

    /// <summary>Property name → value; a property without a value (no framework id yet) is left out.</summary>
    public sealed record Properties(ImmutableSortedDictionary<string, string> Values);

    /// <summary>Names of the stored files → <see cref="FileNames"/>.</summary>
    public sealed record GetFiles
    {
        public static GetFiles Instance { get; } = new();

        private GetFiles()
        {
        }
    }

    public sealed record FileNames(ImmutableArray<string> Names);

    /// <summary>One stored file → <see cref="StoredFile"/> or <see cref="FileNotFound"/>.</summary>
    public sealed record GetFile(string Name);

    /// <param name="ContentType">The media type it was uploaded with.</param>
    public sealed record StoredFile(string Name, string ContentType, ByteString Content, DateTime StoredAt);

    public sealed record FileNotFound(string Name);

    /// <summary>
    /// Keep (or replace) a file in the scheduler's journal → <see cref="FileStored"/>, or <see cref="FileRefused"/> for a
    /// bad name or a file over <see cref="MaxFileBytes"/>.
    /// </summary>
    public sealed record StoreFile(string Name, string ContentType, ByteString Content);

    public sealed record FileStored(string Name, int Size);

    public sealed record FileRefused(string Name, string Message);

    /// <summary>
    /// Reconcile every task the scheduler knows with the master now (DC/OS <c>PUT /v1/state/refresh</c>) →
    /// <see cref="ReconcileRequested"/>.
    /// </summary>
    public sealed record ReconcileTasks
    {
        public static ReconcileTasks Instance { get; } = new();

        private ReconcileTasks()
        {
        }
    }

    /// <param name="Detail">What the request started: a reconciliation, none (one is running), or none until subscribed.</param>
    public sealed record ReconcileRequested(string Detail);

    /// <summary>
    /// Why <paramref name="name"/> cannot name a stored file, or null when it can: 1–64 letters, digits, '.', '_' or
    /// '-', not starting with '.'.
    /// </summary>
    public static string? ValidateFileName(string name) =>
        FileName().IsMatch(name)
            ? null
            : $"File name '{name}' must be 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'";

    /// <summary>Why <paramref name="size"/> bytes are too many, or null.</summary>
    public static string? ValidateFileSize(long size) =>
        size <= MaxFileBytes ? null : $"File is over {MaxFileBytes} bytes, the most scheduler state keeps";

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex FileName();
}
