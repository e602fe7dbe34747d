using System.Text.RegularExpressions;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// The text of a command-line parse error as the <c>error:</c> line says it: System.CommandLine's "Cannot parse argument
/// 'x' for option '--zones' as expected type 'System.Int32'" (a .NET type name, <c>System.Nullable`1[System.Double]</c>
/// for an optional number) becomes "--zones expects a whole number, got 'x'"; any other message is kept as it is.
/// </summary>
internal static partial class ParseErrorText
{
    public static string Of(string message)
    {
        var match = NotConverted().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var type = match.Groups["type"].Value;
        var what = type.Contains("Int", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : null;
        return what is null ? message : $"{match.Groups["option"].Value} expects {what}, got '{match.Groups["value"].Value}'";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.$", RegexOptions.Singleline)]
    private static partial Regex NotConverted();
}
