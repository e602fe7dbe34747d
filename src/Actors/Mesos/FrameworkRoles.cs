using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Mesos;

/// <summary>
/// The part of the framework's subscription the spec decides (DC/OS <c>FrameworkConfig</c> and
/// <c>FrameworkRunner#getFrameworkInfo</c>): the roles — the service role, then <c>&lt;pre-reserved&gt;/&lt;service
/// role&gt;</c> for each distinct pre-reserved role of a pod, in pod order — and whether to ask for GPUs (GPU_RESOURCES,
/// only when a task or resource set asks for them: a master offers a GPU agent's resources only to such frameworks, so a
/// service without GPUs never holds one back from the services that need it).
/// </summary>
public sealed record FrameworkRoles(ImmutableArray<string> Roles, bool Gpus)
{
    /// <summary>The roles and GPU need of <paramref name="spec"/> for a service subscribed as <paramref name="serviceRole"/>.</summary>
    public static FrameworkRoles Of(ServiceSpec spec, string serviceRole)
    {
        var roles = ImmutableArray.CreateBuilder<string>();
        roles.Add(serviceRole);
        var gpus = false;
        foreach (var pod in spec.Pods)
        {
            var role = PodRole(pod.PreReservedRole, serviceRole);
            if (!roles.Contains(role))
            {
                roles.Add(role);
            }

            gpus |= pod.Tasks.Any(t => t.Gpus > 0) || pod.ResourceSets.Any(s => s.Gpus > 0);
        }

        return new FrameworkRoles(roles.ToImmutable(), gpus);
    }

    /// <summary>Only the service role, without GPUs: a spec without pre-reserved roles or GPUs.</summary>
    public static FrameworkRoles Only(string serviceRole) => new([serviceRole], false);

    /// <summary>
    /// The role a pod reserves with: the service role, or for a pod of pre-reserved role R the refined role
    /// <c>R/&lt;service role&gt;</c> (a sub-role of R, as reservation refinement requires).
    /// </summary>
    public static string PodRole(string preReservedRole, string serviceRole) =>
        preReservedRole == "*" ? serviceRole : $"{preReservedRole}/{serviceRole}";

    /// <summary>
    /// <paramref name="role"/> is <see cref="PodRole"/> of the two (compared in place: the router asks this of every offer
    /// it weighs for a pod).
    /// </summary>
    public static bool IsPodRole(string role, string preReservedRole, string serviceRole) =>
        preReservedRole == "*"
            ? role == serviceRole
            : role.Length == preReservedRole.Length + 1 + serviceRole.Length
              && role.StartsWith(preReservedRole, StringComparison.Ordinal)
              && role[preReservedRole.Length] == '/'
              && role.EndsWith(serviceRole, StringComparison.Ordinal);

    /// <summary>These needs, keeping <paramref name="held"/> roles they lack (after them, in their order).</summary>
    public FrameworkRoles With(IEnumerable<string> held) =>
        held.Except(Roles, StringComparer.Ordinal).ToList() is { Count: > 0 } kept ? this with { Roles = [.. Roles, .. kept] } : this;

    /// <summary>Same roles in the same order, and the same GPU need.</summary>
    public bool SameAs(FrameworkRoles other) => Gpus == other.Gpus && Roles.SequenceEqual(other.Roles);
}
