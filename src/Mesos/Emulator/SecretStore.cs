using System.Text;
using System.Text.Json;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The local agents' secret resolver (a Mesos agent's <c>--secret_resolver</c> module): a REFERENCE secret resolves to
/// the secret of that name given to the emulator (<see cref="MesosEmulatorOptions.Secrets"/>), else to the file of that
/// name under <see cref="MesosEmulatorOptions.SecretsDir"/>, read at each launch; a VALUE secret to its own value, as
/// the default resolver does. Names are taken without a leading <c>/</c> (<c>/app/db</c> and <c>app/db</c> are one
/// secret). A reference's <c>key</c> picks that member of a secret holding a JSON object. Messages name secrets, never
/// their values.
/// </summary>
internal sealed class SecretStore
{
    private readonly IReadOnlyDictionary<string, string> _values;
    private readonly string? _dir;

    public SecretStore(IReadOnlyDictionary<string, string> values, string? dir)
    {
        _values = values.ToDictionary(v => Normalize(v.Key), v => v.Value, StringComparer.Ordinal);
        _dir = dir;
    }

    public static SecretStore Empty { get; } = new(new Dictionary<string, string>(), null);

    /// <summary>The value of <paramref name="secret"/>, or null with the resolver's message in <paramref name="error"/>.</summary>
    public byte[]? Resolve(Secret secret, out string? error)
    {
        error = null;
        if (secret.Reference is not { } reference)
        {
            if (secret.Value is { } value)
            {
                return value.Data.ToByteArray();
            }

            error = "Secret has no value";
            return null;
        }

        var name = Normalize(reference.Name);
        var data = Find(name);
        if (data is null)
        {
            error = $"Secret '{reference.Name}' could not be resolved: the emulator's secret store has no such secret "
                + "(give it to the emulator with --secret NAME=VALUE or as a file under --secrets-dir)";
            return null;
        }

        if (!reference.HasKey)
        {
            return data;
        }

        try
        {
            using var json = JsonDocument.Parse(data);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(reference.Key, out var member))
            {
                return Encoding.UTF8.GetBytes(member.ValueKind == JsonValueKind.String ? member.GetString()! : member.GetRawText());
            }
        }
        catch (JsonException)
        {
            // Not JSON: it has no keys.
        }

        error = $"Secret '{reference.Name}' could not be resolved: it has no key '{reference.Key}' (a secret with keys is a JSON object)";
        return null;
    }

    /// <summary>A secret's name as the store keys it: without leading slashes.</summary>
    public static string Normalize(string name) => name.TrimStart('/');

    private byte[]? Find(string name)
    {
        if (_values.TryGetValue(name, out var value))
        {
            return Encoding.UTF8.GetBytes(value);
        }

        if (_dir is null || name.Length == 0 || SandboxPath.Resolve(_dir, name) is not { } file)
        {
            return null;
        }

        try
        {
            return File.Exists(file) ? File.ReadAllBytes(file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
