using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>Database state and hashing match upstream's (hashes below were computed by upstream tau2-bench HEAD).</summary>
public class DatabaseTests
{
    [Theory]
    [InlineData("airline", "124e39a664b56402bcd09cb8a6a9cece6acb8462337c969799d5658e3250f263", null)]
    [InlineData("retail", "b25c9cb211f5efcaee5dd646054a73c4a9f43f4f5acc32c10713cd9f9ac20e9c", null)]
    [InlineData("telecom", "304cf5ef059852e117ea801ab9a5efc24c9713ec887679dc2e30acceb4b6742d", "e1f3a8637388808221228ff3f87294444e6b64caf721f5eb243a85d0a9380b28")]
    [InlineData("mock", "107f83a70b7bf4f616e283b0b0b8451346fe7681173398d4498a1ec15c5fdfc6", "4cf3d22eed6962ba202c8738421d8a2286d2b5a0cad1372922c928be09ccbfac")]
    public void Initial_database_hashes_equal_upstreams(string domain, string agentHash, string? userHash)
    {
        var env = Tau2TestData.Domain(domain).CreateEnvironment();
        env.AgentDbHash().Should().Be(agentHash);
        env.UserDbHash().Should().Be(userHash);
    }

    [Theory]
    [InlineData("airline", "8", "00766aa3e0341b497a623f93983c8d951b8d48ad541a15123a1e2b902e644a82", null)]
    [InlineData("airline", "14", "b4ea8effd45eee77a90b96a2b298a5dbe4e7d7fff9452c952f481f9a447facdf", null)]
    [InlineData("retail", "74", "49e0a1364ae7737e513303dd79e4d696fa3a8c1e224c8b027b355236ab98becb", null)]
    [InlineData("telecom", "[mobile_data_issue]airplane_mode_on|bad_network_preference|data_mode_off|data_saver_mode_on[PERSONA:Hard]",
        "304cf5ef059852e117ea801ab9a5efc24c9713ec887679dc2e30acceb4b6742d", "65e1838b2dc6410394b9fbc80327c3625fb90ba2c4a1b2ae5ef5e2e6e19ecc32")]
    public void Gold_actions_leave_the_same_database_as_upstream(string domain, string taskId, string agentHash, string? userHash)
    {
        var d = Tau2TestData.Domain(domain);
        var task = Tau2TestData.Tasks(domain).Get(taskId);
        var env = d.CreateEnvironment();
        env.SetState(task.InitialState, task.InitialState?.MessageHistory ?? []);
        foreach (var action in task.EvaluationCriteria!.Actions!) env.MakeToolCall(action.Name, action.Arguments, action.Requestor);
        env.AgentDbHash().Should().Be(agentHash);
        env.UserDbHash().Should().Be(userHash);
    }

    [Fact]
    public void Environments_from_one_domain_do_not_see_each_others_writes()
    {
        var d = Tau2TestData.Domain("airline");
        var before = d.CreateEnvironment().AgentDbHash();
        var a = d.CreateEnvironment();
        var b = d.CreateEnvironment();
        a.Execute(new Tau2ToolCall("1", "cancel_reservation", new JsonObject { ["reservation_id"] = "4WQ150" })).Error.Should().BeFalse();

        b.Execute(new Tau2ToolCall("2", "get_reservation_details", new JsonObject { ["reservation_id"] = "4WQ150" })).Content.Should().Contain("\"status\": null");
        a.CompareDatabases(b).AgentMatch.Should().BeFalse();
        b.CompareDatabases(d.CreateEnvironment()).AgentMatch.Should().BeTrue();
        d.CreateEnvironment().AgentDbHash().Should().Be(before, "the shared snapshot is never written");
    }

    [Fact]
    public void An_extra_no_op_write_still_changes_the_database()
    {
        var d = Tau2TestData.Domain("airline");
        var a = d.CreateEnvironment();
        // a baggage update with the same counts appends nothing, but rewrites nothing either: states stay equal
        a.Execute(new Tau2ToolCall("1", "update_reservation_baggages", new JsonObject
        {
            ["reservation_id"] = "4WQ150", ["total_baggages"] = 5, ["nonfree_baggages"] = 0, ["payment_id"] = "gift_card_3576581",
        })).Error.Should().BeFalse();
        a.CompareDatabases(d.CreateEnvironment()).AgentMatch.Should().BeTrue();
        // the same counts sent as floats are stored as floats (unvalidated assignment upstream) and hash differently
        a.Execute(new Tau2ToolCall("2", "update_reservation_baggages", new JsonObject
        {
            ["reservation_id"] = "4WQ150", ["total_baggages"] = 5.0, ["nonfree_baggages"] = 0, ["payment_id"] = "gift_card_3576581",
        })).Error.Should().BeFalse();
        a.CompareDatabases(d.CreateEnvironment()).AgentMatch.Should().BeFalse();
    }
}
