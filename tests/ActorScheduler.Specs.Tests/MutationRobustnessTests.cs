using System.Text;
using ActorScheduler.Tests.Shared;

namespace ActorScheduler.Specs.Tests;

/// <summary>
/// Property: whatever an operator's editor does to a spec — deleted or duplicated lines, swapped lines, wrong values,
/// junk bytes, broken indentation, broken templates — the loader answers with a spec or with located errors, and
/// never throws. 10,000 seeded mutations of the rendered examples, 2,000 of the templates.
/// </summary>
public sealed class MutationRobustnessTests
{
    private static readonly string[] Junk =
    [
        "-1", "abc", "0", "1e999", "NaN", "true", "~", "null", "[", "]", "{", "}", "{{", "}}", "{{#X}}", "{{/X}}", "{{{", ":", "- ",
        "\t", "\0", "\u00e9", "\ud83d\ude42", "'", "\"", "&anchor", "*alias", "!!int", "%YAML 1.2", "---", "...", "|", ">", "#",
        new string('x', 5000), "  ", "\r", "\\",
    ];

    public static IEnumerable<object[]> Examples() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), "examples"), "svc.yml", SearchOption.AllDirectories).Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Examples))]
    public void Mutated_rendered_specs_yield_a_spec_or_located_errors(string example)
    {
        var rendered = ServiceSpecLoader.LoadFile(example, environment: new Dictionary<string, string>()).RenderedText!;
        var seed = Mutations.Seed(HashOf(example));
        var random = new Random(seed);
        for (var i = 0; i < Mutations.Iterations(5_000); i++)
        {
            var mutated = Mutate(rendered, random);
            SpecLoadResult result;
            try
            {
                result = ServiceSpecLoader.LoadRendered(mutated, "mutated.yml");
            }
            catch (Exception e)
            {
                throw Mutations.Failure(example, seed, i, $"threw {e.GetType().Name}: {e.Message}", $"\n---\n{mutated}");
            }

            AssertWellFormed(result, mutated, i);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Mutated_templates_yield_a_spec_or_located_errors(string example)
    {
        var template = File.ReadAllText(example);
        var dir = Directory.CreateTempSubdirectory("mutations").FullName;
        try
        {
            var spec = Path.Combine(dir, "svc.yml");
            File.Copy(Path.ChangeExtension(example, ".env"), Path.Combine(dir, "svc.env"));
            var random = new Random(Mutations.Seed(HashOf(example) + 1));
            for (var i = 0; i < Mutations.Iterations(1_000); i++)
            {
                var mutated = Mutate(template, random);
                File.WriteAllText(spec, mutated);
                AssertWellFormed(ServiceSpecLoader.LoadFile(spec, environment: new Dictionary<string, string>()), mutated, i);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertWellFormed(SpecLoadResult result, string text, int iteration)
    {
        if (result.Spec is not null && result.Errors.IsEmpty)
        {
            return;
        }

        Assert.False(result.Errors.IsEmpty, $"mutation {iteration}: no spec and no error\n---\n{text}");
        foreach (var error in result.Errors)
        {
            Assert.True(error.Line >= 1 && error.Column >= 1, $"mutation {iteration}: unlocated error {error}");
            Assert.False(string.IsNullOrWhiteSpace(error.Message), $"mutation {iteration}: empty message {error}");
        }
    }

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        for (var n = random.Next(1, 4); n > 0 && lines.Count > 0; n--)
        {
            var at = random.Next(lines.Count);
            switch (random.Next(7))
            {
                case 0:
                    lines.RemoveAt(at);
                    break;
                case 1:
                    lines.Insert(at, lines[random.Next(lines.Count)]);
                    break;
                case 2:
                    (lines[at], lines[random.Next(lines.Count)]) = (lines[random.Next(lines.Count)], lines[at]);
                    break;
                case 3:
                    var colon = lines[at].IndexOf(':');
                    lines[at] = colon >= 0 ? lines[at][..(colon + 1)] + " " + Junk[random.Next(Junk.Length)] : Junk[random.Next(Junk.Length)];
                    break;
                case 4:
                    var position = random.Next(lines[at].Length + 1);
                    lines[at] = lines[at].Insert(position, Junk[random.Next(Junk.Length)]);
                    break;
                case 5:
                    lines[at] = new string(' ', random.Next(0, 12)) + lines[at].TrimStart();
                    break;
                default:
                    var bytes = Encoding.UTF8.GetBytes(lines[at]);
                    if (bytes.Length > 0)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    lines[at] = Encoding.UTF8.GetString(bytes);
                    break;
            }
        }

        return string.Join('\n', lines);
    }

    private static int HashOf(string path) => Path.GetFileName(Path.GetDirectoryName(path))!.Aggregate(17, (h, c) => (h * 31) + c);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "ActorScheduler.sln")))
        {
            dir = dir.Parent;
        }

        return dir.FullName;
    }
}
