namespace ActorScheduler.Specs;

/// <summary>One problem found while loading a service spec, located in the file the operator edits.</summary>
/// <param name="File">The file the error is in (the spec, its defaults file, or the source name of rendered text).</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Path">Key path of the offending node, e.g. <c>pods.hello.tasks.server.cpus</c>; a bracketed word such as
/// <c>(template)</c> or <c>(file)</c> when the error is not about a YAML node.</param>
/// <param name="Message">What was found and what was expected.</param>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Path}: {Message}";
}
