using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Validation;
using static ActorScheduler.Specs.Tests.Validation.UpdateFixtures;

namespace ActorScheduler.Specs.Tests.Validation;

/// <summary>
/// The update rules beyond names, counts, volumes and users: one passing and one failing fixture per rule (updates of
/// Fixtures/updates/base.yml unless a test names another previous spec), and the cluster capability switches.
/// </summary>
public sealed class UpdateValidatorsTests
{
    private const string NoGpus = "remove 'gpus' (or set it to 0), or deploy to a cluster whose agents offer GPUs";
    private const string NoSharedMemory = "but this cluster cannot give tasks their own IPC namespace or /dev/shm size: remove 'ipc-mode' and " +
                                          "'shm-size', or deploy to a cluster whose agents run the namespaces/ipc isolator";

    private static readonly string[] _clusterFeatureErrors =
    [
        "Field: 'pods.accel.tasks.server.gpus'; Transition: 'null' => '1'; Message: 'Task 'server' of pod 'accel' asks for 1 GPU, but " +
        $"this cluster offers no GPUs: {NoGpus}'; Fatal: false",
        "Field: 'pods.accel.pre-reserved-role'; Transition: 'null' => 'slave_public'; Message: 'Pod 'accel' uses resources pre-reserved " +
        "for role 'slave_public', but this cluster cannot consume pre-reserved resources (it lacks reservation refinement): remove " +
        "'pre-reserved-role' to use unreserved resources, or deploy to a cluster that supports it'; Fatal: false",
        "Field: 'pods.accel.rlimits'; Transition: 'null' => 'RLIMIT_NOFILE'; Message: 'Pod 'accel' sets rlimits (RLIMIT_NOFILE), but this " +
        "cluster cannot apply resource limits to tasks: remove 'rlimits', or deploy to a cluster whose agents run the posix/rlimits " +
        "isolator'; Fatal: false",
        "Field: 'pods.accel.networks.mesos-bridge'; Transition: 'null' => 'host-ports [8080], container-ports [80]'; Message: 'Pod 'accel' maps " +
        "ports on network 'mesos-bridge', but this cluster does not support CNI port mapping: remove 'host-ports' and 'container-ports' and " +
        "reach the tasks at their container address, or deploy to a cluster that supports port mapping'; Fatal: false",
        "Field: 'pods.accel.shm-size'; Transition: 'null' => '64'; Message: 'Pod 'accel' sets ipc-mode PRIVATE with shm-size 64 MB, " +
        $"{NoSharedMemory}'; Fatal: false",
        "Field: 'pods.accel.placement'; Transition: 'null' => '@zone:GROUP_BY:3'; Message: 'Placement of pod 'accel' refers to @zone, but " +
        "this cluster has no fault domains (its agents report no zone or region): remove the @zone rules from the placement, or " +
        "configure fault domains on the agents first'; Fatal: false",
    ];

    // ---- Capabilities -------------------------------------------------------------------------------------------

    [Fact]
    public void Cluster_features_should_pass_on_a_cluster_with_every_capability()
    {
        Assert.Empty(Update("base", "valid-new-pod-uses-cluster-features", ClusterCapabilities.All));
        Assert.Empty(Update(null, "valid-new-pod-uses-cluster-features", ClusterCapabilities.All));
    }

    [Fact]
    public void Cluster_features_should_each_be_refused_on_a_cluster_without_capabilities()
    {
        Assert.Equal(_clusterFeatureErrors, Update("base", "valid-new-pod-uses-cluster-features", ClusterCapabilities.None));
        Assert.Equal(_clusterFeatureErrors, Update(null, "valid-new-pod-uses-cluster-features", ClusterCapabilities.None));
    }

    [Theory]
    [InlineData(nameof(ClusterCapabilities.Gpus), "pods.accel.tasks.server.gpus")]
    [InlineData(nameof(ClusterCapabilities.PreReservedRoles), "pods.accel.pre-reserved-role")]
    [InlineData(nameof(ClusterCapabilities.Rlimits), "pods.accel.rlimits")]
    [InlineData(nameof(ClusterCapabilities.CniPortMapping), "pods.accel.networks.mesos-bridge")]
    [InlineData(nameof(ClusterCapabilities.SharedMemory), "pods.accel.shm-size")]
    [InlineData(nameof(ClusterCapabilities.Domains), "pods.accel.placement")]
    public void Each_missing_capability_should_refuse_only_its_feature(string capability, string field)
    {
        var all = ClusterCapabilities.All;
        var lacking = capability switch
        {
            nameof(ClusterCapabilities.Gpus) => all with { Gpus = false },
            nameof(ClusterCapabilities.PreReservedRoles) => all with { PreReservedRoles = false },
            nameof(ClusterCapabilities.Rlimits) => all with { Rlimits = false },
            nameof(ClusterCapabilities.CniPortMapping) => all with { CniPortMapping = false },
            nameof(ClusterCapabilities.SharedMemory) => all with { SharedMemory = false },
            _ => all with { Domains = false },
        };

        var errors = SpecValidators.Validate(Load("base"), Load("valid-new-pod-uses-cluster-features"), lacking);

        Assert.Equal([field], errors.Select(e => e.Field));
    }

    [Fact]
    public void Pod_features_should_be_refused_by_their_own_validator()
    {
        Assert.Equal(
            _clusterFeatureErrors[..4],
            Update(new PodSpecsCannotUseUnsupportedFeatures(ClusterCapabilities.None), "base", "valid-new-pod-uses-cluster-features"));
        Assert.Empty(Update(new PodSpecsCannotUseUnsupportedFeatures(ClusterCapabilities.None), "base", "valid-private-shared-memory"));
    }

    [Fact]
    public void Gpus_of_a_resource_set_should_be_reported_once_on_the_set()
    {
        var spec = Load("valid-new-pod-uses-cluster-features");
        var accel = spec.FindPod("accel")!;
        var set = new ResourceSetSpec("gpu-set", 0.5, 2, 256, null, [], []);
        var onSet = spec with { Pods = [.. spec.Pods.Take(2), accel with { ResourceSets = [set], Tasks = [accel.Tasks[0] with { ResourceSet = "gpu-set", Gpus = 2 }] }] };

        Assert.Equal(
            "Field: 'pods.accel.resource-sets.gpu-set.gpus'; Transition: 'null' => '2'; Message: 'Resource set 'gpu-set' of pod 'accel' asks " +
            $"for 2 GPUs, but this cluster offers no GPUs: {NoGpus}'; Fatal: false",
            Assert.Single(new PodSpecsCannotUseUnsupportedFeatures(ClusterCapabilities.All with { Gpus = false }).Validate(null, onSet)).ToString());
    }

    [Fact]
    public void Shared_memory_should_pass_on_a_cluster_that_supports_it()
    {
        Assert.Empty(Update(new TaskSpecsCannotUseUnsupportedFeatures(ClusterCapabilities.All), "base", "valid-private-shared-memory"));
    }

    [Fact]
    public void Shared_memory_should_be_refused_on_pods_and_tasks_without_the_capability()
    {
        Assert.Equal(
            [
                "Field: 'pods.hello.shm-size'; Transition: 'null' => '64'; Message: 'Pod 'hello' sets ipc-mode PRIVATE with shm-size 64 MB, " +
                $"{NoSharedMemory}'; Fatal: false",
                "Field: 'pods.world.tasks.server.shm-size'; Transition: 'null' => '32'; Message: 'Task 'server' of pod 'world' sets ipc-mode " +
                $"PRIVATE with shm-size 32 MB, {NoSharedMemory}'; Fatal: false",
            ],
            Update("base", "valid-private-shared-memory", ClusterCapabilities.All with { SharedMemory = false }));
    }

    [Fact]
    public void Ipc_mode_alone_should_be_refused_without_shared_memory()
    {
        var spec = Load("base");
        var world = spec.Pods[1];
        var shared = spec with { Pods = [spec.Pods[0], world with { Tasks = [world.Tasks[0] with { IpcMode = IpcMode.ShareParent }] }] };

        Assert.Equal(
            "Field: 'pods.world.tasks.server.ipc-mode'; Transition: 'null' => 'SHARE_PARENT'; Message: 'Task 'server' of pod 'world' sets " +
            $"ipc-mode SHARE_PARENT, {NoSharedMemory}'; Fatal: false",
            Assert.Single(new TaskSpecsCannotUseUnsupportedFeatures(ClusterCapabilities.None).Validate(spec, shared)).ToString());
    }

    [Fact]
    public void Domains_should_be_required_by_zone_and_region_placement_only()
    {
        var noDomains = new DomainCapabilityValidator(ClusterCapabilities.All with { Domains = false });

        Assert.Empty(Update(noDomains, "base", "base"));
        Assert.Empty(Update(new DomainCapabilityValidator(ClusterCapabilities.All), "base", "valid-world-placed-by-region"));
        Assert.Equal(
            ["Field: 'pods.world.placement'; Transition: 'null' => '@region:CLUSTER:eu-west'; Message: 'Placement of pod 'world' refers " +
             "to @region, but this cluster has no fault domains (its agents report no zone or region): remove the @region rules from " +
             "the placement, or configure fault domains on the agents first'; Fatal: false"],
            Update(noDomains, "base", "valid-world-placed-by-region"));
    }

    // ---- Networks and roles -------------------------------------------------------------------------------------

    [Fact]
    public void Pod_cannot_move_from_the_host_network_to_a_virtual_one_or_back()
    {
        Assert.Equal(
            ["Field: 'pods.world.networks'; Transition: 'host network' => 'virtual network dcos'; Message: 'Pod 'world' cannot move from " +
             "the host network to virtual network dcos: its instances' ports and addresses would change under them; keep the pod's " +
             "networks as they were, or add a new pod type on the virtual network and decommission this one'; Fatal: false"],
            Update("base", "invalid-world-joins-virtual-network"));
        Assert.Equal(
            ["Field: 'pods.world.networks'; Transition: 'virtual network dcos' => 'host network'; Message: 'Pod 'world' cannot move from " +
             "virtual network dcos to the host network: its instances' ports and addresses would change under them; keep the pod's " +
             "networks as they were, or add a new pod type on the host network and decommission this one'; Fatal: false"],
            Update("invalid-world-joins-virtual-network", "base"));
    }

    [Fact]
    public void Pod_may_move_between_virtual_networks_and_new_pods_may_join_one()
    {
        Assert.Empty(Update("invalid-world-joins-virtual-network", "valid-world-moves-between-virtual-networks"));
        Assert.Empty(Update(new PodSpecsCannotChangeNetworkRegime(), "base", "valid-new-pod-on-virtual-network"));
        Assert.Empty(Update(new PodSpecsCannotChangeNetworkRegime(), null, "invalid-world-joins-virtual-network"));
    }

    [Fact]
    public void Pre_reserved_role_cannot_change()
    {
        Assert.Equal(
            ["Field: 'pods.hello.pre-reserved-role'; Transition: '*' => 'slave_public'; Message: 'Pod 'hello' cannot change " +
             "pre-reserved-role from '*' to 'slave_public': its instances hold reservations made from the old role's resources; keep " +
             "the old role, or add a new pod type with the new role and decommission this one'; Fatal: false"],
            Update("base", "invalid-hello-pre-reserved-role-changed"));
    }

    [Fact]
    public void Pre_reserved_role_may_be_spelled_out_and_new_pods_may_use_any()
    {
        Assert.Empty(Update(new PreReservationCannotChange(), "base", "valid-hello-pre-reserved-role-explicit-default"));
        Assert.Empty(Update(new PreReservationCannotChange(), "base", "valid-new-pod-uses-cluster-features"));
        Assert.Empty(Update(new PreReservationCannotChange(), null, "invalid-hello-pre-reserved-role-changed"));
    }

    // ---- TLS, region, DNS ---------------------------------------------------------------------------------------

    [Fact]
    public void Transport_encryption_should_require_a_service_account_principal()
    {
        const string Expected =
            "Field: 'scheduler.principal'; Transition: 'null' => 'null'; Message: 'Task 'hello.server' uses transport-encryption, which " +
            "needs a service account to obtain certificates: set scheduler.principal to the principal of the service's service account, " +
            "or remove transport-encryption'; Fatal: false";

        Assert.Equal([Expected], Update("base", "invalid-tls-without-principal"));
        Assert.Equal([Expected], Update(null, "invalid-tls-without-principal"));
    }

    [Fact]
    public void Transport_encryption_should_pass_with_a_principal()
    {
        Assert.Empty(Update(new TLSRequiresServiceAccount(), "base", "valid-tls-with-principal"));
        Assert.Empty(Update(new TLSRequiresServiceAccount(), null, "valid-tls-with-principal"));
    }

    private static ServiceSpec LoadInRegion(string? region)
    {
        var environment = region is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["SERVICE_REGION"] = region };
        var result = ServiceSpecLoader.LoadFile(PathOf("base"), null, environment);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Fact]
    public void Region_may_be_set_on_the_first_deploy_and_kept()
    {
        Assert.Empty(SpecValidators.Validate(null, LoadInRegion("eu-west")));
        Assert.Empty(SpecValidators.Validate(LoadInRegion("eu-west"), LoadInRegion("eu-west")));
        Assert.Empty(SpecValidators.Validate(LoadInRegion(null), LoadInRegion(null)));
    }

    [Fact]
    public void Region_cannot_change_be_set_or_be_unset_on_an_update()
    {
        Assert.Equal(
            ["Field: 'region'; Transition: 'eu-west' => 'us-east'; Message: 'Region cannot change: the service's tasks and reservations " +
             "live in the region it was deployed to; set SERVICE_REGION back to 'eu-west', or deploy a new service in the new region'; " +
             "Fatal: false"],
            Printed(SpecValidators.Validate(LoadInRegion("eu-west"), LoadInRegion("us-east"))));
        Assert.Equal(
            ["Field: 'region'; Transition: '(local region)' => 'eu-west'; Message: 'Region cannot change: the service's tasks and " +
             "reservations live in the region it was deployed to; set SERVICE_REGION back to nothing (unset it), or deploy a new service " +
             "in the new region'; Fatal: false"],
            Printed(new RegionCannotChange().Validate(LoadInRegion(null), LoadInRegion("eu-west"))));
        Assert.Equal(
            "'eu-west' => '(local region)'",
            Assert.Single(new RegionCannotChange().Validate(LoadInRegion("eu-west"), LoadInRegion(null))).Transition);
    }

    [Fact]
    public void Service_name_at_the_dns_limit_should_install()
    {
        Assert.Empty(Update(null, "valid-name-at-dns-limit"));
    }

    [Fact]
    public void Service_name_that_breaks_dns_should_not_install()
    {
        Assert.Equal(
            ["Field: 'name'; Transition: 'null' => '/analytics/eu/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-world'; Message: 'Service " +
             "name without slashes ('analyticseuaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-world') is 64 characters long, but it is " +
             "the DNS label of the service's task names, which allows at most 63: choose a shorter name or shorter folders'; Fatal: false"],
            Update(null, "invalid-name-too-long-for-dns"));
        Assert.Equal(
            ["Field: 'name'; Transition: 'null' => '/Data/hello_world'; Message: 'Service name without slashes ('Datahello_world') is the " +
             "DNS label of the service's task names (Datahello_world.autoip.dcos.thisdcos.directory) but is not a valid one: name the " +
             "service and its folders with lower-case letters, digits and '-', not starting or ending with '-''; Fatal: false"],
            Update(null, "invalid-name-not-a-dns-label"));
    }

    [Fact]
    public void Service_name_of_an_installed_service_should_not_be_checked_for_dns()
    {
        Assert.Empty(Update(new ServiceNameCannotBreakDNS(), "invalid-name-too-long-for-dns", "invalid-name-too-long-for-dns"));
        Assert.Empty(Update(new ServiceNameCannotBreakDNS(), "invalid-name-not-a-dns-label", "invalid-name-not-a-dns-label"));
    }

    // ---- Resource limits ----------------------------------------------------------------------------------------

    [Fact]
    public void Resource_limits_below_the_request_should_be_refused()
    {
        Assert.Equal(
            [
                "Field: 'pods.hello.tasks.server.resource-limits.cpus'; Transition: 'null' => '0.05'; Message: 'Task 'server' of pod 'hello' " +
                "limits cpus to 0.05 but requests 0.1: a limit must be at least the request; raise resource-limits.cpus to 0.1 or more, " +
                "set it to 'unlimited', or lower cpus'; Fatal: false",
                "Field: 'pods.hello.tasks.server.resource-limits.memory'; Transition: 'null' => '16'; Message: 'Task 'server' of pod 'hello' " +
                "limits memory to 16 MB but requests 32 MB: a limit must be at least the request; raise resource-limits.memory to 32 or " +
                "more, set it to 'unlimited', or lower memory'; Fatal: false",
                "Field: 'pods.world.resource-sets.server-set.resource-limits.memory'; Transition: 'null' => '48'; Message: 'Resource set " +
                "'server-set' of pod 'world' limits memory to 48 MB but requests 64 MB: a limit must be at least the request; raise " +
                "resource-limits.memory to 64 or more, set it to 'unlimited', or lower memory'; Fatal: false",
            ],
            Update("base", "invalid-limits-below-requests"));
    }

    [Fact]
    public void Resource_limits_equal_to_or_above_the_request_or_unlimited_should_pass()
    {
        Assert.Empty(Update(new ResourceLimitsMustExceedRequestedResources(), "base", "valid-limits-at-or-above-requests"));
        Assert.Empty(Update(new ResourceLimitsMustExceedRequestedResources(), null, "valid-limits-at-or-above-requests"));
    }

    [Fact]
    public void Resource_limits_transition_should_show_the_previous_limit()
    {
        var errors = new ResourceLimitsMustExceedRequestedResources().Validate(Load("valid-limits-at-or-above-requests"), Load("invalid-limits-below-requests"));

        Assert.Equal(["'0.1' => '0.05'", "'null' => '16'", "'128' => '48'"], errors.Select(e => e.Transition));
    }

    // ---- Zones ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Placement_cannot_start_or_stop_referring_to_zones()
    {
        Assert.Equal(
            ["Field: 'pods.hello.placement'; Transition: 'hostname:UNIQUE' => 'hostname:UNIQUE,@zone:GROUP_BY:3'; Message: 'Placement of " +
             "pod 'hello' cannot start referring to @zone: its instances were placed without regard to zones, and their data would stay " +
             "in that layout; keep @zone out of the placement, or add a new pod type with the new placement and decommission this one'; " +
             "Fatal: false"],
            Update("base", "invalid-hello-placement-adds-zone"));
        Assert.Equal(
            ["Field: 'pods.hello.placement'; Transition: 'hostname:UNIQUE,@zone:GROUP_BY:3' => 'hostname:UNIQUE'; Message: 'Placement of " +
             "pod 'hello' cannot stop referring to @zone: its instances were spread across zones, and their data would stay in that " +
             "layout; keep the @zone rule, or add a new pod type with the new placement and decommission this one'; Fatal: false"],
            Update("invalid-hello-placement-adds-zone", "base"));
    }

    [Fact]
    public void Placement_may_use_regions_and_new_pods_may_use_zones()
    {
        Assert.Empty(Update(new ZoneValidator(), "base", "valid-world-placed-by-region"));
        Assert.Empty(Update(new ZoneValidator(), "base", "valid-new-pod-uses-cluster-features"));
        Assert.Empty(Update(new ZoneValidator(), null, "invalid-hello-placement-adds-zone"));
        Assert.Empty(Update(new ZoneValidator("world"), "base", "invalid-hello-placement-adds-zone"));
        Assert.Single(Update(new ZoneValidator("hello"), "base", "invalid-hello-placement-adds-zone"));
    }

    // ---- Task environment (opt-in) ------------------------------------------------------------------------------

    private static readonly TaskEnvCannotChange _clusterName = new("hello", "server", "CLUSTER_NAME");

    [Fact]
    public void Watched_task_env_cannot_change_or_be_set_later()
    {
        Assert.Equal(
            ["Field: 'pods.hello.tasks.server.env.CLUSTER_NAME'; Transition: 'alpha' => 'beta'; Message: 'Environment variable CLUSTER_NAME " +
             "of task 'server' in pod 'hello' cannot change: this service fixes it once deployed; set it back to 'alpha', or deploy a " +
             "new service for the new value'; Fatal: false"],
            Update(_clusterName, "hello-env-alpha", "invalid-hello-env-cluster-name-changed"));
        Assert.Equal(
            ["Field: 'pods.hello.tasks.server.env.CLUSTER_NAME'; Transition: 'null' => 'alpha'; Message: 'Environment variable CLUSTER_NAME " +
             "of task 'server' in pod 'hello' cannot change: this service fixes it once deployed; remove it again, or deploy a new service " +
             "for the new value'; Fatal: false"],
            Update(_clusterName, "base", "hello-env-alpha"));
    }

    [Fact]
    public void Other_task_env_may_change_and_the_rule_is_opt_in()
    {
        Assert.Empty(Update(_clusterName, "hello-env-alpha", "valid-hello-env-log-level-changed"));
        Assert.Empty(Update(_clusterName, null, "invalid-hello-env-cluster-name-changed"));
        Assert.Empty(Update(new TaskEnvCannotChange("world", "server", "CLUSTER_NAME"), "hello-env-alpha", "invalid-hello-env-cluster-name-changed"));
        Assert.Empty(Update("hello-env-alpha", "invalid-hello-env-cluster-name-changed"));
        Assert.DoesNotContain(SpecValidators.Default, v => v is TaskEnvCannotChange);
    }
}
