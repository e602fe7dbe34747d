using ActorScheduler.Actors.Mesos;
using ActorScheduler.Specs;

namespace ActorScheduler.Actors.Tests.Mesos;

public sealed class FrameworkRolesTests
{
    private static Specs.Model.ServiceSpec Load(string yaml) => ServiceSpecLoader.LoadRendered(yaml, "svc.yml").Spec!;

    [Fact]
    public void The_service_role_comes_first_then_each_pre_reserved_roles_refined_role_once_and_gpus_only_when_asked_for()
    {
        var spec = Load("""
            name: svc
            pods:
              web:
                count: 1
                pre-reserved-role: slave_public
                tasks:
                  server: {goal: RUNNING, cmd: "sleep 1", cpus: 0.1, memory: 32}
              db:
                count: 1
                tasks:
                  server: {goal: RUNNING, cmd: "sleep 1", cpus: 0.1, memory: 32}
              proxy:
                count: 1
                pre-reserved-role: slave_public
                resource-sets:
                  gpu: {cpus: 0.1, memory: 32, gpus: 1}
                tasks:
                  server: {goal: RUNNING, cmd: "sleep 1", resource-set: gpu}
            """);

        var roles = FrameworkRoles.Of(spec, "svc-role");

        Assert.Equal(["svc-role", "slave_public/svc-role"], roles.Roles.ToArray());
        Assert.True(roles.Gpus);
        Assert.False(FrameworkRoles.Of(spec with { Pods = [spec.Pods[1]] }, "svc-role").Gpus);
        Assert.Equal(["svc-role"], FrameworkRoles.Of(spec with { Pods = [spec.Pods[1]] }, "svc-role").Roles.ToArray());
        Assert.True(FrameworkRoles.IsPodRole("slave_public/svc-role", "slave_public", "svc-role"));
        Assert.False(FrameworkRoles.IsPodRole("slave_public/svc-rolf", "slave_public", "svc-role"));
        Assert.False(FrameworkRoles.IsPodRole("svc-role", "slave_public", "svc-role"));
        Assert.True(FrameworkRoles.IsPodRole("svc-role", "*", "svc-role"));
    }
}
