using System.Collections.Immutable;

namespace ActorScheduler.Specs;

/// <summary>Collects errors of every loading stage so they are all reported at once.</summary>
internal sealed class SpecErrorList
{
    private readonly ImmutableArray<SpecError>.Builder _errors = ImmutableArray.CreateBuilder<SpecError>();

    public int Count => _errors.Count;

    public bool HasErrors => _errors.Count > 0;

    public void Add(string file, SourcePosition position, string path, string message) =>
        _errors.Add(new SpecError(file, position.Line, position.Column, path, message));

    public ImmutableArray<SpecError> ToImmutable() => _errors.ToImmutable();
}
