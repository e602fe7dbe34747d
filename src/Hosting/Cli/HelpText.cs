using System.CommandLine;
using System.Text;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>--help</c> as System.CommandLine writes it, with one fix: its Arguments section lists every argument as
/// <c>&lt;phase&gt;</c>, required or not, while the usage line brackets the optional ones. Optional arguments are
/// listed as <c>[&lt;phase&gt;]</c> there too, the descriptions realigned.
/// </summary>
public static class HelpText
{
    /// <param name="help">The help text of <paramref name="command"/>.</param>
    public static string MarkOptionalArguments(string help, Command command)
    {
        var optional = command.Arguments
            .Where(a => a.Arity.MinimumNumberOfValues == 0 && !a.Hidden)
            .Select(a => $"<{a.HelpName ?? a.Name}>")
            .ToHashSet(StringComparer.Ordinal);
        var lines = help.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd('\r') == "Arguments:");
        if (optional.Count == 0 || start < 0)
        {
            return help;
        }

        var end = Array.FindIndex(lines, start + 1, l => l.Trim().Length == 0);
        end = end < 0 ? lines.Length : end;

        // Rows are "  <label>  description"; a description wrapped onto further lines continues them, indented.
        var rows = new List<(string Label, List<string> Text)>();
        foreach (var line in lines[(start + 1)..end].Select(l => l.TrimEnd('\r')))
        {
            if (line.Length > 2 && line[2] != ' ')
            {
                var label = line[2..].Split(' ', 2)[0];
                rows.Add((optional.Contains(label) ? $"[{label}]" : label, [line[(2 + label.Length)..].TrimStart()]));
            }
            else if (rows.Count > 0)
            {
                rows[^1].Text.Add(line.Trim());
            }
        }

        var width = rows.Max(r => r.Label.Length);
        var section = new StringBuilder();
        foreach (var (label, text) in rows)
        {
            section.Append(("  " + label.PadRight(width) + "  " + text[0]).TrimEnd()).Append('\n');
            foreach (var more in text.Skip(1))
            {
                section.Append(' ', width + 4).Append(more).Append('\n');
            }
        }

        return string.Join('\n', lines[..(start + 1)]) + '\n' + section + string.Join('\n', lines[end..]);
    }
}
