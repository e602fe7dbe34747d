using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>A framework role that may receive offers this cycle.</summary>
/// <param name="Gpus">The framework has GPU_RESOURCES: only such frameworks get offers of agents with GPUs.</param>
internal sealed record AllocationCandidate(string FrameworkId, string Role, bool Gpus = false);

/// <summary>Free resources of one agent (not used by tasks, not in an outstanding offer); the allocator may offer the pool itself.</summary>
/// <param name="HasGpus">The agent has GPUs (MESOS-5634: offered only to frameworks with GPU_RESOURCES).</param>
internal sealed record AgentAvailability(string AgentId, ResourcePool Free, bool HasGpus = false);

/// <summary>One offer the allocator decided on.</summary>
internal sealed record AllocationDecision(string FrameworkId, string Role, string AgentId, ResourcePool Resources);

/// <summary>
/// The allocation cycle, pure: for each agent, each candidate (framework, role) in order gets one offer of
/// the unreserved resources plus those reserved for its role or an ancestor of it (a reservation for <c>eng</c> is
/// offered to <c>eng/backend</c> too, Mesos's hierarchical roles), unless a refusal filter covers all of them,
/// they are below the minimum allocatable quantities (cpus 0.01 or mem 32), or the agent has GPUs and the framework
/// did not ask for them (GPU_RESOURCES).
/// </summary>
internal static class Allocator
{
    public const double MinCpus = 0.01;
    public const double MinMemMb = 32;

    public static List<AllocationDecision> Allocate(
        IEnumerable<AgentAvailability> agents,
        IReadOnlyList<AllocationCandidate> candidates,
        Func<AllocationCandidate, string, ResourcePool, bool> isFiltered)
    {
        var decisions = new List<AllocationDecision>();
        foreach (var agent in agents)
        {
            // What the candidates before took is subtracted from a copy (none is needed for one candidate).
            var free = agent.Free;
            var copied = false;
            for (var i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[i];
                if (agent.HasGpus && !candidate.Gpus)
                {
                    continue;
                }

                // The agent's free pool is the caller's to give: offered whole when all of it is the candidate's to take.
                var offerable = free.Resources.All(r => OfferableTo(r, candidate))
                    ? free
                    : new ResourcePool(free.Resources.Where(r => OfferableTo(r, candidate)));
                if (offerable.IsEmpty || !IsAllocatable(offerable) || isFiltered(candidate, agent.AgentId, offerable))
                {
                    continue;
                }

                decisions.Add(new AllocationDecision(candidate.FrameworkId, candidate.Role, agent.AgentId, offerable));
                if (i < candidates.Count - 1)
                {
                    if (ReferenceEquals(offerable, free))
                    {
                        // All of it went into this offer: nothing is left for the candidates after.
                        free = new ResourcePool();
                        copied = true;
                        continue;
                    }

                    if (!copied)
                    {
                        free = free.Clone();
                        copied = true;
                    }

                    free.SubtractSaturating(offerable.Resources);
                }
            }
        }

        return decisions;
    }

    private static bool OfferableTo(Resource resource, AllocationCandidate candidate) =>
        !ResourceFormat.IsReserved(resource) || IsRoleOrSubrole(candidate.Role, ResourceFormat.ReservationRole(resource));

    /// <summary><paramref name="role"/> is <paramref name="ancestor"/> or one of its sub-roles (<c>eng/backend</c> of <c>eng</c>).</summary>
    public static bool IsRoleOrSubrole(string role, string ancestor) =>
        role == ancestor || IsStrictSubrole(role, ancestor);

    /// <summary><paramref name="role"/> is a sub-role of <paramref name="ancestor"/>, at any depth (Mesos <c>roles::isStrictSubroleOf</c>).</summary>
    public static bool IsStrictSubrole(string role, string ancestor) =>
        role.Length > ancestor.Length + 1 && role[ancestor.Length] == '/' && role.StartsWith(ancestor, StringComparison.Ordinal);

    public static bool IsAllocatable(ResourcePool pool) =>
        pool.Scalar("cpus") >= MinCpus || pool.Scalar("mem") >= MinMemMb;
}
