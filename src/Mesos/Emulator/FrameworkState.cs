using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>The master's record of one framework.</summary>
internal sealed class FrameworkState
{
    private FrameworkInfo _info = null!;

    // Asked for every reservation an ACCEPT makes; computed once per FrameworkInfo (an UPDATE_FRAMEWORK sets a new one).
    private IReadOnlyList<string>? _roles;

    public FrameworkState(FrameworkInfo info, long order)
    {
        Info = info;
        Order = order;
    }

    public string Id => Info.Id.Value;

    public FrameworkInfo Info
    {
        get => _info;
        set
        {
            _info = value;
            _roles = null;
        }
    }

    /// <summary>Subscription order, for a stable allocation order.</summary>
    public long Order { get; }

    public SchedulerStream? Connection { get; set; }

    public DateTimeOffset? DisconnectedAt { get; set; }

    public HashSet<string> SuppressedRoles { get; } = new(StringComparer.Ordinal);

    public bool IsConnected => Connection is not null;

    public IReadOnlyList<string> Roles => _roles ??= FrameworkCapabilities.Roles(Info);

    public bool Has(FrameworkInfo.Types.Capability.Types.Type capability) => FrameworkCapabilities.Has(Info, capability);
}

internal static class FrameworkCapabilities
{
    public static bool Has(FrameworkInfo info, FrameworkInfo.Types.Capability.Types.Type capability) =>
        info.Capabilities.Any(c => c.Type == capability);

    /// <summary>MULTI_ROLE frameworks use <c>roles</c>; others the single <c>role</c> (default <c>*</c>).</summary>
    public static IReadOnlyList<string> Roles(FrameworkInfo info) =>
        Has(info, FrameworkInfo.Types.Capability.Types.Type.MultiRole) ? info.Roles.Distinct().ToList() : [info.Role];
}
