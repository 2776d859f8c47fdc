using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;

namespace ToolOrchestra.Environments.Tau2.Retail;

/// <summary>
/// The retail agent tools (upstream RetailTools), rule by rule, including upstream's quirks: gift-card balances
/// rounded to 2 dp after each change, a payment entry appended even for a zero price difference, and every modified
/// item taking the price and options of the last new variant processed.
/// </summary>
public sealed class RetailTools(Database db) : Toolkit("RetailTools", db, Catalog)
{
    private const string OrderIdDescription = "The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id.";
    private const string PaymentMethodDescription = "The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details.";
    private static readonly JsonObject StringItems = new() { ["type"] = "string" };

    private static ToolParameter[] AddressParameters(ToolParameter first) =>
    [
        first,
        P.Str("address1", "The first line of the address, such as '123 Main St'."),
        P.Str("address2", "The second line of the address, such as 'Apt 1' or ''."),
        P.Str("city", "The city, such as 'San Francisco'."),
        P.Str("state", "The state, such as 'CA'."),
        P.Str("country", "The country, such as 'USA'."),
        P.Str("zip", "The zip code, such as '12345'."),
    ];

    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<RetailTools>()
        .Tool("calculate", ToolType.Generic, Descriptions.Calculate,
            (_, a) => Calculator.Calculate(a.Str("expression") ?? throw new ToolError($"'{Py.TypeName(a["expression"])}' object is not iterable")),
            P.Str("expression", Descriptions.CalculateExpression))
        .Tool("cancel_pending_order", ToolType.Write,
            "Cancel a pending order. If the order is already processed or delivered,\n\nit cannot be cancelled. The agent needs to explain the cancellation detail\nand ask for explicit user confirmation (yes/no) to proceed. If the user confirms,\nthe order status will be changed to 'cancelled' and the payment will be refunded.\nThe refund will be added to the user's gift card balance immediately if the payment\nwas made using a gift card, otherwise the refund would take 5-7 business days to process.\nThe function returns the order details after the cancellation.",
            (t, a) => t.CancelPendingOrder(a),
            P.Str("order_id", OrderIdDescription),
            P.Str("reason", "The reason for cancellation, which should be either 'no longer needed' or 'ordered by mistake'."))
        .Tool("exchange_delivered_order_items", ToolType.Write,
            "Exchange items in a delivered order to new items of the same product type.\n\nFor a delivered order, return or exchange can be only done once by the agent.\nThe agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.",
            (t, a) => t.ExchangeDeliveredOrderItems(a),
            P.Str("order_id", OrderIdDescription),
            P.Array("item_ids", "The item ids to be exchanged, each such as '1008292230'. There could be duplicate items in the list.", StringItems),
            P.Array("new_item_ids", "The item ids to be exchanged for, each such as '1008292230'.\nThere could be duplicate items in the list. Each new item id should match the item id\nin the same position and be of the same product.", StringItems),
            P.Str("payment_method_id", "The payment method id to pay or receive refund for the item price difference,\nsuch as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up\nfrom the user or order details."))
        .Tool("find_user_id_by_name_zip", ToolType.Read,
            "Find user id by first name, last name, and zip code. If the user is not found, the function\n\nwill return an error message. By default, find user id by email, and only call this function\nif the user is not found by email or cannot remember email.",
            (t, a) => t.FindUserIdByNameZip(a),
            P.Str("first_name", "The first name of the customer, such as 'John'."),
            P.Str("last_name", "The last name of the customer, such as 'Doe'."),
            P.Str("zip", "The zip code of the customer, such as '12345'."))
        .Tool("find_user_id_by_email", ToolType.Read,
            "Find user id by email. If the user is not found, the function will return an error message.",
            (t, a) => t.FindUserIdByEmail(a),
            P.Str("email", "The email of the user, such as 'something@example.com'."))
        .Tool("get_order_details", ToolType.Read, "Get the status and details of an order.",
            (t, a) => Py.Clone(t.Order(a["order_id"])),
            P.Str("order_id", OrderIdDescription))
        .Tool("get_product_details", ToolType.Read, "Get the inventory details of a product.",
            (t, a) => Py.Clone(t.Product(a["product_id"])),
            P.Str("product_id", "The product id, such as '6086499569'. Be careful the product id is different from the item id."))
        .Tool("get_item_details", ToolType.Read, "Get the inventory details of an item.",
            (t, a) => Py.Clone(t.Item(a["item_id"])),
            P.Str("item_id", "The item id, such as '6086499569'. Be careful the item id is different from the product id."))
        .Tool("get_user_details", ToolType.Read, "Get the details of a user, including their orders.",
            (t, a) => Py.Clone(t.Data.Get("users", t.UserKey(a["user_id"]))),
            P.Str("user_id", "The user id, such as 'sara_doe_496'."))
        .Tool("list_all_product_types", ToolType.Read,
            "List the name and product id of all product types.\n\nEach product type has a variety of different items with unique item ids and options.\nThere are only 50 product types in the store.",
            (t, _) => t.ListAllProductTypes())
        .Tool("modify_pending_order_address", ToolType.Write,
            "Modify the shipping address of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
            (t, a) => t.ModifyPendingOrderAddress(a),
            AddressParameters(P.Str("order_id", OrderIdDescription)))
        .Tool("modify_pending_order_items", ToolType.Write,
            "Modify items in a pending order to new items of the same product type. For a pending order, this function can only be called once. The agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.",
            (t, a) => t.ModifyPendingOrderItems(a),
            P.Str("order_id", OrderIdDescription),
            P.Array("item_ids", "The item ids to be modified, each such as '1008292230'. There could be duplicate items in the list.", StringItems),
            P.Array("new_item_ids", "The item ids to be modified for, each such as '1008292230'. There could be duplicate items in the list. Each new item id should match the item id in the same position and be of the same product.", StringItems),
            P.Str("payment_method_id", PaymentMethodDescription))
        .Tool("modify_pending_order_payment", ToolType.Write,
            "Modify the payment method of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
            (t, a) => t.ModifyPendingOrderPayment(a),
            P.Str("order_id", OrderIdDescription),
            P.Str("payment_method_id", PaymentMethodDescription))
        .Tool("modify_user_address", ToolType.Write,
            "Modify the default address of a user. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
            (t, a) => t.ModifyUserAddress(a),
            AddressParameters(P.Str("user_id", "The user id, such as 'sara_doe_496'.")))
        .Tool("return_delivered_order_items", ToolType.Write,
            "Return some items of a delivered order.\n\nThe order status will be changed to 'return requested'.\nThe agent needs to explain the return detail and ask for explicit user confirmation (yes/no) to proceed.\nThe user will receive follow-up email for how and where to return the item.",
            (t, a) => t.ReturnDeliveredOrderItems(a),
            P.Str("order_id", OrderIdDescription),
            P.Array("item_ids", "The item ids to be returned, each such as '1008292230'. There could be duplicate items in the list.", StringItems),
            P.Str("payment_method_id", "The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'.\nThese can be looked up from the user or order details."))
        .Tool("transfer_to_human_agents", ToolType.Generic, Descriptions.TransferToHumanAgents, (_, _) => "Transfer successful",
            P.Str("summary", "A summary of the user's issue."))
        .Build();

    private Database Data => Db!;

    // ---- lookups (upstream _get_*) ----

    private string OrderKey(JsonNode? orderId) =>
        Py.Str(orderId) is { } id && Data.Contains("orders", id) ? id : throw new ToolError("Order not found");

    private JsonObject Order(JsonNode? orderId) => Data.Get("orders", OrderKey(orderId))!;

    private string UserKey(JsonNode? userId) =>
        Py.Str(userId) is { } id && Data.Contains("users", id) ? id : throw new ToolError("User not found");

    private JsonObject Product(JsonNode? productId) =>
        Py.Str(productId) is { } id && Data.Get("products", id) is { } p ? p : throw new ToolError("Product not found");

    private JsonObject Item(JsonNode? itemId)
    {
        if (Py.Str(itemId) is { } id)
            foreach (var (_, product) in Data.Records("products"))
                if (product["variants"]![id] is JsonObject variant) return variant;
        throw new ToolError("Item not found");
    }

    private JsonObject Variant(JsonNode? productId, JsonNode? variantId) =>
        Py.Str(variantId) is { } id && Product(productId)["variants"]![id] is JsonObject v ? v : throw new ToolError("Variant not found");

    /// <summary>The payment method (read-only) and its key.</summary>
    private (string UserId, string Id, JsonObject Method) PaymentMethod(JsonNode? userId, JsonNode? paymentMethodId)
    {
        var user = UserKey(userId);
        var methods = (JsonObject)Data.Get("users", user)!["payment_methods"]!;
        if (Py.Str(paymentMethodId) is { } id && methods[id] is JsonObject method) return (user, id, method);
        throw new ToolError("Payment method not found");
    }

    private static bool IsGiftCard(JsonObject method) => method["source"]!.GetValue<string>() == "gift_card";

    /// <summary>Adds <paramref name="delta"/> to a gift card's balance, then rounds it to 2 dp (upstream does both).</summary>
    private void AdjustGiftCard(string userId, string methodId, double delta)
    {
        var method = (JsonObject)((JsonObject)Data.Edit("users", userId)["payment_methods"]!)[methodId]!;
        method["balance"] = Py.Float(PyFloat.Round(Py.Num(method["balance"]) + delta, 2));
    }

    private static List<JsonNode?> ItemIds(JsonObject order) => ((JsonArray)order["items"]!).Select(i => i!["item_id"]).ToList();

    private static int Count(List<JsonNode?> list, JsonNode? value) => list.Count(v => Py.Equal(v, value));

    /// <summary>Python <c>sorted()</c> of the ids (strings sort by code point).</summary>
    private static JsonArray Sorted(List<JsonNode?> ids)
    {
        if (ids.Any(i => !Py.IsStr(i)) && ids.Select(Py.TypeName).Distinct().Count() > 1)
            throw new ToolError($"'<' not supported between instances of '{Py.TypeName(ids.First(i => !Py.IsStr(i)))}' and 'str'");
        return new JsonArray(ids.OrderBy(i => Py.ToStr(i), StringComparer.Ordinal).Select(Py.Clone).ToArray());
    }

    // ---- tools ----

    private JsonNode CancelPendingOrder(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        var order = Data.Get("orders", orderId)!;
        if (order["status"]!.GetValue<string>() != "pending") throw new ToolError("Non-pending order cannot be cancelled");
        if (a.Str("reason") is not ("no longer needed" or "ordered by mistake")) throw new ToolError("Invalid reason");
        var refunds = new List<JsonObject>();
        foreach (var payment in (JsonArray)order["payment_history"]!)
        {
            var methodId = payment!["payment_method_id"];
            refunds.Add(new JsonObject
            {
                ["transaction_type"] = "refund",
                ["amount"] = Py.Float(Py.Num(payment["amount"])),
                ["payment_method_id"] = Py.Clone(methodId),
            });
            var (userId, id, method) = PaymentMethod(order["user_id"], methodId);
            if (IsGiftCard(method)) AdjustGiftCard(userId, id, Py.Num(payment["amount"]));
        }
        var edited = Data.Edit("orders", orderId);
        edited["status"] = "cancelled";
        edited["cancel_reason"] = Py.Clone(a["reason"]);
        foreach (var refund in refunds) ((JsonArray)edited["payment_history"]!).Add(refund);
        return Py.Clone(edited)!;
    }

    private JsonNode ExchangeDeliveredOrderItems(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        var order = Data.Get("orders", orderId)!;
        if (order["status"]!.GetValue<string>() != "delivered") throw new ToolError("Non-delivered order cannot be exchanged");
        var itemIds = PyArgs.Iterate(a["item_ids"]);
        var newItemIds = PyArgs.Iterate(a["new_item_ids"]);
        var all = ItemIds(order);
        foreach (var id in itemIds)
            if (Count(itemIds, id) > Count(all, id)) throw new ToolError($"Number of {Py.ToStr(id)} not found.");
        if (itemIds.Count != newItemIds.Count) throw new ToolError("The number of items to be exchanged should match.");

        var diff = PyNum.Int(0);
        for (var i = 0; i < itemIds.Count; i++)
        {
            var item = ((JsonArray)order["items"]!).FirstOrDefault(it => Py.Equal(it!["item_id"], itemIds[i]))
                ?? throw new ToolError($"Item {Py.ToStr(itemIds[i])} not found");
            var variant = Variant(item["product_id"], newItemIds[i]);
            if (!variant["available"]!.GetValue<bool>()) throw new ToolError($"New item {Py.ToStr(newItemIds[i])} not found or available");
            diff += PyNum.Float(Py.Num(variant["price"]) - Py.Num(item["price"]));
        }
        if (diff.IsFloat) diff = PyNum.Float(PyFloat.Round(diff.Value, 2));

        var (_, _, method) = PaymentMethod(order["user_id"], a["payment_method_id"]);
        if (IsGiftCard(method) && Py.Num(method["balance"]) < diff.Value)
            throw new ToolError("Insufficient gift card balance to pay for the price difference");

        var edited = Data.Edit("orders", orderId);
        edited["status"] = "exchange requested";
        edited["exchange_items"] = Sorted(itemIds);
        edited["exchange_new_items"] = Sorted(newItemIds);
        edited["exchange_payment_method_id"] = Py.Clone(a["payment_method_id"]);
        edited["exchange_price_difference"] = diff.ToNode();
        return Py.Clone(edited)!;
    }

    private static string Lower(JsonNode? value) =>
        Py.Str(value)?.ToLowerInvariant() ?? throw new ToolError($"'{Py.TypeName(value)}' object has no attribute 'lower'");

    private string FindUserIdByNameZip(ToolArgs a)
    {
        var first = Lower(a["first_name"]);
        var last = Lower(a["last_name"]);
        foreach (var (id, user) in Data.Records("users"))
        {
            if (Lower(user["name"]!["first_name"]) == first && Lower(user["name"]!["last_name"]) == last
                && Py.Equal(user["address"]!["zip"], a["zip"]))
                return id;
        }
        throw new ToolError("User not found");
    }

    private string FindUserIdByEmail(ToolArgs a)
    {
        var email = Lower(a["email"]);
        foreach (var (id, user) in Data.Records("users"))
            if (Lower(user["email"]) == email) return id;
        throw new ToolError("User not found");
    }

    private string ListAllProductTypes()
    {
        var map = new JsonObject();
        foreach (var (_, product) in Data.Records("products")) map[product["name"]!.GetValue<string>()] = Py.Clone(product["product_id"]);
        return PyJson.Dumps(map, sortKeys: true);
    }

    private JsonObject Address(ToolArgs a) => ShapeValidator.Construct(RetailSchema.UserAddress, new JsonObject
    {
        ["address1"] = Py.Clone(a["address1"]),
        ["address2"] = Py.Clone(a["address2"]),
        ["city"] = Py.Clone(a["city"]),
        ["state"] = Py.Clone(a["state"]),
        ["country"] = Py.Clone(a["country"]),
        ["zip"] = Py.Clone(a["zip"]),
    });

    private JsonNode ModifyPendingOrderAddress(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        if (!Data.Get("orders", orderId)!["status"]!.GetValue<string>().Contains("pending"))
            throw new ToolError("Non-pending order cannot be modified");
        var address = Address(a);
        var edited = Data.Edit("orders", orderId);
        edited["address"] = address;
        return Py.Clone(edited)!;
    }

    private JsonNode ModifyPendingOrderItems(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        var order = Data.Get("orders", orderId)!;
        if (order["status"]!.GetValue<string>() != "pending") throw new ToolError("Non-pending order cannot be modified");
        var itemIds = PyArgs.Iterate(a["item_ids"]);
        var newItemIds = PyArgs.Iterate(a["new_item_ids"]);
        var all = ItemIds(order);
        foreach (var id in itemIds)
            if (Count(itemIds, id) > Count(all, id)) throw new ToolError($"{Py.ToStr(id)} not found");
        if (itemIds.Count != newItemIds.Count) throw new ToolError("The number of items to be exchanged should match");

        var diff = PyNum.Int(0);
        JsonObject? variant = null;
        for (var i = 0; i < itemIds.Count; i++)
        {
            if (Py.Equal(itemIds[i], newItemIds[i])) throw new ToolError("The new item id should be different from the old item id");
            var item = ((JsonArray)order["items"]!).FirstOrDefault(it => Py.Equal(it!["item_id"], itemIds[i]))
                ?? throw new ToolError($"Item {Py.ToStr(itemIds[i])} not found");
            variant = Variant(item["product_id"], newItemIds[i]);
            if (!variant["available"]!.GetValue<bool>()) throw new ToolError($"New item {Py.ToStr(newItemIds[i])} not found or available");
            diff += PyNum.Float(Py.Num(variant["price"]) - Py.Num(item["price"]));
        }

        var (userId, methodId, method) = PaymentMethod(order["user_id"], a["payment_method_id"]);
        if (IsGiftCard(method) && Py.Num(method["balance"]) < diff.Value)
            throw new ToolError("Insufficient gift card balance to pay for the new item");

        var edited = Data.Edit("orders", orderId);
        ((JsonArray)edited["payment_history"]!).Add(new JsonObject
        {
            ["transaction_type"] = diff.Value > 0 ? "payment" : "refund",
            ["amount"] = Py.Float(Math.Abs(diff.Value)),
            ["payment_method_id"] = methodId,
        });
        if (IsGiftCard(method)) AdjustGiftCard(userId, methodId, -diff.Value);

        var items = (JsonArray)edited["items"]!;
        for (var i = 0; i < itemIds.Count; i++)
        {
            var item = (JsonObject?)items.FirstOrDefault(it => Py.Equal(it!["item_id"], itemIds[i]))
                ?? throw new ToolError($"Item {Py.ToStr(itemIds[i])} not found");
            item["item_id"] = Py.Clone(newItemIds[i]);
            item["price"] = Py.Clone(variant!["price"]); // the last variant of the loop above: upstream quirk
            item["options"] = Py.Clone(variant["options"]);
        }
        edited["status"] = "pending (item modified)";
        return Py.Clone(edited)!;
    }

    private JsonNode ModifyPendingOrderPayment(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        var order = Data.Get("orders", orderId)!;
        if (!order["status"]!.GetValue<string>().Contains("pending")) throw new ToolError("Non-pending order cannot be modified");
        var (userId, methodId, method) = PaymentMethod(order["user_id"], a["payment_method_id"]);
        var history = (JsonArray)order["payment_history"]!;
        if (history.Count != 1 || history[0]!["transaction_type"]!.GetValue<string>() != "payment")
            throw new ToolError("There should be exactly one payment for a pending order");
        var oldMethodId = history[0]!["payment_method_id"]!.GetValue<string>();
        if (oldMethodId == methodId) throw new ToolError("The new payment method should be different from the current one");
        var amount = Py.Num(history[0]!["amount"]);
        if (IsGiftCard(method) && Py.Num(method["balance"]) < amount) throw new ToolError("Insufficient gift card balance to pay for the order");

        var edited = Data.Edit("orders", orderId);
        var editedHistory = (JsonArray)edited["payment_history"]!;
        editedHistory.Add(new JsonObject { ["transaction_type"] = "payment", ["amount"] = amount, ["payment_method_id"] = methodId });
        editedHistory.Add(new JsonObject { ["transaction_type"] = "refund", ["amount"] = amount, ["payment_method_id"] = oldMethodId });
        if (IsGiftCard(method)) AdjustGiftCard(userId, methodId, -amount);
        var (oldUserId, _, oldMethod) = PaymentMethod(edited["user_id"], history[0]!["payment_method_id"]);
        if (IsGiftCard(oldMethod)) AdjustGiftCard(oldUserId, oldMethodId, amount);
        return Py.Clone(edited)!;
    }

    private JsonNode ModifyUserAddress(ToolArgs a)
    {
        var userId = UserKey(a["user_id"]);
        var address = Address(a);
        var user = Data.Edit("users", userId);
        user["address"] = address;
        return Py.Clone(user)!;
    }

    private JsonNode ReturnDeliveredOrderItems(ToolArgs a)
    {
        var orderId = OrderKey(a["order_id"]);
        var order = Data.Get("orders", orderId)!;
        if (order["status"]!.GetValue<string>() != "delivered") throw new ToolError("Non-delivered order cannot be returned");
        var (_, methodId, method) = PaymentMethod(Py.String(UserKey(order["user_id"])), a["payment_method_id"]);
        if (!IsGiftCard(method) && methodId != ((JsonArray)order["payment_history"]!)[0]!["payment_method_id"]!.GetValue<string>())
            throw new ToolError("Payment method should be the original payment method");
        var itemIds = PyArgs.Iterate(a["item_ids"]);
        var all = ItemIds(order);
        foreach (var id in itemIds)
            if (Count(itemIds, id) > Count(all, id)) throw new ToolError("Some item not found");
        var edited = Data.Edit("orders", orderId);
        edited["status"] = "return requested";
        edited["return_items"] = Sorted(itemIds);
        edited["return_payment_method_id"] = Py.Clone(a["payment_method_id"]);
        return Py.Clone(edited)!;
    }
}
