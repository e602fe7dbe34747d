using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs;

/// <summary>
/// Gives each task config of a spec the digest of its template's text (<see cref="ConfigTemplateSpec.ContentDigest"/>),
/// so that <see cref="SpecFingerprint"/> sees a template whose text changed: the config store applies it to every
/// target it hands out, with the templates stored beside that config version.
/// </summary>
public static class ConfigTemplateDigests
{
    /// <summary>
    /// <paramref name="spec"/> with the digests of <paramref name="templates"/> (by the file name the spec gives); the
    /// same object when no task has configs. A template that was not stored gets no digest.
    /// </summary>
    public static ServiceSpec Apply(ServiceSpec spec, IReadOnlyDictionary<string, string> templates)
    {
        if (!spec.Pods.Any(p => p.Tasks.Any(t => !t.Configs.IsDefaultOrEmpty)))
        {
            return spec;
        }

        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        string? DigestOf(string template)
        {
            if (!templates.TryGetValue(template, out var text))
            {
                return null;
            }

            if (!digests.TryGetValue(template, out var digest))
            {
                digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
                digests[template] = digest;
            }

            return digest;
        }

        return spec with
        {
            Pods = spec.Pods.Select(pod => pod.Tasks.All(t => t.Configs.IsDefaultOrEmpty) ? pod : pod with
            {
                Tasks = pod.Tasks.Select(task => task.Configs.IsDefaultOrEmpty ? task : task with
                {
                    Configs = task.Configs.Select(c => c with { ContentDigest = DigestOf(c.Template) }).ToImmutableArray(),
                }).ToImmutableArray(),
            }).ToImmutableArray(),
        };
    }
}
