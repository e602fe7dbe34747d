namespace ActorScheduler.Simulation.Tests;

/// <summary>The resources a simulated agent starts with, static reservations included.</summary>
public sealed class AgentResourcesTests
{
    [Fact]
    public void Reserved_ports_are_taken_out_of_the_agents_unreserved_ports()
    {
        var resources = (AgentResources.Default with { Reserved = "ports(slave_public):[10000-10009]" }).ToResources();

        var unreserved = resources.Single(r => r.Name == "ports" && r.Reservations.Count == 0);
        Assert.Equal([(10010ul, 20000ul)], unreserved.Ranges.Range.Select(r => (r.Begin, r.End)));
        Assert.Equal("slave_public", resources.Single(r => r.Name == "ports" && r.Reservations.Count > 0).Reservations[0].Role);
    }

    [Fact]
    public void Reserved_ports_outside_the_agents_range_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => (AgentResources.Default with { Reserved = "ports(slave_public):[4000-4010]" }).ToResources());

        Assert.Equal("Agent reserved resources 'ports(slave_public):[4000-4010]': ports 4000-4010 reserved for 'slave_public' are outside the agents' ports 10000-20000", e.Message);
    }
}
