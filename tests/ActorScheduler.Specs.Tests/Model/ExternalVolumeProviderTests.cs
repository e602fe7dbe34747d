using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Model;

/// <summary>The names and options each pod instance's external volumes get at their provider (DC/OS's volume providers).</summary>
public sealed class ExternalVolumeProviderTests
{
    private static ExternalVolumeSpec Volume(string? name, string driver = "rexray", string? options = null, string containerPath = "data") =>
        new("v", "DOCKER", name, VolumeMode.ReadWrite, driver, options, containerPath);

    private static PodSpec Pod(params ExternalVolumeSpec[] volumes) =>
        new("node", 3, false, [], []) { ExternalVolumes = [.. volumes] };

    [Fact]
    public void A_given_name_gets_the_instance_index()
    {
        var volume = Volume("store-data");

        Assert.Equal("store-data_0", ExternalVolumeProvider.VolumeName("store", Pod(volume), 0, volume));
        Assert.Equal("store-data_2", ExternalVolumeProvider.VolumeName("store", Pod(volume), 2, volume));
    }

    [Fact]
    public void Without_a_name_the_volume_is_named_after_the_service_and_pod_type_with_slashes_escaped()
    {
        var volume = Volume(null);

        Assert.Equal("store_node_1", ExternalVolumeProvider.VolumeName("store", Pod(volume), 1, volume));
        Assert.Equal("data__store_node_1", ExternalVolumeProvider.VolumeName("/data/store", Pod(volume), 1, volume));
        Assert.Equal("team__a_1", ExternalVolumeProvider.VolumeName("store", Pod(volume), 1, Volume("/team/a")));
    }

    [Fact]
    public void Unnamed_volumes_of_a_pod_with_several_container_paths_are_told_apart_by_the_path()
    {
        var logs = Volume(null, containerPath: "logs/app");
        var data = Volume(null, containerPath: "data");
        var pod = Pod(logs, data);

        Assert.Equal("store_node-logs__app_0", ExternalVolumeProvider.VolumeName("store", pod, 0, logs));
        Assert.Equal("store_node-data_0", ExternalVolumeProvider.VolumeName("store", pod, 0, data));
        // A named one keeps its name.
        Assert.Equal("mine_0", ExternalVolumeProvider.VolumeName("store", pod, 0, Volume("mine", containerPath: "logs/app")));
    }

    [Fact]
    public void Portworx_volumes_are_named_with_dashes_and_a_shared_one_has_no_index()
    {
        var plain = Volume(null, ExternalVolumeProvider.Portworx, "size=10");
        var shared = Volume("common", ExternalVolumeProvider.Portworx, "shared=true;size=10");

        Assert.Equal("store-node-2", ExternalVolumeProvider.VolumeName("store", Pod(plain), 2, plain));
        Assert.Equal("common", ExternalVolumeProvider.VolumeName("store", Pod(shared), 2, shared));
    }

    [Fact]
    public void Driver_options_are_the_spec_s_and_Portworx_volumes_are_created_on_the_local_node()
    {
        Assert.Equal([new("size", "10"), new("repl", "2")], ExternalVolumeProvider.DriverOptions(Volume(null, options: "size=10,repl=2")).AsEnumerable());
        Assert.Empty(ExternalVolumeProvider.DriverOptions(Volume(null)));
        Assert.Equal(
            [new("size", "10"), new("nodes", "LocalNode")],
            ExternalVolumeProvider.DriverOptions(Volume(null, ExternalVolumeProvider.Portworx, "nodes=all;size=10")).AsEnumerable());
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("  ", "")]
    [InlineData("size=10,repl=2", "size:10|repl:2")]
    [InlineData("shared=true;size=10;", "shared:true|size:10")]
    [InlineData(" a = 1 , b=x=y ", "a:1|b:x=y")]
    public void Driver_options_read_as_written(string? text, string expected)
    {
        var (options, problem) = ExternalVolumeSpec.ParseDriverOptions(text);

        Assert.Null(problem);
        Assert.Equal(expected, string.Join("|", options.Select(o => $"{o.Key}:{o.Value}")));
    }

    [Theory]
    [InlineData("size", "'size' has no '=' between key and value")]
    [InlineData("=10", "'=10' has an empty key")]
    [InlineData("size=", "'size=' has an empty value")]
    [InlineData("a=1,a=2", "the key 'a' is given twice")]
    [InlineData("name=x", "'name' cannot be a driver option: the volume's name is 'volume-name' (or made up by the scheduler)")]
    public void Bad_driver_options_are_refused_with_the_item_at_fault(string text, string problem)
    {
        var parsed = ExternalVolumeSpec.ParseDriverOptions(text);

        Assert.Equal(problem, parsed.Problem);
        Assert.Equal(ImmutableArray<KeyValuePair<string, string>>.Empty, parsed.Options);
    }
}
