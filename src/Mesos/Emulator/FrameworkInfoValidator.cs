using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// FrameworkInfo checks the master makes after the SUBSCRIBE stream opened (failures become an ERROR event).
/// </summary>
internal static class FrameworkInfoValidator
{
    public static string? Validate(FrameworkInfo info, IEnumerable<string> suppressedRoles)
    {
        var multiRole = FrameworkCapabilities.Has(info, FrameworkInfo.Types.Capability.Types.Type.MultiRole);
        if (multiRole && info.HasRole)
        {
            return "'FrameworkInfo.role' must not be set when the MULTI_ROLE capability is enabled";
        }

        if (!multiRole && info.Roles.Count > 0)
        {
            return "'FrameworkInfo.roles' must not be set without the MULTI_ROLE capability";
        }

        foreach (var role in FrameworkCapabilities.Roles(info))
        {
            if (ValidateRole(role) is { } error)
            {
                return $"Role '{role}' is invalid: {error}";
            }
        }

        if (info.Roles.Distinct(StringComparer.Ordinal).Count() != info.Roles.Count)
        {
            return "'FrameworkInfo.roles' contains duplicate items";
        }

        var roles = FrameworkCapabilities.Roles(info);
        var notSubscribed = suppressedRoles.FirstOrDefault(r => !roles.Contains(r));
        if (notSubscribed is not null)
        {
            return $"Suppressed role '{notSubscribed}' is not contained in the list of roles";
        }

        return null;
    }

    /// <summary>Mesos role name rules.</summary>
    public static string? ValidateRole(string role)
    {
        if (role == "*")
        {
            return null;
        }

        if (role.Length == 0)
        {
            return "Empty role name is invalid";
        }

        if (role.StartsWith('/') || role.EndsWith('/'))
        {
            return "Role names cannot start or end with '/'";
        }

        foreach (var part in role.Split('/'))
        {
            if (part.Length == 0 || part is "." or ".." || part.StartsWith('-') || part == "*")
            {
                return $"Role name component '{part}' is invalid";
            }

            if (part.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '\\'))
            {
                return "Role names cannot contain whitespace, control characters or backslashes";
            }
        }

        return null;
    }
}
