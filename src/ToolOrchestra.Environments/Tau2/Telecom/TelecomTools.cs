using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;
using S = ToolOrchestra.Environments.Tau2.Telecom.TelecomSchema;

namespace ToolOrchestra.Environments.Tau2.Telecom;

/// <summary>
/// The telecom agent tools (upstream TelecomTools) over customers, lines, plans, bills and devices, plus the non-tool
/// functions tasks use to break the scenario and to assert the outcome. "Today" is fixed at 2025-02-25; a draft bill
/// created by <c>refuel_data</c> gets a random id, as upstream (telecom is graded by assertions, not by DB hash).
/// </summary>
public sealed class TelecomTools(Database db) : Toolkit("TelecomTools", db, Catalog)
{
    public static readonly DateOnly Today = new(2025, 2, 25);

    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<TelecomTools>()
        .Tool("get_customer_by_phone", ToolType.Read, "Finds a customer by their primary contact or line phone number.",
            (t, a) => Py.Clone(t.CustomerByPhone(a["phone_number"])), P.Str("phone_number", "The phone number to search for."))
        .Tool("get_customer_by_id", ToolType.Read, "Retrieves a customer directly by their unique ID.",
            (t, a) => Py.Clone(t.Customer(a["customer_id"])), P.Str("customer_id", "The unique identifier of the customer."))
        .Tool("get_customer_by_name", ToolType.Read, "Searches for customers by name and DOB. May return multiple matches if names are similar,\n\nDOB helps disambiguate.",
            (t, a) => t.CustomersByName(a),
            P.Str("full_name", "The full name of the customer."),
            P.Str("dob", "Date of birth for verification, in the format YYYY-MM-DD."))
        .Helper("get_available_plan_ids", (t, _) => new JsonArray(t.Rows("plans").Select(p => Py.Clone(p["plan_id"])).ToArray()))
        .Tool("get_details_by_id", ToolType.Read, "Retrieves the details for a given ID.\n\nThe ID must be a valid ID for a Customer, Line, Device, Bill, or Plan.",
            (t, a) => Py.Clone(t.DetailsById(a["id"])), P.Str("id", "The ID of the object to retrieve."))
        .Tool("suspend_line", ToolType.Write, "Suspends a specific line (max 6 months).\n\nChecks: Line status must be Active.\nLogic: Sets line status to Suspended, records suspension_start_date.",
            (t, a) => t.SuspendLine(a),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to suspend."),
            P.Str("reason", "Reason for suspension."))
        .Tool("resume_line", ToolType.Write, "Resumes a suspended line.\n\nChecks: Line status must be Suspended or Pending Activation.\nLogic: Sets line status to Active, clears suspension_start_date.",
            (t, a) => t.ResumeLine(a),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to resume."))
        .Tool("get_bills_for_customer", ToolType.Read, "Retrieves a list of the customer's bills, most recent first.",
            (t, a) => t.BillsForCustomer(a),
            P.Str("customer_id", "ID of the customer."),
            P.Int("limit", "Maximum number of bills to return.").Optional(12))
        .Tool("send_payment_request", ToolType.Write, "Sends a payment request to the customer for a specific bill.\n\nChecks:\n    - Customer exists\n    - Bill exists and belongs to the customer\n    - No other bills are already awaiting payment for this customer\nLogic: Sets bill status to AWAITING_PAYMENT and notifies customer.\nWarning: This method does not check if the bill is already PAID.\nAlways check the bill status before calling this method.",
            (t, a) => t.SendPaymentRequest(a),
            P.Str("customer_id", "ID of the customer who owns the bill."),
            P.Str("bill_id", "ID of the bill to send payment request for."))
        .Tool("get_data_usage", ToolType.Read, "Retrieves current billing cycle data usage for a line, including data\n\nrefueling amount, data limit, and cycle end date.",
            (t, a) => t.DataUsage(a),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to check usage for."))
        .Helper("set_data_usage", (t, a) => t.SetDataUsage(a), P.Str("customer_id", null), P.Str("line_id", null), P.Number("data_used_gb", null))
        .Tool("enable_roaming", ToolType.Write, "Enables international roaming on a line.",
            (t, a) => t.SetRoaming(a, true),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to enable roaming for."))
        .Tool("disable_roaming", ToolType.Write, "Disables international roaming on a line.",
            (t, a) => t.SetRoaming(a, false),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to disable roaming for."))
        .Tool("transfer_to_human_agents", ToolType.Generic, Descriptions.TransferToHumanAgents, (_, _) => "Transfer successful",
            P.Str("summary", "A summary of the user's issue."))
        .Tool("refuel_data", ToolType.Write, "Refuels data for a specific line, adding to the customer's bill.\n\nChecks: Line status must be Active, Customer owns the line.\nLogic: Adds data to the line and charges customer based on the plan's refueling rate.",
            (t, a) => t.RefuelData(a),
            P.Str("customer_id", "ID of the customer who owns the line."),
            P.Str("line_id", "ID of the line to refuel data for."),
            P.Number("gb_amount", "Amount of data to add in gigabytes."))
        .Helper("suspend_line_for_overdue_bill", (t, a) => t.SuspendLineForOverdueBill(a),
            P.Str("customer_id", null), P.Str("line_id", null), P.Str("new_bill_id", null), P.Bool("contract_ended", null))
        .Helper("assert_data_refueling_amount", (t, a) =>
                Math.Abs(Py.Num(t.TargetLine(a["customer_id"], a["line_id"])["data_refueling_gb"]) - Py.Num(a["expected_amount"])) < 1e-6,
            P.Str("customer_id", null), P.Str("line_id", null), P.Number("expected_amount", null))
        .Helper("assert_line_status", (t, a) => Py.Equal(t.TargetLine(a["customer_id"], a["line_id"])["status"], a["expected_status"]),
            P.Str("customer_id", null), P.Str("line_id", null), P.Str("expected_status", null))
        .Helper("assert_overdue_bill_exists", (t, a) => t.AssertOverdueBillExists(a), P.Str("customer_id", null), P.Str("overdue_bill_id", null))
        .Helper("assert_no_overdue_bill", (t, a) => t.AssertNoOverdueBill(a), P.Str("overdue_bill_id", null))
        .Build();

    private Database Data => Db!;

    /// <summary>A table's rows, editable (the telecom database is small: copied whole on first use).</summary>
    internal IEnumerable<JsonObject> Rows(string table) => ((JsonArray)Data.EditField(table)!).Select(r => (JsonObject)r!);

    private JsonObject? Find(string table, string key, JsonNode? value) => Rows(table).FirstOrDefault(r => Py.Equal(r[key], value));

    internal JsonObject LineById(JsonNode? id) => Find("lines", "line_id", id) ?? throw new ToolError($"Line with ID {Py.ToStr(id)} not found");
    internal JsonObject LineByPhone(JsonNode? phone) => Find("lines", "phone_number", phone) ?? throw new ToolError($"Line with phone number {Py.ToStr(phone)} not found");
    internal JsonObject Plan(JsonNode? id) => Find("plans", "plan_id", id) ?? throw new ToolError($"Plan with ID {Py.ToStr(id)} not found");
    private JsonObject Device(JsonNode? id) => Find("devices", "device_id", id) ?? throw new ToolError($"Device with ID {Py.ToStr(id)} not found");
    internal JsonObject Bill(JsonNode? id) => Find("bills", "bill_id", id) ?? throw new ToolError($"Bill with ID {Py.ToStr(id)} not found");
    internal JsonObject Customer(JsonNode? id) => Find("customers", "customer_id", id) ?? throw new ToolError($"Customer with ID {Py.ToStr(id)} not found");

    internal JsonObject CustomerByPhone(JsonNode? phone)
    {
        foreach (var customer in Rows("customers"))
        {
            if (Py.Equal(customer["phone_number"], phone)) return customer;
            foreach (var lineId in (JsonArray)customer["line_ids"]!)
                if (Py.Equal(LineById(lineId)["phone_number"], phone)) return customer;
        }
        throw new ToolError($"Customer with phone number {Py.ToStr(phone)} not found");
    }

    private JsonNode CustomersByName(ToolArgs a)
    {
        var name = Lower(a["full_name"]);
        return new JsonArray(Rows("customers")
            .Where(c => Lower(c["full_name"]) == name && Py.Equal(c["date_of_birth"], a["dob"]))
            .Select(c => Py.Clone(c)).ToArray());
    }

    private static string Lower(JsonNode? v) => Py.Str(v)?.ToLowerInvariant() ?? throw new ToolError($"'{Py.TypeName(v)}' object has no attribute 'lower'");

    internal JsonObject TargetLine(JsonNode? customerId, JsonNode? lineId)
    {
        var customer = Customer(customerId);
        if (!((JsonArray)customer["line_ids"]!).Any(l => Py.Equal(l, lineId)))
            throw new ToolError($"Line {Py.ToStr(lineId)} not found for customer {Py.ToStr(customerId)}");
        return LineById(lineId);
    }

    private JsonObject DetailsById(JsonNode? id)
    {
        var text = Py.Str(id) ?? throw new ToolError($"'{Py.TypeName(id)}' object has no attribute 'startswith'");
        if (text.StartsWith('L')) return LineById(id);
        if (text.StartsWith('D')) return Device(id);
        if (text.StartsWith('B')) return Bill(id);
        if (text.StartsWith('C')) return Customer(id);
        if (text.StartsWith('P')) return Plan(id);
        throw new ToolError($"Unknown ID format or type: {text}");
    }

    private PyDict SuspendLine(ToolArgs a)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        if (Py.Str(line["status"]) != S.LineActive) throw new ToolError("Line must be active to suspend");
        line["status"] = S.LineSuspended;
        line["suspension_start_date"] = Date(Today);
        return new PyDict(new JsonObject { ["message"] = "Line suspended successfully. $5/month holding fee will apply.", ["line"] = Py.Clone(line) });
    }

    private PyDict ResumeLine(ToolArgs a)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        if (Py.Str(line["status"]) is not (S.LineSuspended or S.LinePendingActivation)) throw new ToolError("Line must be suspended to resume");
        line["status"] = S.LineActive;
        line["suspension_start_date"] = null;
        return new PyDict(new JsonObject { ["message"] = "Line resumed successfully", ["line"] = Py.Clone(line) });
    }

    private JsonNode BillsForCustomer(ToolArgs a)
    {
        var customer = Customer(a["customer_id"]);
        var bills = ((JsonArray)customer["bill_ids"]!).Select(Bill).ToList();
        // sorted(..., key=issue_date, reverse=True) is stable: equal dates keep their order
        var sorted = bills.Select((b, i) => (b, i)).OrderByDescending(x => Py.Str(x.b["issue_date"]), StringComparer.Ordinal).ThenBy(x => x.i).Select(x => x.b).ToList();
        if (Py.TypeOf(a["limit"]) is not (PyType.Int or PyType.Bool or PyType.None))
            throw new ToolError("slice indices must be integers or None or have an __index__ method");
        var take = a["limit"] is null ? sorted.Count : SliceEnd(Py.Long(a["limit"]), sorted.Count);
        return new JsonArray(sorted.Take(take).Select(b => Py.Clone(b)).ToArray());
    }

    /// <summary>Python <c>xs[:n]</c> length.</summary>
    private static int SliceEnd(long n, int count) => (int)(n < 0 ? Math.Max(0, count + n) : Math.Min(n, count));

    private IEnumerable<JsonObject> BillsAwaitingPayment(JsonObject customer) =>
        ((JsonArray)customer["bill_ids"]!).Select(Bill).Where(b => Py.Str(b["status"]) == S.BillAwaitingPayment).ToList();

    internal IReadOnlyList<JsonObject> AwaitingPayment(JsonObject customer) => BillsAwaitingPayment(customer).ToList();

    private string SendPaymentRequest(ToolArgs a)
    {
        var customer = Customer(a["customer_id"]);
        if (BillsAwaitingPayment(customer).Any()) throw new ToolError("A bill is already awaiting payment for this customer");
        if (!((JsonArray)customer["bill_ids"]!).Any(b => Py.Equal(b, a["bill_id"])))
            throw new ToolError($"Bill {a.Text("bill_id")} not found for customer {a.Text("customer_id")}");
        var bill = Bill(a["bill_id"]);
        bill["status"] = S.BillAwaitingPayment;
        return $"Payment request sent to the customer for bill {Py.ToStr(bill["bill_id"])}";
    }

    internal void SetBillPaid(JsonNode? billId) => Bill(billId)["status"] = S.BillPaid;

    private PyDict DataUsage(ToolArgs a)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        var plan = Plan(line["plan_id"]);
        var cycleEnd = new DateOnly(Today.Year, Today.Month, 1).AddMonths(1).AddDays(-1);
        return new PyDict(new JsonObject
        {
            ["line_id"] = Py.Clone(a["line_id"]),
            ["data_used_gb"] = Py.Clone(line["data_used_gb"]),
            ["data_limit_gb"] = Py.Clone(plan["data_limit_gb"]),
            ["data_refueling_gb"] = Py.Clone(line["data_refueling_gb"]),
            ["cycle_end_date"] = Date(cycleEnd),
        });
    }

    private string SetDataUsage(ToolArgs a)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        line["data_used_gb"] = Py.Clone(a["data_used_gb"]);
        return $"Data usage set to {a.Text("data_used_gb")} GB for line {a.Text("line_id")}";
    }

    private string SetRoaming(ToolArgs a, bool enable)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        var current = Truthy(line["roaming_enabled"]);
        if (enable && current) return "Roaming was already enabled";
        if (!enable && !current) return "Roaming was already disabled";
        line["roaming_enabled"] = enable;
        return enable ? "Roaming enabled successfully" : "Roaming disabled successfully";
    }

    internal static bool Truthy(JsonNode? v) => Py.TypeOf(v) switch
    {
        PyType.None => false,
        PyType.Bool => v!.GetValue<bool>(),
        PyType.Int or PyType.Float => Py.Num(v) != 0,
        PyType.Str => v!.GetValue<string>().Length > 0,
        PyType.List => ((JsonArray)v!).Count > 0,
        _ => ((JsonObject)v!).Count > 0,
    };

    private PyDict RefuelData(ToolArgs a)
    {
        var line = TargetLine(a["customer_id"], a["line_id"]);
        var amount = PyNum.From(a["gb_amount"], t => $"'<=' not supported between instances of '{t}' and 'int'");
        if (amount.Value <= 0) throw new ToolError("Refuel amount must be positive");
        var plan = Plan(line["plan_id"]);
        var pricePerGb = Py.Num(plan["data_refueling_price_per_gb"]);
        var charge = amount.Value * pricePerGb;
        var refueled = Py.Num(line["data_refueling_gb"]) + amount.Value;
        line["data_refueling_gb"] = refueled;
        ApplyOneTimeCharge(a["customer_id"], charge, $"Data refueling: {amount} GB at ${PyFloat.Repr(pricePerGb)}/GB");
        return new PyDict(new JsonObject
        {
            ["message"] = $"Successfully added {amount} GB of data for line {a.Text("line_id")} for ${PyFloat.FormatFixed(charge, 2)}",
            ["new_data_refueling_gb"] = Py.Float(refueled),
            ["charge"] = Py.Float(charge),
        });
    }

    /// <summary>upstream <c>_apply_one_time_charge</c>: a line item on the customer's draft bill, created if missing.</summary>
    private void ApplyOneTimeCharge(JsonNode? customerId, double amount, string description)
    {
        var customer = Customer(customerId);
        var draft = ((JsonArray)customer["bill_ids"]!).Select(Bill).FirstOrDefault(b => Py.Str(b["status"]) == S.BillDraft);
        if (draft is null)
        {
            var nextMonth = new DateOnly(Today.Year, Today.Month, 1).AddDays(32);
            nextMonth = new DateOnly(nextMonth.Year, nextMonth.Month, 1);
            var id = "B" + Guid.NewGuid().ToString("N")[..8];
            draft = ShapeValidator.Construct(S.Bill, new JsonObject
            {
                ["bill_id"] = id,
                ["customer_id"] = Py.Clone(customerId),
                ["period_start"] = Date(nextMonth),
                ["period_end"] = Date(nextMonth.AddMonths(1).AddDays(-1)),
                ["issue_date"] = Date(nextMonth),
                ["total_due"] = 0,
                ["due_date"] = Date(nextMonth.AddDays(14)),
                ["status"] = S.BillDraft,
            });
            ((JsonArray)Data.EditField("bills")!).Add(draft);
            ((JsonArray)customer["bill_ids"]!).Add(id);
        }
        ((JsonArray)draft["line_items"]!).Add(new JsonObject
        {
            ["description"] = description,
            ["amount"] = amount,
            ["date"] = Date(Today),
            ["item_type"] = amount < 0 ? "Credit" : "Charge",
        });
        draft["total_due"] = Py.Num(draft["total_due"]) + amount;
    }

    private string SuspendLineForOverdueBill(ToolArgs a)
    {
        var line = LineById(a["line_id"]);
        if (Py.Str(line["status"]) != S.LineActive) throw new ToolError("Line must be active to suspend for unpaid bill");
        var plan = Plan(line["plan_id"]);
        var amount = Py.Num(plan["price_per_month"]);
        if (amount <= 0) throw new ToolError("Amount must be positive for overdue bill");
        var customer = Customer(a["customer_id"]);
        if (((JsonArray)customer["bill_ids"]!).Select(Bill).Any(b => Py.Str(b["status"]) == S.BillOverdue))
            throw new ToolError("Customer already has an overdue bill");
        var lastMonthEnd = new DateOnly(Today.Year, Today.Month, 1).AddDays(-1);
        var lastMonthStart = new DateOnly(lastMonthEnd.Year, lastMonthEnd.Month, 1);
        var bill = ShapeValidator.Construct(S.Bill, new JsonObject
        {
            ["bill_id"] = Py.Clone(a["new_bill_id"]),
            ["customer_id"] = Py.Clone(a["customer_id"]),
            ["period_start"] = Date(lastMonthStart),
            ["period_end"] = Date(lastMonthEnd),
            ["issue_date"] = Date(lastMonthStart),
            ["total_due"] = 0,
            ["due_date"] = Date(lastMonthStart.AddDays(14)),
            ["status"] = S.BillOverdue,
        });
        ((JsonArray)bill["line_items"]!).Add(new JsonObject
        {
            ["description"] = $"Charge for line {Py.ToStr(line["line_id"])}",
            ["amount"] = amount,
            ["date"] = Date(Today),
            ["item_type"] = amount > 0 ? "Charge" : "Credit",
        });
        bill["total_due"] = Py.Num(bill["total_due"]) + amount;
        ((JsonArray)Data.EditField("bills")!).Add(bill);
        ((JsonArray)customer["bill_ids"]!).Add(Py.Clone(a["new_bill_id"]));
        line["status"] = S.LineSuspended;
        line["suspension_start_date"] = Date(Today);
        var ended = Truthy(a["contract_ended"]);
        if (ended) line["contract_end_date"] = Date(lastMonthEnd);
        return $"Line {a.Text("line_id")} suspended for unpaid bill {a.Text("new_bill_id")}. Contract ended: {a.Text("contract_ended")}";
    }

    private bool AssertOverdueBillExists(ToolArgs a)
    {
        var customer = Customer(a["customer_id"]);
        if (!((JsonArray)customer["bill_ids"]!).Any(b => Py.Equal(b, a["overdue_bill_id"])))
            throw new ToolError($"Overdue bill {a.Text("overdue_bill_id")} not found");
        if (Py.Str(Bill(a["overdue_bill_id"])["status"]) != S.BillOverdue)
            throw new ToolError($"Overdue bill {a.Text("overdue_bill_id")} is not overdue");
        return true;
    }

    private bool AssertNoOverdueBill(ToolArgs a)
    {
        var bill = Find("bills", "bill_id", a["overdue_bill_id"]);
        return bill is null || Py.Str(bill["status"]) == S.BillPaid;
    }

    internal static JsonNode Date(DateOnly d) => Py.String(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
}
