namespace ActorScheduler.Specs;

/// <summary>One located problem in a spec: where, which key, what was found and what was expected.</summary>
public sealed record SpecError(string File, int Line, int Column, string Path, string Message)
{
    public override string ToString() =>
        string.IsNullOrEmpty(Path) ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Path}: {Message}";
}
