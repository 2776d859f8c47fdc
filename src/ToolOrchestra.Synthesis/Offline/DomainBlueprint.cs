using System.Globalization;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Synthesis.Offline;

/// <summary>
/// Builds a declarative domain (domain.json, db.json, policy.md) from a <see cref="Theme"/>: the four entity archetypes
/// become collections, and the tools are derived from them (find/get/search/list reads; create, cancel, confirm, pay,
/// delete, top-up, update writes with their preconditions). A seeded random picks the optional tools and the records,
/// so the same seed gives the same domain.
/// </summary>
public sealed class DomainBlueprint
{
    private readonly Theme _t;
    private readonly Random _rng;

    public DomainBlueprint(Theme theme, string name, Random rng)
    {
        _t = theme;
        _rng = rng;
        Name = name;
        P = theme.Person.One;
        O = theme.Offering.One;
        B = theme.Booking.One;
        W = theme.Wallet.One;
        // Optional tools vary the domains; the core chain (find, list, create, cancel, top-up) is always there.
        Optional = new[] { "update_phone", "confirm", "pay", "delete", "count", "get_offering", "get_booking", "get_wallet" }
            .Where(_ => rng.NextDouble() < 0.75).ToHashSet(StringComparer.Ordinal);
        if (Optional.Contains("pay")) Optional.Add("confirm");
    }

    public string Name { get; }
    public Theme Theme => _t;
    public string P { get; }
    public string O { get; }
    public string B { get; }
    public string W { get; }
    public HashSet<string> Optional { get; }

    public string PKey => P + "_id";
    public string OKey => O + "_id";
    public string BKey => B + "_id";
    public string WKey => W + "_id";

    // tool names, derived from the entity names
    public string FindPerson => $"find_{P}_id_by_email";
    public string GetPerson => $"get_{P}_details";
    public string UpdatePhone => $"update_{P}_phone";
    public string GetOffering => $"get_{O}_details";
    public string SearchOfferings => $"search_{_t.Offering.Many}_by_category";
    public string ListBookings => $"list_{_t.Booking.Many}_of_{P}";
    public string GetBooking => $"get_{B}_details";
    public string CreateBooking => $"create_{B}";
    public string CancelBooking => $"cancel_{B}";
    public string ConfirmBooking => $"confirm_{B}";
    public string PayBooking => $"pay_{B}";
    public string DeleteBooking => $"delete_{B}";
    public string ListWallets => $"list_{_t.Wallet.Many}_of_{P}";
    public string GetWallet => $"get_{W}_details";
    public string TopUpWallet => $"top_up_{W}";
    public string CountBookings => $"count_{_t.Booking.Many}_by_status";

    public static readonly string[] BookingStatuses = ["pending", "confirmed", "paid", "cancelled"];

    public JsonObject DomainJson()
    {
        var t = _t;
        var entities = new JsonArray
        {
            Entity(t.Person.Many, PKey, P, $"People who contact the {Name} service.", Props(
                (PKey, Str()), ("name", Str()), ("email", Str()), ("phone", Str()), ("city", Str())), []),
            Entity(t.Offering.Many, OKey, O, $"What a {Words(P)} can {t.BookVerb}.", Props(
                (OKey, Str()), ("name", Str()), ("category", Enum(t.Categories)), ("price", Num()), ("stock", Int()), ("status", Enum("active", "retired"))), []),
            Entity(t.Booking.Many, BKey, B, $"A {Words(P)}'s {Words(B)} of a {Words(O)}.", Props(
                (BKey, Str()), (PKey, Str()), (OKey, Str()), ("quantity", Int()), ("total", Num()), ("status", Enum(BookingStatuses))),
                [(PKey, t.Person.Many), (OKey, t.Offering.Many)]),
            Entity(t.Wallet.Many, WKey, W, $"A {Words(P)}'s prepaid balance.", Props(
                (WKey, Str()), (PKey, Str()), ("balance", Num()), ("status", Enum("active", "frozen"))), [(PKey, t.Person.Many)]),
        };
        var tools = new JsonArray
        {
            Tool(FindPerson, $"Find a {Words(P)}'s id by their email address.", "read", Params(("email", Str("The email address."))),
                Step("find", t.Person.Many, ("where", Where(Cond("email", "eq", Param("email")))), ("select", "first_key"))),
            Tool(GetPerson, $"Get the details of a {Words(P)}.", "read", Params((PKey, Str($"The {Words(P)} id."))),
                Step("get", t.Person.Many, ("key", Param(PKey)))),
        };
        if (Optional.Contains("update_phone"))
            tools.Add(Tool(UpdatePhone, $"Update the phone number of a {Words(P)}.", "write", Params((PKey, Str($"The {Words(P)} id.")), ("phone", Str("The new phone number."))),
                Step("update", t.Person.Many, ("key", Param(PKey)), ("set", new JsonObject { ["phone"] = Param("phone") }))));
        if (Optional.Contains("get_offering"))
            tools.Add(Tool(GetOffering, $"Get the details of a {Words(O)}: price, stock and status.", "read", Params((OKey, Str($"The {Words(O)} id."))),
                Step("get", t.Offering.Many, ("key", Param(OKey)))));
        tools.Add(Tool(SearchOfferings, $"List the active {Words(t.Offering.Many)} of a category.", "read", Params(("category", Enum(t.Categories))),
            Step("find", t.Offering.Many, ("where", Where(Cond("category", "eq", Param("category")), Cond("status", "eq", Lit("active")))))));
        tools.Add(Tool(ListBookings, $"List every {Words(B)} of a {Words(P)}.", "read", Params((PKey, Str($"The {Words(P)} id."))),
            Step("get", t.Person.Many, ("key", Param(PKey))),
            Step("find", t.Booking.Many, ("where", Where(Cond(PKey, "eq", Param(PKey)))))));
        if (Optional.Contains("get_booking"))
            tools.Add(Tool(GetBooking, $"Get the details of a {Words(B)}.", "read", Params((BKey, Str($"The {Words(B)} id."))),
                Step("get", t.Booking.Many, ("key", Param(BKey)))));
        tools.Add(Tool(CreateBooking, $"Create a pending {Words(B)} of a {Words(O)} for a {Words(P)}; the {Words(O)} must be active with enough stock.", "write",
            Params((PKey, Str($"The {Words(P)} id.")), (OKey, Str($"The {Words(O)} id.")), ("quantity", Int($"How many {t.Unit}."))),
            Step("get", t.Person.Many, ("key", Param(PKey))),
            Step("update", t.Offering.Many, ("key", Param(OKey)), ("as", "offering"),
                ("require", Where(Cond("status", "eq", Lit("active"), $"the {Words(O)} is not active"),
                    Left(Param("quantity"), "gt", Lit(0), "quantity must be positive"),
                    Cond("stock", "ge", Param("quantity"), $"not enough {t.Unit} left"))),
                ("increment", new JsonObject { ["stock"] = Arith("mul", Param("quantity"), Lit(-1)) })),
            Step("create", t.Booking.Many, ("key_prefix", t.Booking.KeyPrefix + "N"), ("as", "created"), ("values", new JsonObject
            {
                [PKey] = Param(PKey), [OKey] = Param(OKey), ["quantity"] = Param("quantity"),
                ["total"] = Arith("mul", Ref("offering.price"), Param("quantity")), ["status"] = Lit("pending"),
            }))));
        tools.Add(Tool(CancelBooking, $"Cancel a pending {Words(B)} and return its {t.Unit} to stock.", "write", Params((BKey, Str($"The {Words(B)} id."))),
            Step("update", t.Booking.Many, ("key", Param(BKey)), ("as", "cancelled"),
                ("require", Where(Cond("status", "eq", Lit("pending"), $"the {Words(B)} is not pending"))), ("set", new JsonObject { ["status"] = Lit("cancelled") })),
            Step("update", t.Offering.Many, ("key", Ref("cancelled." + OKey)), ("increment", new JsonObject { ["stock"] = Ref("cancelled.quantity") })),
            ("returns", "cancelled")));
        if (Optional.Contains("confirm"))
            tools.Add(Tool(ConfirmBooking, $"Confirm a pending {Words(B)}.", "write", Params((BKey, Str($"The {Words(B)} id."))),
                Step("update", t.Booking.Many, ("key", Param(BKey)),
                    ("require", Where(Cond("status", "eq", Lit("pending"), $"the {Words(B)} is not pending"))), ("set", new JsonObject { ["status"] = Lit("confirmed") }))));
        if (Optional.Contains("pay"))
            tools.Add(Tool(PayBooking, $"Pay a confirmed {Words(B)} from one of the {Words(P)}'s {Words(t.Wallet.Many)}.", "write",
                Params((BKey, Str($"The {Words(B)} id.")), (WKey, Str($"The {Words(W)} id."))),
                Step("get", t.Booking.Many, ("key", Param(BKey)), ("as", "due"),
                    ("require", Where(Cond("status", "eq", Lit("confirmed"), $"the {Words(B)} is not confirmed")))),
                Step("update", t.Wallet.Many, ("key", Param(WKey)),
                    ("require", Where(Cond(PKey, "eq", Ref("due." + PKey), $"the {Words(W)} belongs to another {Words(P)}"),
                        Cond("status", "eq", Lit("active"), $"the {Words(W)} is frozen"),
                        Cond("balance", "ge", Ref("due.total"), "insufficient balance"))),
                    ("increment", new JsonObject { ["balance"] = Arith("mul", Ref("due.total"), Lit(-1)) })),
                Step("update", t.Booking.Many, ("key", Param(BKey)), ("as", "paid"), ("set", new JsonObject { ["status"] = Lit("paid") })),
                ("returns", "paid")));
        if (Optional.Contains("delete"))
            tools.Add(Tool(DeleteBooking, $"Delete a cancelled {Words(B)} from the records.", "write", Params((BKey, Str($"The {Words(B)} id."))),
                Step("delete", t.Booking.Many, ("key", Param(BKey)),
                    ("require", Where(Cond("status", "eq", Lit("cancelled"), $"only cancelled {Words(t.Booking.Many)} can be deleted"))))));
        tools.Add(Tool(ListWallets, $"List the {Words(t.Wallet.Many)} of a {Words(P)}.", "read", Params((PKey, Str($"The {Words(P)} id."))),
            Step("get", t.Person.Many, ("key", Param(PKey))),
            Step("find", t.Wallet.Many, ("where", Where(Cond(PKey, "eq", Param(PKey)))))));
        if (Optional.Contains("get_wallet"))
            tools.Add(Tool(GetWallet, $"Get the balance and status of a {Words(W)}.", "read", Params((WKey, Str($"The {Words(W)} id."))),
                Step("get", t.Wallet.Many, ("key", Param(WKey)))));
        tools.Add(Tool(TopUpWallet, $"Add money to an active {Words(W)}.", "write", Params((WKey, Str($"The {Words(W)} id.")), ("amount", Num("The amount to add."))),
            Step("update", t.Wallet.Many, ("key", Param(WKey)),
                ("require", Where(Cond("status", "eq", Lit("active"), $"the {Words(W)} is frozen"), Left(Param("amount"), "gt", Lit(0), "amount must be positive"))),
                ("increment", new JsonObject { ["balance"] = Param("amount") }))));
        if (Optional.Contains("count"))
            tools.Add(Tool(CountBookings, $"Count a {Words(P)}'s {Words(t.Booking.Many)} with a given status.", "read",
                Params((PKey, Str($"The {Words(P)} id.")), ("status", Enum(BookingStatuses))),
                Step("aggregate", t.Booking.Many, ("function", "count"), ("where", Where(Cond(PKey, "eq", Param(PKey)), Cond("status", "eq", Param("status")))))));
        return new JsonObject
        {
            ["format"] = ToolOrchestra.Environments.Tau2.Declarative.DomainSpec.Format,
            ["name"] = Name,
            ["description"] = $"A synthesized {t.Name} customer-service domain: {Words(t.Person.Many)}, {Words(t.Offering.Many)}, {Words(t.Booking.Many)} and {Words(t.Wallet.Many)}.",
            ["entities"] = entities,
            ["tools"] = tools,
        };
    }

    /// <summary>Records: persons with wallets and bookings of offerings, every status represented.</summary>
    public JsonObject DbJson(int persons)
    {
        var t = _t;
        var people = new JsonObject();
        var offerings = new JsonObject();
        var bookings = new JsonObject();
        var wallets = new JsonObject();
        var offeringIds = new List<string>();
        for (var i = 0; i < t.OfferingNames.Length * 2; i++)
        {
            var id = t.Offering.KeyPrefix + (i + 1).ToString("D3", CultureInfo.InvariantCulture);
            offeringIds.Add(id);
            offerings[id] = new JsonObject
            {
                [OKey] = id,
                ["name"] = t.OfferingNames[i % t.OfferingNames.Length] + (i >= t.OfferingNames.Length ? " II" : ""),
                ["category"] = t.Categories[_rng.Next(t.Categories.Length)],
                ["price"] = Math.Round(5 + _rng.NextDouble() * 195, 2),
                ["stock"] = _rng.Next(0, 4) == 0 ? _rng.Next(0, 2) : _rng.Next(3, 40),
                ["status"] = _rng.Next(8) == 0 ? "retired" : "active",
            };
        }
        var usedEmails = new HashSet<string>(StringComparer.Ordinal);
        var b = 0;
        for (var i = 0; i < persons; i++)
        {
            var id = t.Person.KeyPrefix + (i + 1).ToString("D4", CultureInfo.InvariantCulture);
            var first = Themes.FirstNames[_rng.Next(Themes.FirstNames.Length)];
            var last = Themes.LastNames[_rng.Next(Themes.LastNames.Length)];
            var email = $"{first}.{last}{_rng.Next(10, 99)}@example.com".ToLowerInvariant();
            if (!usedEmails.Add(email)) email = $"{first}.{last}.{id}@example.com".ToLowerInvariant();
            people[id] = new JsonObject
            {
                [PKey] = id, ["name"] = $"{first} {last}", ["email"] = email,
                ["phone"] = $"+1-555-{_rng.Next(100, 999)}-{_rng.Next(1000, 9999)}",
                ["city"] = Themes.Cities[_rng.Next(Themes.Cities.Length)],
            };
            var nWallets = 1 + (_rng.Next(3) == 0 ? 1 : 0);
            for (var k = 0; k < nWallets; k++)
            {
                var wid = t.Wallet.KeyPrefix + (wallets.Count + 1).ToString("D4", CultureInfo.InvariantCulture);
                wallets[wid] = new JsonObject
                {
                    [WKey] = wid, [PKey] = id, ["balance"] = Math.Round(_rng.NextDouble() * 600, 2),
                    ["status"] = _rng.Next(6) == 0 ? "frozen" : "active",
                };
            }
            var nBookings = _rng.Next(0, 4);
            for (var k = 0; k < nBookings; k++)
            {
                var bid = t.Booking.KeyPrefix + (++b).ToString("D4", CultureInfo.InvariantCulture);
                var oid = offeringIds[_rng.Next(offeringIds.Count)];
                var q = _rng.Next(1, 4);
                bookings[bid] = new JsonObject
                {
                    [BKey] = bid, [PKey] = id, [OKey] = oid, ["quantity"] = q,
                    ["total"] = Math.Round(offerings[oid]!["price"]!.GetValue<double>() * q, 2),
                    ["status"] = BookingStatuses[_rng.Next(BookingStatuses.Length)],
                };
            }
        }
        return new JsonObject { [t.Person.Many] = people, [t.Offering.Many] = offerings, [t.Booking.Many] = bookings, [t.Wallet.Many] = wallets };
    }

    /// <summary>The agent's policy: authenticate by email, confirm before writes, one tool call at a time.</summary>
    public string Policy() => $"""
        # {char.ToUpperInvariant(Name[0]) + Name[1..]} agent policy

        As a {Name} agent you help {Words(_t.Person.Many)} with their {Words(_t.Booking.Many)}, {Words(_t.Offering.Many)} and {Words(_t.Wallet.Many)}.

        - First identify the {Words(P)}: ask for their email address and look up their {Words(P)} id. Never act for anyone else.
        - Make one tool call at a time, and do not make up ids, amounts or other values: use what the {Words(P)} says or what a tool returns.
        - Before any action that changes the records ({string.Join(", ", WriteToolNames())}), state what you will do and ask for an explicit "yes".
        - A {Words(B)} can only be cancelled while pending{(Optional.Contains("pay") ? $", and only confirmed {Words(_t.Booking.Many)} can be paid, from an active {Words(W)} of the same {Words(P)} with enough balance" : "")}.
        - A frozen {Words(W)} cannot be topped up{(Optional.Contains("pay") ? " or used for payment" : "")}.
        - You should transfer the user to a human agent if and only if the request cannot be handled within the scope of your actions. To transfer, first make a tool call to transfer_to_human_agents, and then send the message 'YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON.' to the user.
        """;

    private static string Words(string identifier) => identifier.Replace('_', ' ');

    private IEnumerable<string> WriteToolNames()
    {
        if (Optional.Contains("update_phone")) yield return UpdatePhone;
        yield return CreateBooking;
        yield return CancelBooking;
        if (Optional.Contains("confirm")) yield return ConfirmBooking;
        if (Optional.Contains("pay")) yield return PayBooking;
        if (Optional.Contains("delete")) yield return DeleteBooking;
        yield return TopUpWallet;
    }

    // ---- small builders of the domain.json vocabulary ----

    private static JsonObject Entity(string collection, string key, string title, string description, JsonObject schema, (string Field, string Collection)[] relations) => new()
    {
        ["collection"] = collection, ["key"] = key, ["title"] = title.Replace('_', ' '), ["description"] = description, ["schema"] = schema,
        ["relations"] = new JsonArray(relations.Select(r => (JsonNode?)new JsonObject { ["field"] = r.Field, ["collection"] = r.Collection }).ToArray()),
    };

    private static JsonObject Props(params (string Name, JsonObject Schema)[] props)
    {
        var p = new JsonObject();
        foreach (var (n, s) in props) p[n] = s;
        return new JsonObject { ["type"] = "object", ["properties"] = p, ["required"] = new JsonArray(props.Select(x => (JsonNode?)x.Name).ToArray()) };
    }

    private static JsonObject Params(params (string Name, JsonObject Schema)[] props) => Props(props);
    private static JsonObject Str(string? d = null) => Typed("string", d);
    private static JsonObject Int(string? d = null) => Typed("integer", d);
    private static JsonObject Num(string? d = null) => Typed("number", d);
    private static JsonObject Enum(params string[] values)
    {
        var o = Typed("string", null);
        o["enum"] = new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
        return o;
    }
    private static JsonObject Typed(string type, string? description)
    {
        var o = new JsonObject { ["type"] = type };
        if (description is not null) o["description"] = description;
        return o;
    }

    private static JsonObject Tool(string name, string description, string kind, JsonObject parameters, params object[] stepsAndReturns)
    {
        var steps = new JsonArray(stepsAndReturns.OfType<JsonObject>().Select(s => (JsonNode?)s).ToArray());
        var o = new JsonObject { ["name"] = name, ["description"] = description, ["kind"] = kind, ["parameters"] = parameters, ["operation"] = steps };
        foreach (var (k, v) in stepsAndReturns.OfType<(string, string)>()) o[k] = v;
        return o;
    }

    private static JsonObject Step(string op, string collection, params (string Key, JsonNode Value)[] parts)
    {
        var o = new JsonObject { ["op"] = op, ["collection"] = collection };
        foreach (var (k, v) in parts) o[k] = v;
        return o;
    }

    private static JsonArray Where(params JsonObject[] conditions) => new(conditions.Select(c => (JsonNode?)c).ToArray());
    private static JsonObject Cond(string field, string op, JsonObject value, string? message = null)
    {
        var o = new JsonObject { ["field"] = field, ["op"] = op, ["value"] = value };
        if (message is not null) o["message"] = message;
        return o;
    }
    private static JsonObject Left(JsonObject left, string op, JsonObject value, string message) =>
        new() { ["left"] = left, ["op"] = op, ["value"] = value, ["message"] = message };
    private static JsonObject Param(string name) => new() { ["param"] = name };
    private static JsonObject Lit(JsonNode? value) => new() { ["literal"] = value };
    private static JsonObject Ref(string path) => new() { ["ref"] = path };
    private static JsonObject Arith(string op, JsonObject a, JsonObject b) => new() { [op] = new JsonArray(a, b) };
}
