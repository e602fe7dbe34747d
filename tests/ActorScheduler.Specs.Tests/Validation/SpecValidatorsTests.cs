using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;
using ActorScheduler.Specs.Validation;

namespace ActorScheduler.Specs.Tests.Validation;

/// <summary>Spec updates from Fixtures/updates/base.yml to each fixture, through every default validator.</summary>
public sealed class SpecValidatorsTests
{
    private static readonly ServiceSpec _base = UpdateFixtures.Load("base");

    private static string[] UpdateTo(string fixture) => UpdateFixtures.Update("base", fixture);

    [Theory]
    [InlineData("base")]
    [InlineData("valid-scale-out-and-edit")]
    [InlineData("valid-user-unchanged-placement-removed")]
    [InlineData("valid-hello-shrunk-with-decommission")]
    [InlineData("valid-world-removed")]
    [InlineData("valid-hello-pre-reserved-role-explicit-default")]
    [InlineData("valid-limits-at-or-above-requests")]
    [InlineData("valid-new-pod-on-virtual-network")]
    [InlineData("valid-new-pod-uses-cluster-features")]
    [InlineData("valid-private-shared-memory")]
    [InlineData("valid-tls-with-principal")]
    [InlineData("valid-world-placed-by-region")]
    public void Valid_updates_should_pass_every_validator(string fixture)
    {
        Assert.Empty(UpdateTo(fixture));
    }

    [Fact]
    public void Service_name_cannot_change()
    {
        Assert.Equal(
            ["Field: 'name'; Transition: 'hello-world' => 'hello-universe'; Message: 'Service name cannot change: this data directory " +
             "belongs to the service it was created for; deploy a new service with its own data directory instead'; Fatal: false"],
            UpdateTo("invalid-name-changed"));
    }

    [Fact]
    public void User_cannot_change()
    {
        Assert.Equal(
            ["Field: 'scheduler.user'; Transition: 'nobody' => 'root'; Message: 'User cannot change: files in the tasks' persistent " +
             "volumes are owned by the previous user'; Fatal: false"],
            UpdateTo("invalid-user-changed"));
    }

    [Fact]
    public void User_set_or_unset_is_a_change_too()
    {
        var errors = new UserCannotChange().Validate(_base, _base with { User = null });

        Assert.Equal("'nobody' => '(agent default)'", Assert.Single(errors).Transition);
    }

    [Fact]
    public void Pod_count_cannot_shrink_without_allow_decommission_on_the_new_pod()
    {
        Assert.Equal(
            ["Field: 'pods.hello.count'; Transition: '2' => '1'; Message: 'Pod 'hello' cannot shrink from 2 to 1 instances unless " +
             "the new spec sets allow-decommission: true on it'; Fatal: false"],
            UpdateTo("invalid-hello-shrunk"));
        Assert.Equal(
            ["Field: 'pods.world.count'; Transition: '2' => '1'; Message: 'Pod 'world' cannot shrink from 2 to 1 instances unless " +
             "the new spec sets allow-decommission: true on it'; Fatal: false"],
            UpdateTo("invalid-world-shrunk-without-decommission"));
    }

    [Fact]
    public void Pod_type_cannot_be_removed_unless_the_old_pod_allowed_decommission()
    {
        Assert.Equal(
            ["Field: 'pods.hello'; Transition: '2 instances' => 'null'; Message: 'Pod 'hello' cannot be removed: the previous spec " +
             "does not set allow-decommission: true on it; deploy that first, then remove the pod'; Fatal: false"],
            UpdateTo("invalid-hello-removed"));
    }

    [Fact]
    public void Task_volumes_cannot_be_resized()
    {
        Assert.Equal(
            ["Field: 'pods.hello.tasks.server.volumes'; Transition: 'data (ROOT, 64 MB)' => 'data (ROOT, 128 MB)'; Message: 'Volume " +
             "'data' cannot be changed: persistent volumes cannot change once reserved'; Fatal: false"],
            UpdateTo("invalid-task-volume-resized"));
    }

    [Fact]
    public void Volumes_cannot_be_added_removed_or_moved()
    {
        Assert.Equal(
            [
                "Field: 'pods.hello.volumes'; Transition: 'shared (ROOT, 16 MB)' => 'null'; Message: 'Volume 'shared' cannot be removed: " +
                "persistent volumes cannot change once reserved'; Fatal: false",
                "Field: 'pods.hello.tasks.server.volumes'; Transition: 'data (ROOT, 64 MB)' => 'null'; Message: 'Volume 'data' cannot be " +
                "removed: persistent volumes cannot change once reserved'; Fatal: false",
                "Field: 'pods.hello.tasks.server.volumes'; Transition: 'null' => 'data2 (ROOT, 64 MB)'; Message: 'Volume 'data2' cannot be " +
                "added: persistent volumes cannot change once reserved'; Fatal: false",
                "Field: 'pods.world.tasks.server.volumes'; Transition: 'null' => 'logs (MOUNT, 100 MB)'; Message: 'Volume 'logs' cannot be " +
                "added: persistent volumes cannot change once reserved'; Fatal: false",
            ],
            UpdateTo("invalid-volumes-added-and-removed"));
    }

    [Fact]
    public void Volume_type_change_should_be_caught_and_trailing_slashes_ignored()
    {
        var pod = _base.Pods[0];
        var server = pod.Tasks[0];
        var retyped = _base with { Pods = [pod with { Tasks = [server with { Volumes = [new VolumeSpec("data/", VolumeType.Mount, 64)] }] }, _base.Pods[1]] };
        var slashed = _base with { Pods = [pod with { Tasks = [server with { Volumes = [new VolumeSpec("data/", VolumeType.Root, 64)] }] }, _base.Pods[1]] };

        Assert.Equal("'data (ROOT, 64 MB)' => 'data/ (MOUNT, 64 MB)'", Assert.Single(new TaskVolumesCannotChange().Validate(_base, retyped)).Transition);
        Assert.Empty(new TaskVolumesCannotChange().Validate(_base, slashed));
    }

    [Fact]
    public void A_pod_volume_cannot_be_resized_retyped_or_added_since_the_executor_holds_it_reserved()
    {
        var hello = _base.Pods[0];
        var world = _base.Pods[1];
        ServiceSpec With(PodSpec pod, params VolumeSpec[] volumes) =>
            _base with { Pods = [.. _base.Pods.Select(p => p.Type == pod.Type ? pod with { Volumes = [.. volumes] } : p)] };

        Assert.Equal(
            "Field: 'pods.hello.volumes'; Transition: 'shared (ROOT, 16 MB)' => 'shared (ROOT, 32 MB)'; Message: 'Volume 'shared' cannot be " +
            "changed: persistent volumes cannot change once reserved'; Fatal: false",
            Assert.Single(new TaskVolumesCannotChange().Validate(_base, With(hello, new VolumeSpec("shared", VolumeType.Root, 32)))).ToString());
        Assert.Equal("'shared (ROOT, 16 MB)' => 'shared (MOUNT, 16 MB)'",
            Assert.Single(new TaskVolumesCannotChange().Validate(_base, With(hello, new VolumeSpec("shared", VolumeType.Mount, 16)))).Transition);
        var added = Assert.Single(new TaskVolumesCannotChange().Validate(_base, With(world, new VolumeSpec("cache", VolumeType.Root, 8))));
        Assert.Equal(("pods.world.volumes", "'null' => 'cache (ROOT, 8 MB)'"), (added.Field, added.Transition));
        Assert.Empty(new TaskVolumesCannotChange().Validate(_base, With(hello, new VolumeSpec("shared/", VolumeType.Root, 16))));
    }

    [Fact]
    public void A_mount_volumes_disk_profiles_cannot_change_but_their_order_may()
    {
        var pod = _base.Pods[0];
        var server = pod.Tasks[0];
        VolumeSpec Mount(params string[] profiles) => new("data", VolumeType.Mount, 64) { Profiles = [.. profiles] };
        ServiceSpec With(VolumeSpec volume) => _base with { Pods = [pod with { Tasks = [server with { Volumes = [volume] }] }, _base.Pods[1]] };
        var ssd = With(Mount("ssd", "fast"));

        Assert.Equal("'data (MOUNT, 64 MB, profiles ssd, fast)' => 'data (MOUNT, 64 MB, profiles hdd)'",
            Assert.Single(new TaskVolumesCannotChange().Validate(ssd, With(Mount("hdd")))).Transition);
        Assert.Single(new TaskVolumesCannotChange().Validate(ssd, With(Mount())));
        Assert.Empty(new TaskVolumesCannotChange().Validate(ssd, With(Mount("fast", "ssd"))));
    }

    [Fact]
    public void Service_name_cannot_contain_double_underscores()
    {
        var validator = new ServiceNameCannotContainDoubleUnderscores();

        Assert.Empty(validator.Validate(_base, _base with { Name = "folder/hello_world" }));
        Assert.Equal(
            "Field: 'name'; Transition: 'hello-world' => 'hello__world'; Message: 'Service name may not contain double underscores " +
            "('__'): they stand for '/' in the Mesos role'; Fatal: false",
            Assert.Single(validator.Validate(_base, _base with { Name = "hello__world" })).ToString());
    }

    [Fact]
    public void Placement_rule_is_valid_should_reject_invalid_rules_anywhere_in_the_tree()
    {
        var hello = _base.Pods[0];
        var invalid = new InvalidPlacementRule("hostname:SPREAD", "unknown operator 'SPREAD'");
        var nested = new AndRule([hello.Placement!, new NotRule(new OrRule([invalid]))]);
        var next = _base with { Pods = [hello with { Placement = nested, PlacementText = "hostname:SPREAD" }, _base.Pods[1]] };

        Assert.Equal(
            ["Field: 'pods.hello.placement'; Transition: 'hostname:UNIQUE' => 'hostname:SPREAD'; Message: 'Placement of pod 'hello' " +
             "is invalid: unknown operator 'SPREAD''; Fatal: false"],
            SpecValidators.Validate(_base, next).Select(e => e.ToString()));
        Assert.Empty(new PlacementRuleIsValid().Validate(null, _base));
    }

    [Fact]
    public void Placement_rule_is_valid_should_parse_placement_text_without_a_rule()
    {
        var world = _base.Pods[1];
        var next = _base with { Pods = [_base.Pods[0], world with { PlacementText = "hostname:MAX_PER:x" }] };

        Assert.Equal(
            "Placement of pod 'world' is invalid: row 1 (hostname:MAX_PER:x): MAX_PER expects a number >= 1, found 'x'",
            Assert.Single(new PlacementRuleIsValid().Validate(_base, next)).Message);
    }

    [Fact]
    public void First_deploy_should_pass_everything_but_the_name_rules()
    {
        var emptied = _base with { Name = "hello__world", User = "root", Pods = [_base.Pods[0] with { Count = 0, Volumes = [] }] };

        Assert.Empty(SpecValidators.Validate(null, _base));
        Assert.Equal(
            [
                "Field: 'name'; Transition: 'null' => 'hello__world'; Message: 'Service name may not contain double underscores ('__'): " +
                "they stand for '/' in the Mesos role'; Fatal: false",
                "Field: 'name'; Transition: 'null' => 'hello__world'; Message: 'Service name without slashes ('hello__world') is the DNS " +
                "label of the service's task names (hello__world.autoip.dcos.thisdcos.directory) but is not a valid one: name the " +
                "service and its folders with lower-case letters, digits and '-', not starting or ending with '-''; Fatal: false",
            ],
            SpecValidators.Validate(null, emptied).Select(e => e.ToString()));
    }

    [Fact]
    public void Default_validators_should_be_one_per_rule_in_order()
    {
        Assert.Equal(
            ["ServiceNameCannotContainDoubleUnderscores", "ServiceNameCannotChange", "ServiceNameCannotBreakDNS", "PodSpecsCannotShrink",
             "PodSpecsCannotUseUnsupportedFeatures", "PodSpecsCannotChangeNetworkRegime", "PreReservationCannotChange",
             "TaskSpecsCannotUseUnsupportedFeatures", "ResourceLimitsMustExceedRequestedResources", "TaskVolumesCannotChange",
             "UserCannotChange", "TLSRequiresServiceAccount", "RegionCannotChange", "DomainCapabilityValidator", "PlacementRuleIsValid",
             "ZoneValidator"],
            SpecValidators.Default.Select(v => v.GetType().Name));
        Assert.Equal(
            SpecValidators.Default.Select(v => v.GetType()),
            SpecValidators.For(ClusterCapabilities.None).Select(v => v.GetType()));
    }
}
