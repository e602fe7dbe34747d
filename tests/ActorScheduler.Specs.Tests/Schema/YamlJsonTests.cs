using System.Text.Json.Nodes;

namespace ActorScheduler.Specs.Tests.Schema;

/// <summary>The YAML → JSON conversion the schema tests rely on types plain scalars as a YAML 1.2 editor does.</summary>
public sealed class YamlJsonTests
{
    [Theory]
    [InlineData("3", "3")]
    [InlineData("-7", "-7")]
    [InlineData("+5", "5")]
    [InlineData("0x1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData("0.5", "0.5")]
    [InlineData("1e3", "1000")]
    [InlineData(".5", "0.5")]
    [InlineData("true", "true")]
    [InlineData("FALSE", "false")]
    [InlineData("~", "null")]
    [InlineData("null", "null")]
    [InlineData("", "null")]
    [InlineData("'3'", "\"3\"")]
    [InlineData("\"true\"", "\"true\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("tRue", "\"tRue\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("1.2.3", "\"1.2.3\"")]
    [InlineData("0x", "\"0x\"")]
    [InlineData("'{{COUNT}}'", "\"{{COUNT}}\"")]
    public void Plain_scalars_should_take_core_schema_types_and_quoted_ones_stay_strings(string yamlValue, string json)
    {
        var converted = YamlJson.Convert($"v: {yamlValue}")!["v"];

        Assert.Equal(json, converted?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Keys_should_be_strings_and_block_scalars_strings()
    {
        var converted = YamlJson.Convert("1: a\ntrue: |\n  42\nlist: [1, x, ~]\n")!;

        Assert.Equal("""{"1":"a","true":"42\n","list":[1,"x",null]}""", converted.ToJsonString());
    }

    [Fact]
    public void An_empty_text_should_be_no_document()
    {
        Assert.Null(YamlJson.Convert(""));
        Assert.IsType<JsonObject>(YamlJson.Convert("a: 1"));
    }
}
