using System.Collections.Immutable;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// The labelled resource ids each pod instance owns, and every one of them as one set kept up to date as pods change
/// hands — not gathered anew for each offer cycle that meets an offer carrying reservations (with the master re-offering
/// the agents in use, that is every cycle, over tens of thousands of ids). Not thread-safe: the router's own.
/// </summary>
internal sealed class OwnedResources
{
    private readonly Dictionary<string, ImmutableArray<string>> _byPod = new(StringComparer.Ordinal);

    // How many pods name each id (one, unless a footprint passes from one pod to another before the first lets go).
    private readonly Dictionary<string, int> _owners = new(StringComparer.Ordinal);
    private readonly HashSet<string> _all = new(StringComparer.Ordinal);

    /// <summary>Every id some pod owns.</summary>
    public IReadOnlySet<string> All => _all;

    /// <summary>The pod owns exactly <paramref name="ids"/> from now on.</summary>
    public void Set(string pod, ImmutableArray<string> ids)
    {
        Remove(pod);
        _byPod[pod] = ids;
        foreach (var id in ids)
        {
            ref var owners = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_owners, id, out _);
            if (owners++ == 0)
            {
                _all.Add(id);
            }
        }
    }

    /// <summary>The pod owns nothing any more.</summary>
    public void Remove(string pod)
    {
        if (!_byPod.Remove(pod, out var ids))
        {
            return;
        }

        foreach (var id in ids)
        {
            if (--_owners[id] == 0)
            {
                _owners.Remove(id);
                _all.Remove(id);
            }
        }
    }
}
