using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Retail;

/// <summary>The retail data models (upstream domains/retail/data_model.py), in field declaration order.</summary>
public static class RetailSchema
{
    private static readonly Shape StringMap = Shape.DictOf(Shape.Str);

    public static readonly Model Variant = new("Variant",
    [
        Field.Required("item_id", Shape.Str),
        Field.Required("options", StringMap),
        Field.Required("available", Shape.Bool),
        Field.Required("price", Shape.Float),
    ]);

    public static readonly Model Product = new("Product",
    [
        Field.Required("name", Shape.Str),
        Field.Required("product_id", Shape.Str),
        Field.Required("variants", Shape.DictOf(Variant)),
    ]);

    public static readonly Model UserName = new("UserName", [Field.Required("first_name", Shape.Str), Field.Required("last_name", Shape.Str)]);

    public static readonly Model UserAddress = new("UserAddress",
    [
        Field.Required("address1", Shape.Str),
        Field.Required("address2", Shape.Str),
        Field.Required("city", Shape.Str),
        Field.Required("country", Shape.Str),
        Field.Required("state", Shape.Str),
        Field.Required("zip", Shape.Str),
    ]);

    public static readonly Shape PaymentMethod = new UnionShape("source", new Dictionary<string, Model>
    {
        ["credit_card"] = new("CreditCard",
        [
            Field.Required("source", Shape.Literal("credit_card")),
            Field.Required("id", Shape.Str),
            Field.Required("brand", Shape.Str),
            Field.Required("last_four", Shape.Str),
        ]),
        ["gift_card"] = new("GiftCard",
        [
            Field.Required("source", Shape.Literal("gift_card")),
            Field.Required("id", Shape.Str),
            Field.Required("balance", Shape.Float),
        ]),
        ["paypal"] = new("Paypal", [Field.Required("source", Shape.Literal("paypal")), Field.Required("id", Shape.Str)]),
    });

    public static readonly Model User = new("User",
    [
        Field.Required("user_id", Shape.Str),
        Field.Required("name", UserName),
        Field.Required("address", UserAddress),
        Field.Required("email", Shape.Str),
        Field.Required("payment_methods", Shape.DictOf(PaymentMethod)),
        Field.Required("orders", Shape.ListOf(Shape.Str)),
    ]);

    public static readonly Model OrderItem = new("OrderItem",
    [
        Field.Required("name", Shape.Str),
        Field.Required("product_id", Shape.Str),
        Field.Required("item_id", Shape.Str),
        Field.Required("price", Shape.Float),
        Field.Required("options", StringMap),
    ]);

    public static readonly Model OrderPayment = new("OrderPayment",
    [
        Field.Required("transaction_type", Shape.Literal("payment", "refund")),
        Field.Required("amount", Shape.Float),
        Field.Required("payment_method_id", Shape.Str),
    ]);

    public static readonly Model Order = new("Order",
    [
        Field.Required("order_id", Shape.Str),
        Field.Required("user_id", Shape.Str),
        Field.Required("address", UserAddress),
        Field.Required("items", Shape.ListOf(OrderItem)),
        Field.Required("status", Shape.Literal("processed", "pending", "pending (item modified)", "delivered", "cancelled", "exchange requested", "return requested")),
        Field.Required("fulfillments", Shape.ListOf(new Model("OrderFullfilment",
        [
            Field.Required("tracking_id", Shape.ListOf(Shape.Str)),
            Field.Required("item_ids", Shape.ListOf(Shape.Str)),
        ]))),
        Field.Required("payment_history", Shape.ListOf(OrderPayment)),
        Field.NullDefault("cancel_reason", Shape.Literal("no longer needed", "ordered by mistake")),
        Field.NullDefault("exchange_items", Shape.ListOf(Shape.Str)),
        Field.NullDefault("exchange_new_items", Shape.ListOf(Shape.Str)),
        Field.NullDefault("exchange_payment_method_id", Shape.Str),
        Field.NullDefault("exchange_price_difference", Shape.Float),
        Field.NullDefault("return_items", Shape.ListOf(Shape.Str)),
        Field.NullDefault("return_payment_method_id", Shape.Str),
    ]);

    public static readonly Model Db = new("RetailDB",
    [
        Field.Required("products", Shape.DictOf(Product)),
        Field.Required("users", Shape.DictOf(User)),
        Field.Required("orders", Shape.DictOf(Order)),
    ]);
}
