using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Model;

public sealed class ServiceSpecTests
{
    [Theory]
    [InlineData("hello-world", "hello-world-role")]
    [InlineData("/data/kafka", "data__kafka-role")]
    public void Role_folds_folders_like_the_dcos_sdk(string name, string role)
    {
        var spec = new ServiceSpec(name, null, ImmutableArray<PodSpec>.Empty, ImmutableArray<PlanSpec>.Empty);
        Assert.Equal(role, spec.Role);
    }

    [Theory]
    [InlineData("hello-world", "hello-world")]
    [InlineData("/data/kafka", "datakafka")]
    [InlineData("a/b/c", "abc")]
    public void Dns_label_drops_folder_slashes_like_the_dcos_sdk(string name, string label)
    {
        Assert.Equal(label, ServiceSpec.DnsLabelOf(name));
    }
}
