namespace ActorScheduler.Specs.Yaml;

/// <summary>Where mapping errors go: the file being loaded and the shared error list.</summary>
/// <param name="baseDirectory">Directory of the spec file, for files it names (config templates); null when the spec is not a file.</param>
internal sealed class MappingContext(string file, SpecErrorList errors, string? baseDirectory = null)
{
    public bool HasErrors => errors.HasErrors;

    public string? BaseDirectory => baseDirectory;

    public void Error(SpecNode node, string path, string message) => errors.Add(file, node.Position, path, message);

    public void Error(SourcePosition position, string path, string message) => errors.Add(file, position, path, message);
}
