using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Messages.Tests;

public sealed class UuidsTests
{
    [Fact]
    public void A_new_uuid_is_a_random_version_4_RFC_variant_uuid_in_the_usual_text_form()
    {
        for (var i = 0; i < 1000; i++)
        {
            var text = Uuids.NewString();
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", text);
            Assert.Equal(4, Guid.Parse(text).Version);
            Assert.Equal(text, Guid.Parse(text).ToString());
        }
    }

    [Fact]
    public void Uuids_minted_on_many_threads_at_once_do_not_repeat()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                ids.Add(Uuids.New());
            }
        });

        Assert.Equal(200_000, ids.Distinct().Count());

        // Every bit outside the version and variant varies.
        var bits = ids.Take(1000).Select(g => g.ToByteArray()).Aggregate(new byte[16], (acc, b) =>
        {
            for (var i = 0; i < 16; i++)
            {
                acc[i] |= b[i];
            }

            return acc;
        });
        Assert.Equal(0x4F, bits[7]);
        Assert.Equal(0xBF, bits[8]);
        Assert.All(bits.Where((_, i) => i is not 7 and not 8), b => Assert.Equal(0xFF, b));
    }
}
