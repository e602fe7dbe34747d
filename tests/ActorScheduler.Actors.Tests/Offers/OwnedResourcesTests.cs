using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OwnedResourcesTests
{
    [Fact]
    public void All_is_the_union_of_what_each_pod_owns_through_sets_replacements_and_removals()
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            var owned = new OwnedResources();
            var naive = new Dictionary<string, ImmutableArray<string>>();
            var shared = 0;
            for (var step = 0; step < 500; step++)
            {
                var pod = $"pod-{random.Next(20)}";
                if (random.Next(4) == 0)
                {
                    owned.Remove(pod);
                    naive.Remove(pod);
                }
                else
                {
                    // Ids from a small pool, so footprints overlap (a footprint passing from one pod to another).
                    var ids = Enumerable.Range(0, random.Next(4)).Select(_ => $"id-{random.Next(40)}").Distinct().ToImmutableArray();
                    owned.Set(pod, ids);
                    naive[pod] = ids;
                }

                var expected = naive.Values.SelectMany(ids => ids).ToHashSet();
                Assert.True(expected.SetEquals(owned.All), $"seed {seed}, step {step}");
                shared += naive.Values.SelectMany(ids => ids).Count() - expected.Count;
            }

            Assert.True(shared > 0, "no id was owned by two pods at once: the overlap went untested");
        }
    }

    [Fact]
    public void Removing_a_pod_that_owns_nothing_changes_nothing()
    {
        var owned = new OwnedResources();
        owned.Set("hello-0", ["r-1", "r-2"]);

        owned.Remove("hello-1");
        owned.Set("hello-2", []);

        Assert.Equal(["r-1", "r-2"], owned.All.Order());
    }
}
