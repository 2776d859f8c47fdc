using System.Text.Json.Nodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>Our OpenAI tool schemas against the ones generated from upstream's code (shared/data/tau2/derived).</summary>
public class ToolSchemaTests
{
    private static readonly JsonObject Derived = JsonNode.Parse(File.ReadAllText(SharedData.File("tau2", "derived", "tool_schemas.json")))!.AsObject();

    [Theory]
    [InlineData("airline", "agent_tools")]
    [InlineData("retail", "agent_tools")]
    [InlineData("telecom", "agent_tools")]
    [InlineData("telecom", "user_tools")]
    [InlineData("mock", "agent_tools")]
    [InlineData("mock", "user_tools")]
    public void Names_order_descriptions_and_parameters_match_upstream(string domain, string side)
    {
        var env = Tau2TestData.Domain(domain).CreateEnvironment();
        var ours = side == "agent_tools" ? env.AgentToolSchemas() : env.UserToolSchemas();
        var theirs = Derived[domain]![side]!.AsArray().Select(t => t!["function"]!.AsObject()).ToList();

        ours.Select(t => t["function"]!["name"]!.GetValue<string>()).Should().Equal(theirs.Select(t => t["name"]!.GetValue<string>()));
        foreach (var (mine, upstream) in ours.Select(t => t["function"]!.AsObject()).Zip(theirs))
        {
            var name = upstream["name"]!.GetValue<string>();
            mine["description"]!.GetValue<string>().Should().Be(upstream["description"]!.GetValue<string>(), name);
            var myProps = mine["parameters"]!["properties"]!.AsObject();
            var theirProps = upstream["parameters"]!["properties"]!.AsObject();
            myProps.Select(p => p.Key).Should().Equal(theirProps.Select(p => p.Key), name);
            var theirRequired = upstream["parameters"]!["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];
            mine["parameters"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().BeEquivalentTo(theirRequired, name);
            foreach (var (param, schema) in theirProps)
            {
                (myProps[param]!["description"]?.GetValue<string>()).Should().Be(schema!["description"]?.GetValue<string>(), $"{name}.{param}");
                if (schema["type"] is { } type) myProps[param]!["type"]!.GetValue<string>().Should().Be(type.GetValue<string>(), $"{name}.{param}");
                if (schema["enum"] is JsonArray values)
                    myProps[param]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()).Should().Equal(values.Select(v => v!.GetValue<string>()));
            }
        }
    }

    [Fact]
    public void Read_and_write_types_decide_replay()
    {
        var derived = Derived["airline"]!["agent_tool_mutates_state"]!.AsObject();
        var env = Tau2TestData.Domain("airline").CreateEnvironment();
        foreach (var (name, mutates) in derived) env.IsMutating(name).Should().Be(mutates!.GetValue<bool>(), name);
    }
}
