using System.Collections.Immutable;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Pods;
using ActorScheduler.Specs;

namespace ActorScheduler.Actors.Tests.Pods;

public sealed class ServiceEndpointsTests
{
    private static readonly Specs.Model.ServiceSpec Spec = ServiceSpecLoader.LoadRendered("""
        name: shop
        pods:
          web:
            count: 2
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
                ports:
                  http:
                    port: 0
                    advertise: true
                    vip:
                      prefix: web
                      port: 80
                  admin:
                    port: 0
                    advertise: true
                  metrics:
                    port: 0
        """, "svc.yml").Spec!;

    private static PodTaskInfo Task(int index, uint http, uint admin, TaskState? state)
    {
        var ports = new Ports();
        ports.Ports_.Add(new Port { Name = "http", Number = http, Visibility = DiscoveryInfo.Types.Visibility.External });
        ports.Ports_.Add(new Port { Name = "admin", Number = admin, Visibility = DiscoveryInfo.Types.Visibility.External });
        ports.Ports_.Add(new Port { Name = "metrics", Number = 9000, Visibility = DiscoveryInfo.Types.Visibility.Cluster });
        var info = new TaskInfo
        {
            Name = $"web-{index}-server",
            TaskId = new TaskID { Value = $"web-{index}-server__1" },
            AgentId = new AgentID { Value = "a" },
            Discovery = new DiscoveryInfo { Name = $"web-{index}-server", Visibility = DiscoveryInfo.Types.Visibility.Cluster, Ports = ports },
        };
        return new PodTaskInfo(info, state is { } s ? new TaskStatus { TaskId = info.TaskId, State = s } : null);
    }

    [Fact]
    public void Advertised_ports_of_live_tasks_are_endpoints_with_addresses_dns_names_and_vips()
    {
        var endpoints = ServiceEndpoints.From(Spec, [
            new PodInstanceInfo("web-0", [Task(0, 31001, 31002, TaskState.TaskRunning)], "10.0.0.1"),
            new PodInstanceInfo("web-1", [Task(1, 31005, 31006, null)], "10.0.0.2"),
        ]);

        Assert.Equal<string>(["admin", "http"], endpoints.Select(e => e.Name));
        var http = endpoints.Single(e => e.Name == "http");
        Assert.Equal<string>(["10.0.0.1:31001", "10.0.0.2:31005"], http.Address);
        Assert.Equal<string>(["web-0-server.shop.autoip.dcos.thisdcos.directory:31001", "web-1-server.shop.autoip.dcos.thisdcos.directory:31005"], http.Dns);
        Assert.Equal("web.shop.l4lb.thisdcos.directory:80", http.Vip);
        Assert.Null(endpoints.Single(e => e.Name == "admin").Vip);
    }

    [Fact]
    public void Ended_tasks_serve_nothing()
    {
        var endpoints = ServiceEndpoints.From(Spec, [new PodInstanceInfo("web-0", [Task(0, 31001, 31002, TaskState.TaskFailed)], "10.0.0.1")]);

        Assert.Empty(endpoints);
    }
}
