using System.Text.RegularExpressions;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Rules for names that end up in task ids, step names, actor names and persistence ids.</summary>
public static partial class Names
{
    public const string IdentifierRule = "letters, digits, '-' or '_', starting with a letter or digit";

    /// <summary>Pod, task, plan and phase names.</summary>
    public static bool IsIdentifier(string name) => IdentifierPattern().IsMatch(name);

    public const string EnvironmentNameRule = "an environment variable name of letters, digits and '_' not starting with a digit";

    public static bool IsEnvironmentName(string name) => EnvironmentPattern().IsMatch(name);

    public const string DnsLabelRule = "lower-case letters, digits and '-', at most 63 characters, not starting or ending with '-'";

    /// <summary>A name that becomes part of a DNS name (discovery and VIP prefixes).</summary>
    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabelPattern().IsMatch(name);

    public const string DnsLabelCharactersRule = "lower-case letters, digits and '-', not starting or ending with '-'";

    /// <summary>The characters of a DNS label, whatever its length.</summary>
    public static bool HasDnsLabelCharacters(string name) => DnsLabelPattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentPattern();
}
