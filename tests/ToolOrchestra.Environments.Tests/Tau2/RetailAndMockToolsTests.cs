using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class RetailAndMockToolsTests
{
    private static Tau2Message Call(Tau2Environment env, string name, JsonObject args, string requestor = Tau2Roles.Assistant) =>
        env.Execute(new Tau2ToolCall("c", name, args, requestor));

    [Fact]
    public void Modified_items_all_take_the_last_new_variants_price_and_the_gift_card_is_rounded()
    {
        // #W6779827: a pending order of several items paid by gift card
        var env = Tau2TestData.Domain("retail").CreateEnvironment();
        var order = JsonNode.Parse(Call(env, "get_order_details", new JsonObject { ["order_id"] = "#W6779827" }).Content!)!;
        order["status"]!.GetValue<string>().Should().Be("pending");
        var items = order["items"]!.AsArray();
        items.Count.Should().BeGreaterThan(1);
        string OtherVariant(JsonNode item)
        {
            var product = JsonNode.Parse(Call(env, "get_product_details", new JsonObject { ["product_id"] = item["product_id"]!.GetValue<string>() }).Content!)!;
            return product["variants"]!.AsObject().First(v => v.Key != item["item_id"]!.GetValue<string>() && v.Value!["available"]!.GetValue<bool>()).Key;
        }
        var newIds = items.Take(2).Select(i => OtherVariant(i!)).ToList();
        var method = order["payment_history"]![0]!["payment_method_id"]!.GetValue<string>();

        var result = Call(env, "modify_pending_order_items", new JsonObject
        {
            ["order_id"] = "#W6779827",
            ["item_ids"] = new JsonArray(items.Take(2).Select(i => (JsonNode?)i!["item_id"]!.GetValue<string>()).ToArray()),
            ["new_item_ids"] = new JsonArray(newIds.Select(i => (JsonNode?)i).ToArray()),
            ["payment_method_id"] = method,
        });

        result.Error.Should().BeFalse(result.Content);
        var modified = JsonNode.Parse(result.Content!)!;
        modified["status"]!.GetValue<string>().Should().Be("pending (item modified)");
        var lastVariantPrice = JsonNode.Parse(Call(env, "get_item_details", new JsonObject { ["item_id"] = newIds[1] }).Content!)!["price"]!.GetValue<double>();
        modified["items"]![0]!["price"]!.GetValue<double>().Should().Be(lastVariantPrice, "upstream applies the last variant's price to every modified item");
        modified["items"]![1]!["price"]!.GetValue<double>().Should().Be(lastVariantPrice);
        modified["payment_history"]!.AsArray().Count.Should().Be(2, "a payment or refund entry is appended");
    }

    [Fact]
    public void Product_types_are_a_sorted_json_string()
    {
        var env = Tau2TestData.Domain("retail").CreateEnvironment();
        var text = Call(env, "list_all_product_types", []).Content!;
        var names = JsonNode.Parse(text)!.AsObject().Select(p => p.Key).ToList();
        names.Should().HaveCount(50).And.BeInAscendingOrder(StringComparer.Ordinal);
        Call(env, "find_user_id_by_email", new JsonObject { ["email"] = "NOAH.BROWN7922@example.com" }).Content.Should().Be("noah_brown_6181");
    }

    [Fact]
    public void Mock_tasks_get_sequential_ids_and_user_tools_run_on_the_user_database()
    {
        var env = Tau2TestData.Domain("mock").CreateEnvironment();
        Call(env, "create_task", new JsonObject { ["user_id"] = "user_1", ["title"] = "A" }).Content
            .Should().Be("{\"task_id\": \"task_2\", \"title\": \"A\", \"description\": null, \"status\": \"pending\"}");
        Call(env, "check_notifications", [], Tau2Roles.User).Content.Should().Contain("\"status\": \"unread\"");
        Call(env, "dismiss_notification", new JsonObject { ["notification_id"] = "notif_1" }, Tau2Roles.User).Content.Should().Be("Notification notif_1 dismissed");
        Call(env, "dismiss_notification", new JsonObject { ["notification_id"] = "notif_1" }).Content
            .Should().Be("Error: Tool 'dismiss_notification' not found.", "the agent cannot call the user's tools");
    }
}
