namespace ActorScheduler.Specs.Templating;

/// <summary>
/// The defaults file beside a spec (<c>svc.yml</c> → <c>svc.env</c>): <c>KEY=VALUE</c> lines, <c>#</c> comments,
/// blank lines, optional quotes around the value.
/// </summary>
public static class ValuesFile
{
    public static string PathFor(string specPath) => Path.ChangeExtension(specPath, ".env");

    public static (Dictionary<string, string> Values, List<SpecError> Errors) Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<SpecError>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? line[..equals].Trim() : string.Empty;
            if (equals <= 0 || !IsName(key))
            {
                errors.Add(new SpecError(path, i + 1, 1, string.Empty, $"expected KEY=VALUE with KEY made of letters, digits and '_', found '{line}'"));
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[key] = value;
        }

        return (values, errors);
    }

    private static bool IsName(string key) =>
        key.Length > 0 && !char.IsDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
