using System.Globalization;
using System.Text;

namespace ActorScheduler.Tests.Shared;

/// <summary>
/// Seeded mutations of valid input — bytes of a wire message, text of a JSON body, a URL path or query — for the
/// robustness properties of the public surfaces ("whatever arrives, the answer is a located error, never a crash").
/// Each test owns a fixed seed, so a failure replays exactly; the seed and the input that failed are in the failure
/// message. Shared as a linked file by the test projects that use it (as they share <c>LoopbackPorts.cs</c>), not as a
/// project: it needs nothing but the BCL.
/// </summary>
/// <remarks>
/// Two environment variables widen a run without a code change: <c>ACTORSCHEDULER_MUTATION_SEED</c> replaces every
/// test's own seed (to explore other mutations, or to replay one a CI log printed), and
/// <c>ACTORSCHEDULER_MUTATION_SCALE</c> multiplies every test's number of mutations (e.g. 10 for a long local run).
/// </remarks>
internal static class Mutations
{
    public const string SeedVariable = "ACTORSCHEDULER_MUTATION_SEED";

    public const string ScaleVariable = "ACTORSCHEDULER_MUTATION_SCALE";

    /// <summary>Text that breaks parsers: delimiters, escapes, numbers at the edges of their types, control characters.</summary>
    private static readonly string[] JunkText =
    [
        "", "-1", "0", "1e999", "-0", "NaN", "Infinity", "18446744073709551616", "9223372036854775808", "true", "null", "[", "]",
        "{", "}", "\"", "\\", "\\u", "\\ud800", ":", ",", "\0", "\t", "\r\n", "\u00e9", "\ud83d\ude42", "%", "%00", "%ff", "%2F",
        "/", "//", "..", "?", "&", "=", "#", "+", " ", "'", "<", ">", new string('x', 3000), new string('[', 300), "*",
    ];

    /// <summary>Bytes that break binary decoders: varints that never end or claim huge lengths, wrong wire types.</summary>
    private static readonly byte[][] JunkBytes =
    [
        [0xff, 0xff, 0xff, 0xff, 0x0f],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
        [0x0a, 0xff, 0xff, 0xff, 0x7f],
        [0x0b], [0x0c], [0x0f], [0x00], [0x7f], [0x80],
        [0x08, 0xff, 0xff, 0xff, 0xff, 0x07],
        [0x12, 0x00],
        "99999999999\n"u8.ToArray(),
        "67108863\n"u8.ToArray(),
        "0\n"u8.ToArray(),
        "\n"u8.ToArray(),
    ];

    /// <summary>The seed a test runs with: its own, unless <see cref="SeedVariable"/> sets one for every test.</summary>
    public static int Seed(int testSeed) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : testSeed;

    /// <summary>A test's number of mutations, times <see cref="ScaleVariable"/> when set.</summary>
    public static int Iterations(int testIterations) =>
        double.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0
            ? Math.Max(1, (int)(testIterations * scale))
            : testIterations;

    /// <summary>One to three byte-level changes: flips, inserted junk, deletions, duplications, truncation.</summary>
    public static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, JunkBytes[random.Next(JunkBytes.Length)]);
                    break;
                case 3:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5 when bytes.Count > 0:
                    var from = random.Next(bytes.Count);
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(random.Next(1, 64), bytes.Count - from)));
                    break;
                case 6:
                    var count = random.Next(1, 8);
                    for (var i = 0; i < count; i++)
                    {
                        bytes.Insert(at, (byte)random.Next(256));
                    }

                    break;
                default:
                    if (bytes.Count > 1)
                    {
                        var other = random.Next(bytes.Count);
                        var here = Math.Min(at, bytes.Count - 1);
                        (bytes[here], bytes[other]) = (bytes[other], bytes[here]);
                    }

                    break;
            }
        }

        return bytes.ToArray();
    }

    /// <summary>
    /// One to three text-level changes: junk inserted or put in place of a token (a JSON value, a path segment, a
    /// query value), characters deleted or duplicated, truncation, a byte flipped in the UTF-8 form.
    /// </summary>
    public static string Mutate(string input, Random random)
    {
        var text = input;
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(text.Length + 1);
            var junk = JunkText[random.Next(JunkText.Length)];
            switch (random.Next(6))
            {
                case 0:
                    text = text.Insert(at, junk);
                    break;
                case 1:
                    text = text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at));
                    break;
                case 2:
                    // A token (up to the next delimiter) replaced: values change type or content, names break.
                    var end = at;
                    while (end < text.Length && "\",:{}[]/?&=".IndexOf(text[end]) < 0)
                    {
                        end++;
                    }

                    text = text[..at] + junk + text[end..];
                    break;
                case 3:
                    text = text[..at];
                    break;
                case 4 when text.Length > 0:
                    var from = random.Next(text.Length);
                    text = text.Insert(at, text.Substring(from, Math.Min(random.Next(1, 40), text.Length - from)));
                    break;
                default:
                    var utf8 = Encoding.UTF8.GetBytes(text);
                    if (utf8.Length > 0)
                    {
                        utf8[random.Next(utf8.Length)] = (byte)random.Next(256);
                    }

                    text = Encoding.UTF8.GetString(utf8);
                    break;
            }
        }

        return text;
    }

    /// <summary>What a failure message shows of a binary input: its length and hex, long inputs cut in the middle.</summary>
    public static string Show(byte[] input) =>
        $"{input.Length} bytes: " + (input.Length <= 512
            ? Convert.ToHexString(input)
            : Convert.ToHexString(input, 0, 256) + "…" + Convert.ToHexString(input, input.Length - 256, 256));

    /// <summary>What a failure message shows of a text input: escaped so control characters and line ends are visible.</summary>
    public static string Show(string input)
    {
        var shown = input.Length <= 2000 ? input : input[..1000] + "…" + input[^1000..];
        var sb = new StringBuilder(shown.Length + 2).Append('"');
        foreach (var c in shown)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                < ' ' or (>= '\u007f' and < '\u00a0') or (>= '\ud800' and <= '\udfff') => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }

    /// <summary>The failure a property test reports: what broke, with the seed and mutation number to replay it.</summary>
    public static Exception Failure(string surface, int seed, int iteration, string what, string input) =>
        new Xunit.Sdk.XunitException(
            $"{surface}: mutation {iteration.ToString(CultureInfo.InvariantCulture)} of seed {seed.ToString(CultureInfo.InvariantCulture)} " +
            $"({SeedVariable}={seed.ToString(CultureInfo.InvariantCulture)} replays it) {what}\ninput: {input}");
}
