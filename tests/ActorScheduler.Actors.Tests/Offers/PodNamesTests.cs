using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class PodNamesTests
{
    [Theory]
    [InlineData("web-0", true, true)]
    [InlineData("web-12", true, true)]
    [InlineData("web-0:[server]", false, true)]
    [InlineData("web-admin-0", false, false)]
    [InlineData("web-admin-0:[server]", false, false)]
    [InlineData("web-0-server", false, false)]
    [InlineData("web-", false, false)]
    [InlineData("web", false, false)]
    [InlineData("webx-0", false, false)]
    public void Names_match_their_own_pod_type_only(string name, bool instance, bool of)
    {
        Assert.Equal(instance, PodNames.IsInstanceOf(name, "web"));
        Assert.Equal(of, PodNames.IsOf(name, "web"));
    }
}
