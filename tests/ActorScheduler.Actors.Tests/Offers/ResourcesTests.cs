using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class ResourcesTests
{
    private static readonly ReservationContext Framework1 = new("svc-role", "svc-principal", "framework-1");
    private static readonly ReservationContext Framework2 = new("other-role", "other-principal", "framework-2");

    private static Dictionary<string, string> Labels(Resource r) =>
        r.Reservations.Single().Labels.Labels_.ToDictionary(l => l.Key, l => l.Value);

    [Fact]
    public void Each_reservation_carries_its_own_id_and_its_framework_owner_and_role_whatever_was_reserved_before()
    {
        // Interleaved frameworks and owners, as concurrent services and a pod's executor and resource sets reserve.
        var made = new List<(Resource Resource, ReservationContext Context, string Owner)>();
        foreach (var (context, owner) in new[]
        {
            (Framework1, "hello-0-server"), (Framework1, "hello-0-server"), (Framework1, Resources.ExecutorOwner),
            (Framework1, "hello-0-server"), (Framework2, "hello-0-server"), (Framework1, "hello-1-server"),
            (Framework2, Resources.ExecutorOwner), (Framework1, Resources.ExecutorOwner),
        })
        {
            made.Add((Resources.Reserved("cpus", 0.5, context, owner), context, owner));
        }

        made.Add((Resources.ReservedPort(8080, "http", Framework2, "web-0-server"), Framework2, "web-0-server"));
        foreach (var (resource, context, owner) in made)
        {
            var labels = Labels(resource);
            Assert.Equal(context.FrameworkId, labels[Resources.FrameworkIdLabel]);
            Assert.Equal(owner, labels[Resources.OwnerLabel]);
            Assert.Equal(context.Role, resource.AllocationInfo.Role);
            Assert.Equal(context.Role, resource.Reservations.Single().Role);
            Assert.Equal(context.Principal, resource.Reservations.Single().Principal);
        }

        Assert.Equal(made.Count, made.Select(m => Resources.ResourceId(m.Resource)).Distinct().Count());
        Assert.Equal("http", Resources.PortName(made[^1].Resource));
    }
}
