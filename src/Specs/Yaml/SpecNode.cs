using System.Collections.Immutable;

namespace ActorScheduler.Specs.Yaml;

/// <summary>A YAML node with the position (in the file the user edited) where it starts.</summary>
internal abstract record SpecNode(SourcePosition Position)
{
    /// <summary>How the node reads in an error message: <c>'abc'</c>, <c>nothing</c>, <c>a mapping</c>, <c>a list</c>.</summary>
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="IsNull"/> for an empty value, <c>~</c> or <c>null</c> written without quotes.</summary>
internal sealed record ScalarNode(SourcePosition Position, string Value, bool IsNull) : SpecNode(Position)
{
    public override string Describe() => IsNull ? "nothing" : SourceQuote.Of(Value);
}

internal sealed record MappingEntry(ScalarNode Key, SpecNode Value);

/// <summary>A mapping with its entries in declaration order; keys are unique (the reader reports duplicates).</summary>
internal sealed record MappingNode(SourcePosition Position, ImmutableArray<MappingEntry> Entries) : SpecNode(Position)
{
    public override string Describe() => Entries.IsEmpty ? "an empty mapping" : "a mapping";
}

internal sealed record SequenceNode(SourcePosition Position, ImmutableArray<SpecNode> Items) : SpecNode(Position)
{
    public override string Describe() => Items.IsEmpty ? "an empty list" : "a list";
}

/// <summary>Builds key paths such as <c>pods.hello.tasks.server.cpus</c> and <c>plans.deploy.phases.p.steps[0]</c>.</summary>
internal static class KeyPath
{
    public const string Root = "(root)";

    public static string Child(string parent, string key) => parent == Root ? key : $"{parent}.{key}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
