using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Tests.Emulator;

public sealed class AgentAttributesTests
{
    [Fact]
    public void Text_scalar_and_ranges_values_become_typed_attributes()
    {
        var attributes = AgentAttributes.TryParse("rack:r1; ssd:true;cores:8;weight:0.5;slots:[1-4,8-9];os/version:debian-12.5", out var error);

        Assert.Null(error);
        Assert.NotNull(attributes);
        Assert.Equal(["rack", "ssd", "cores", "weight", "slots", "os/version"], attributes.Select(a => a.Name));
        Assert.Equal(Value.Types.Type.Text, attributes[0].Type);
        Assert.Equal("r1", attributes[0].Text.Value);
        Assert.Equal("true", attributes[1].Text.Value);
        Assert.Equal(Value.Types.Type.Scalar, attributes[2].Type);
        Assert.Equal(8, attributes[2].Scalar.Value);
        Assert.Equal(0.5, attributes[3].Scalar.Value);
        Assert.Equal(Value.Types.Type.Ranges, attributes[4].Type);
        Assert.Equal([(1UL, 4UL), (8UL, 9UL)], attributes[4].Ranges.Range.Select(r => (r.Begin, r.End)));
        Assert.Equal("debian-12.5", attributes[5].Text.Value);
        Assert.Equal("rack:r1;ssd:true;cores:8;weight:0.5;slots:[1-4,8-9];os/version:debian-12.5", AttributeText.Of(attributes));
    }

    [Fact]
    public void Empty_text_and_trailing_separators_give_no_attributes_or_are_ignored()
    {
        Assert.Empty(AgentAttributes.TryParse("", out _)!);
        Assert.Single(AgentAttributes.TryParse("rack:r1;", out _)!);
    }

    [Theory]
    [InlineData("rack", "'rack' is not name:value")]
    [InlineData("rack:", "attribute 'rack' has no value")]
    [InlineData(":r1", "attribute name '' must be non-empty")]
    [InlineData("my rack:r1", "attribute name 'my rack' must be non-empty and use only a-z A-Z 0-9 _ / . -")]
    [InlineData("rack:r1;rack:r2", "attribute 'rack' is given twice")]
    [InlineData("disks:{a,b}", "set values such as {a,b} are not allowed for agent attributes")]
    [InlineData("slots:[4-1]", "attribute 'slots': '[4-1]' is not ranges such as [1-4,8-9]")]
    [InlineData("slots:[1-x]", "is not ranges")]
    [InlineData("slots:[1-4", "is not ranges")]
    [InlineData("rack:r1:a", "text value 'r1:a' may use only a-z A-Z 0-9 _ / . -")]
    [InlineData("rack:a,b", "text value 'a,b' may use only")]
    public void Bad_text_is_one_clear_error(string text, string expected)
    {
        Assert.Null(AgentAttributes.TryParse(text, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Placeholders_vary_attributes_per_agent()
    {
        var template = "rack:rack-{index%2};node:{index};zone:{zone};dc:{region}";

        var third = AgentAttributes.TryParseTemplate(template, 2, "zone-3", "eu", out var error);

        Assert.Null(error);
        Assert.Equal("rack:rack-0;node:2;zone:zone-3;dc:eu", AttributeText.Of(third!));
        Assert.Equal("rack:rack-1;node:7;zone:zone-1;dc:eu", AttributeText.Of(AgentAttributes.TryParseTemplate(template, 7, "zone-1", "eu", out _)!));
    }

    [Theory]
    [InlineData("zone:{zone}", "{zone} needs agents with fault domains (--zones N)")]
    [InlineData("rack:{index%0}", "{index%0}: the modulus must be a whole number of at least 1")]
    [InlineData("rack:{index%x}", "{index%x}: the modulus must be a whole number of at least 1")]
    [InlineData("rack:r-{host}", "'r-{host}' has an unknown placeholder; use {index}, {index%N}, {zone} or {region}")]
    public void Bad_placeholders_are_one_clear_error(string template, string expected)
    {
        Assert.Null(AgentAttributes.TryParseTemplate(template, 0, zone: null, region: null, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "127.0.0.1")]
    [InlineData(249, "127.0.0.250")]
    [InlineData(250, "127.0.1.1")]
    [InlineData(9999, "127.0.39.250")]
    [InlineData(64000, "127.1.0.1")]
    public void Agent_slots_map_to_distinct_loopback_hostnames_and_back(int slot, string hostname)
    {
        Assert.Equal(hostname, AgentSlots.HostnameOf(slot));
        Assert.Equal(slot, AgentSlots.SlotOf(hostname));
    }

    [Fact]
    public void Hostnames_that_are_no_agent_slot_have_none()
    {
        Assert.Null(AgentSlots.SlotOf("127.0.0.0"));
        Assert.Null(AgentSlots.SlotOf("127.0.0.251"));
        Assert.Null(AgentSlots.SlotOf("10.0.0.1"));
        Assert.Null(AgentSlots.SlotOf("agent-1.local"));
    }
}
