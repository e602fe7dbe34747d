namespace ActorScheduler.Actors.Offers;

/// <summary>
/// The names the CLI, the bench and the docs use for the values of an enum setting, in the order they are listed in
/// help and error messages; parsed case-insensitively.
/// </summary>
public sealed class OptionNames<T>
    where T : struct, Enum
{
    private readonly (T Value, string Name)[] _names;

    public OptionNames(params (T Value, string Name)[] names)
    {
        _names = names;
        Names = names.Select(n => n.Name).ToArray();
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The value's name (its enum name for a value without one).</summary>
    public string NameOf(T value)
    {
        foreach (var (candidate, name) in _names)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return name;
            }
        }

        return value.ToString();
    }

    /// <summary>Parses a name of <see cref="Names"/> (case-insensitive).</summary>
    public bool TryParse(string? text, out T value)
    {
        foreach (var (candidate, name) in _names)
        {
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
