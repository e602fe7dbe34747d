using System.Globalization;

namespace ActorScheduler.Bench;

/// <summary>
/// One bench's command line: the options it declares (<c>--name value</c>, or a flag without a value), plus
/// <c>--help</c> / <c>-h</c>. Anything else — an option it does not know, a missing or malformed value, an option given
/// twice, a stray word — is a <see cref="BadOptionException"/> naming it, so a typo never runs a bench with defaults.
/// </summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string?> _given;

    private BenchOptions(Dictionary<string, string?> given, bool help)
    {
        _given = given;
        HelpRequested = help;
    }

    /// <summary><c>--help</c> or <c>-h</c> was given: the bench prints its usage and does nothing else.</summary>
    public bool HelpRequested { get; }

    /// <param name="args">The bench's arguments (after its name).</param>
    /// <param name="valued">The options that take a value.</param>
    /// <param name="flags">The options that take none.</param>
    /// <exception cref="BadOptionException">An argument is not one of them, lacks its value, or repeats one.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string>? flags = null)
    {
        flags ??= [];
        var given = new Dictionary<string, string?>(StringComparer.Ordinal);
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            string? value = null;
            if (valued.Contains(arg))
            {
                if (i + 1 >= args.Count)
                {
                    throw new BadOptionException($"{arg} needs a value");
                }

                value = args[++i];
            }
            else if (!flags.Contains(arg))
            {
                var known = valued.Concat(flags).Order(StringComparer.Ordinal);
                throw new BadOptionException(arg.StartsWith('-')
                    ? $"unknown option {arg} (options: {string.Join(", ", known)}, --help)"
                    : $"unexpected argument '{arg}' (options: {string.Join(", ", known)}, --help)");
            }

            if (!given.TryAdd(arg, value))
            {
                throw new BadOptionException($"{arg} is given twice");
            }
        }

        return new BenchOptions(given, help);
    }

    public bool Has(string name) => _given.ContainsKey(name);

    /// <summary>The value of <paramref name="name"/>, or null when it was not given.</summary>
    public string? Text(string name) => _given.GetValueOrDefault(name);

    /// <summary>The whole number given for <paramref name="name"/> (at least <paramref name="min"/>), or <paramref name="fallback"/>.</summary>
    /// <exception cref="BadOptionException">The value is not a whole number of at least <paramref name="min"/>.</exception>
    public int Int(string name, int fallback, int min = 0)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new BadOptionException($"{name} needs a whole number of at least {min} (got '{text}')");
        }

        return value;
    }
}

/// <summary>A bench's command line is wrong: the message says how; the bench prints it and exits 2.</summary>
internal sealed class BadOptionException(string message) : Exception(message);
