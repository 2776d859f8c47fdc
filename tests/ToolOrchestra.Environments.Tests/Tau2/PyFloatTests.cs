using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class PyFloatTests
{
    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(-226.11, "-226.11")]
    [InlineData(123456.789, "123456.789")]
    public void Repr_is_pythons_shortest_round_trip_text(double value, string expected) =>
        PyFloat.Repr(value).Should().Be(expected);

    [Theory]
    [InlineData(2.675, 2.67)] // binary 2.67499…: Python rounds down
    [InlineData(0.125, 0.12)] // exact tie: half to even
    [InlineData(0.375, 0.38)]
    [InlineData(1.005, 1.0)]
    [InlineData(-0.125, -0.12)]
    [InlineData(536.65 - 47.84, 488.81)]
    public void Round_is_pythons_correctly_rounded_half_even(double value, double expected) =>
        PyFloat.Round(value, 2).Should().Be(expected);

    [Theory]
    [InlineData(0.125, "0.12")]
    [InlineData(275.0, "275.00")]
    [InlineData(4.0, "4.00")]
    [InlineData(0.005, "0.01")] // 0.005 is slightly above 0.005 in binary
    public void Fixed_format_matches_python(double value, string expected) =>
        PyFloat.FormatFixed(value, 2).Should().Be(expected);

    [Fact]
    public void Json_dump_keeps_int_float_distinction_escapes_non_ascii_and_sorts_keys()
    {
        var node = JsonNode.Parse("""{"b": 2.0, "a": [1, 1.5, "é✈️", null, true], "c": "q\"\n"}""");
        PyJson.Dumps(node).Should().Be("{\"b\": 2.0, \"a\": [1, 1.5, \"\\u00e9\\u2708\\ufe0f\", null, true], \"c\": \"q\\\"\\n\"}");
        PyJson.Dumps(node, sortKeys: true).Should().StartWith("{\"a\": [");
    }

    [Fact]
    public void Python_equality_treats_ints_and_floats_alike_but_not_strings()
    {
        Py.Equal(JsonNode.Parse("{\"x\": [1, 2]}"), JsonNode.Parse("{\"x\": [1.0, 2]}")).Should().BeTrue();
        Py.Equal(JsonNode.Parse("{\"x\": \"1\"}"), JsonNode.Parse("{\"x\": 1}")).Should().BeFalse();
        Py.Equal(JsonNode.Parse("[1, 2]"), JsonNode.Parse("[2, 1]")).Should().BeFalse();
    }
}
