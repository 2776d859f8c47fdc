using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class TelecomTests
{
    private static Tau2Environment UserJohn()
    {
        var env = Tau2TestData.Domain("telecom").CreateEnvironment();
        env.RunEnvFunctionCall(new EnvFunctionCall(Tau2Roles.User, "set_user_info", new JsonObject { ["name"] = "John Smith", ["phone_number"] = "555-123-2002" }));
        return env;
    }

    private static string Call(Tau2Environment env, string name, JsonObject args, string requestor) =>
        env.Execute(new Tau2ToolCall("c", name, args, requestor)).Content!;

    [Fact]
    public void Phone_physics_follow_upstream()
    {
        var env = UserJohn();
        Call(env, "check_status_bar", [], Tau2Roles.User).Should().Be("Status Bar: 📶³ Good | 5G | 📱 Data Enabled | 🔋 80%");
        Call(env, "toggle_airplane_mode", [], Tau2Roles.User).Should().Be("Airplane Mode is now ON.\nStatus Bar: ✈️ Airplane Mode | 🔋 80%");
        Call(env, "run_speed_test", [], Tau2Roles.User).Should().Be("Speed test failed: No Connection.");
        Call(env, "toggle_airplane_mode", [], Tau2Roles.User);
        Call(env, "set_network_mode_preference", new JsonObject { ["mode"] = "3g_only" }, Tau2Roles.User)
            .Should().Be("Preferred Network Mode set to: 3g_only\nStatus Bar: 📶² Fair | 3G | 📱 Data Enabled | 🔋 80%");
        Call(env, "run_speed_test", [], Tau2Roles.User).Should().Be("Speed Test Result: 1.50 Mbps (Poor). Connection is slow. Web browsing may be sluggish, streaming difficult.");
        Call(env, "set_network_mode_preference", new JsonObject { ["mode"] = "5g_only" }, Tau2Roles.User)
            .Should().StartWith("Failed to set network mode: '5g_only' is not a valid option. Please use one of: 4g_5g_preferred, 4g_only, 3g_only, 2g_only");
    }

    [Fact]
    public void Sync_turns_an_agent_payment_request_into_a_phone_request_and_a_payment_into_a_paid_bill()
    {
        var env = UserJohn();
        Call(env, "check_payment_request", [], Tau2Roles.User).Should().Be("No payment request has been made.");
        Call(env, "send_payment_request", new JsonObject { ["customer_id"] = "C1001", ["bill_id"] = "B1002" }, Tau2Roles.Assistant)
            .Should().Be("Payment request sent to the customer for bill B1002");
        Call(env, "check_payment_request", [], Tau2Roles.User).Should().StartWith("You have a payment request for bill B1002 of ");
        Call(env, "make_payment", [], Tau2Roles.User).Should().StartWith("Payment of ");
        JsonNode.Parse(Call(env, "get_details_by_id", new JsonObject { ["id"] = "B1002" }, Tau2Roles.Assistant))!["status"]!.GetValue<string>().Should().Be("Paid");
        Call(env, "check_payment_request", [], Tau2Roles.User).Should().Be("No payment request has been made.");
    }

    [Fact]
    public void Plain_dict_results_have_their_numbers_turned_into_strings_and_dates_printed_by_python()
    {
        var env = UserJohn();
        Call(env, "get_data_usage", new JsonObject { ["customer_id"] = "C1001", ["line_id"] = "L1002" }, Tau2Roles.Assistant)
            .Should().Be("{\"line_id\": \"L1002\", \"data_used_gb\": \"8.7\", \"data_limit_gb\": \"15.0\", \"data_refueling_gb\": \"0.0\", \"cycle_end_date\": \"2025-02-28\"}");
        Call(env, "get_details_by_id", new JsonObject { ["id"] = "D1002" }, Tau2Roles.Assistant)
            .Should().Contain("\"activation_date\": \"2025-02-15 11:45:00\"");
    }

    /// <summary>upstream <c>test_tools_telecom.py::test_refuel_data</c>: the tool returns its charge as a float.</summary>
    [Fact]
    public void Refuel_data_returns_a_float_charge_and_the_new_refuel_total()
    {
        var env = Tau2TestData.Domain("telecom").CreateEnvironment();
        var line = JsonNode.Parse(Call(env, "get_details_by_id", new JsonObject { ["id"] = "L1001" }, Tau2Roles.Assistant))!;
        var initial = line["data_refueling_gb"]!.GetValue<double>();

        var result = env.AgentTools.UseTool("refuel_data", new JsonObject { ["customer_id"] = "C1001", ["line_id"] = "L1001", ["gb_amount"] = 2.0 })
            .Should().BeOfType<PyDict>().Subject;

        // P1001 has data_refueling_price_per_gb = 5.0
        result["charge"]!.GetValueKind().Should().Be(System.Text.Json.JsonValueKind.Number);
        result["charge"]!.GetValue<double>().Should().Be(10.0);
        result["new_data_refueling_gb"]!.GetValue<double>().Should().Be(initial + 2.0);
        result["message"]!.GetValue<string>().Should().Contain("Successfully added 2.0 GB of data");

        var notOwned = () => env.AgentTools.UseTool("refuel_data", new JsonObject { ["customer_id"] = "C1001", ["line_id"] = "L1004", ["gb_amount"] = 2.0 });
        notOwned.Should().Throw<ToolError>();
    }

    [Fact]
    public void A_refuel_tool_message_prints_the_dicts_numbers_as_python_strs_as_upstream_serializes_them()
    {
        var env = Tau2TestData.Domain("telecom").CreateEnvironment();
        Call(env, "refuel_data", new JsonObject { ["customer_id"] = "C1001", ["line_id"] = "L1001", ["gb_amount"] = 2 }, Tau2Roles.Assistant)
            .Should().Be("{\"message\": \"Successfully added 2 GB of data for line L1001 for $10.00\", \"new_data_refueling_gb\": \"2.0\", \"charge\": \"10.0\"}");
    }


    /// <summary>
    /// upstream's <c>break_vpn</c> degrades the default VPN details in place, so a later <c>connect_vpn</c> on the same
    /// phone is poor too; that must stay inside one environment, not leak into another simulation in the process.
    /// </summary>
    [Fact]
    public void Breaking_the_vpn_in_one_environment_leaves_another_environments_vpn_excellent()
    {
        var broken = UserJohn();
        var other = UserJohn();
        broken.RunEnvFunctionCall(new EnvFunctionCall(Tau2Roles.User, "break_vpn", []));
        Call(broken, "disconnect_vpn", [], Tau2Roles.User);
        Call(broken, "connect_vpn", [], Tau2Roles.User);
        Call(broken, "check_vpn_status", [], Tau2Roles.User).Should().Contain("<PerformanceLevel.POOR: 'poor'>");

        Call(other, "connect_vpn", [], Tau2Roles.User).Should().StartWith("VPN connected successfully.");
        Call(other, "check_vpn_status", [], Tau2Roles.User).Should().Be(
            "VPN is ON and connected. Details: {'server_address': '192.168.1.1', 'protocol': 'OpenVPN', 'server_performance': <PerformanceLevel.EXCELLENT: 'excellent'>}");
        Call(broken, "check_status_bar", [], Tau2Roles.User).Should().Contain("🔒 VPN Connected");
        Call(other, "run_speed_test", [], Tau2Roles.User).Should().StartWith("Speed Test Result: 220.00 Mbps (Excellent)");
    }

    [Fact]
    public void Tool_lists_match_upstreams_counts()
    {
        var env = Tau2TestData.Domain("telecom").CreateEnvironment();
        env.AgentToolSchemas().Should().HaveCount(13);
        env.UserToolSchemas().Should().HaveCount(30);
        env.UserToolSchemas(["toggle_data"]).Should().ContainSingle();
    }
}
