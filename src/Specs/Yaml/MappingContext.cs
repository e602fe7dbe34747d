namespace ActorScheduler.Specs.Yaml;

/// <summary>Where mapping errors go: the file being loaded and the shared error list.</summary>
internal sealed class MappingContext(string file, SpecErrorList errors)
{
    public bool HasErrors => errors.HasErrors;

    public void Error(SpecNode node, string path, string message) => errors.Add(file, node.Position, path, message);

    public void Error(SourcePosition position, string path, string message) => errors.Add(file, position, path, message);
}
