using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Telecom;

/// <summary>
/// The telecom data models (upstream domains/telecom/data_model.py and user_data_model.py). Enums are stored as their
/// values; dates as "YYYY-MM-DD" and datetimes as "YYYY-MM-DD HH:MM:SS" (what <c>json.dumps(default=str)</c> writes).
/// </summary>
public static class TelecomSchema
{
    // ---- agent side ----

    public static readonly Model Address = new("Address",
    [
        Field.Required("street", Shape.Str), Field.Required("city", Shape.Str),
        Field.Required("state", Shape.Str), Field.Required("zip_code", Shape.Str),
    ], ForbidExtra: true);

    public static readonly Model Plan = new("Plan",
    [
        Field.Required("plan_id", Shape.Str), Field.Required("name", Shape.Str),
        Field.Required("data_limit_gb", Shape.Float), Field.Required("price_per_month", Shape.Float),
        Field.Required("data_refueling_price_per_gb", Shape.Float),
    ], ForbidExtra: true);

    public static readonly Model Device = new("Device",
    [
        Field.Required("device_id", Shape.Str),
        Field.Required("device_type", Shape.Enum("phone", "router", "tablet", "watch", "other")),
        Field.Required("model", Shape.Str),
        Field.NullDefault("imei", Shape.Str),
        Field.Required("is_esim_capable", Shape.Bool),
        Field.WithDefault("activated", Shape.Bool, () => false),
        Field.NullDefault("activation_date", Shape.DateTime),
        Field.NullDefault("last_esim_transfer_date", Shape.DateTime),
    ], ForbidExtra: true);

    public const string LineActive = "Active";
    public const string LineSuspended = "Suspended";
    public const string LinePendingActivation = "Pending Activation";

    public static readonly Model Line = new("Line",
    [
        Field.Required("line_id", Shape.Str),
        Field.Required("phone_number", Shape.Str),
        Field.WithDefault("status", Shape.Enum(LineActive, LineSuspended, LinePendingActivation, "Closed"), () => LinePendingActivation),
        Field.Required("plan_id", Shape.Str),
        Field.NullDefault("device_id", Shape.Str),
        Field.WithDefault("data_used_gb", Shape.Float, () => 0.0),
        Field.WithDefault("data_refueling_gb", Shape.Float, () => 0.0),
        Field.WithDefault("roaming_enabled", Shape.Bool, () => false),
        Field.NullDefault("contract_end_date", Shape.Date),
        Field.NullDefault("last_plan_change_date", Shape.Date),
        Field.NullDefault("last_sim_replacement_date", Shape.Date),
        Field.NullDefault("suspension_start_date", Shape.Date),
    ], ForbidExtra: true);

    public static readonly Model LineItem = new("LineItem",
    [
        Field.Required("description", Shape.Str), Field.Required("amount", Shape.Float),
        Field.Required("date", Shape.Date), Field.Required("item_type", Shape.Str),
    ], ForbidExtra: true);

    public const string BillDraft = "Draft";
    public const string BillAwaitingPayment = "Awaiting Payment";
    public const string BillPaid = "Paid";
    public const string BillOverdue = "Overdue";

    public static readonly Model Bill = new("Bill",
    [
        Field.Required("bill_id", Shape.Str),
        Field.Required("customer_id", Shape.Str),
        Field.Required("period_start", Shape.Date),
        Field.Required("period_end", Shape.Date),
        Field.Required("issue_date", Shape.Date),
        Field.Required("total_due", Shape.Float),
        Field.Required("due_date", Shape.Date),
        Field.WithDefault("line_items", Shape.ListOf(LineItem), () => new JsonArray()),
        Field.WithDefault("status", Shape.Enum(BillDraft, "Issued", BillAwaitingPayment, BillPaid, BillOverdue, "Disputed"), () => BillDraft),
    ], ForbidExtra: true);

    public static readonly Model Customer = new("Customer",
    [
        Field.Required("customer_id", Shape.Str),
        Field.Required("full_name", Shape.Str),
        Field.Required("date_of_birth", Shape.Str),
        Field.Required("email", Shape.Str),
        Field.Required("phone_number", Shape.Str),
        Field.Required("address", Address),
        Field.WithDefault("account_status", Shape.Enum("Active", "Suspended", "Pending Verification", "Closed"), () => "Pending Verification"),
        Field.WithDefault("payment_methods", Shape.ListOf(new Model("PaymentMethod",
        [
            Field.Required("method_type", Shape.Enum("Credit Card", "Debit Card", "PayPal")),
            Field.Required("account_number_last_4", Shape.Str),
            Field.Required("expiration_date", Shape.Str),
        ], ForbidExtra: true)), () => new JsonArray()),
        Field.WithDefault("line_ids", Shape.ListOf(Shape.Str), () => new JsonArray()),
        Field.WithDefault("bill_ids", Shape.ListOf(Shape.Str), () => new JsonArray()),
        // upstream's default is the date 2025-01-01 (not validated, so it prints as a date)
        Field.WithDefault("created_at", Shape.DateTime, () => "2025-01-01"),
        Field.NullDefault("last_extension_date", Shape.Date),
        Field.WithDefault("goodwill_credit_used_this_year", Shape.Float, () => 0.0),
    ], ForbidExtra: true);

    public static readonly Model Db = new("TelecomDB",
    [
        Field.WithDefault("plans", Shape.ListOf(Plan), () => new JsonArray()),
        Field.WithDefault("customers", Shape.ListOf(Customer), () => new JsonArray()),
        Field.WithDefault("lines", Shape.ListOf(Line), () => new JsonArray()),
        Field.WithDefault("bills", Shape.ListOf(Bill), () => new JsonArray()),
        Field.WithDefault("devices", Shape.ListOf(Device), () => new JsonArray()),
    ], ForbidExtra: true);

    // ---- user side (the simulated phone and the user's surroundings) ----

    public static readonly string[] SimStatuses = ["active", "missing", "locked_pin", "locked_puk"];
    public static readonly string[] Technologies = ["none", "2G", "3G", "4G", "5G"];
    public static readonly string[] ModePreferences = ["4g_5g_preferred", "4g_only", "3g_only", "2g_only"];
    public static readonly string[] SignalStrengths = ["none", "poor", "fair", "good", "excellent"];
    public static readonly string[] PerformanceLevels = ["unknown", "poor", "fair", "good", "excellent"];
    public static readonly string[] NetworkStatuses = ["connected", "searching", "no_service", "emergency_only"];

    public static readonly Model ApnSettings = new("APNSettings",
    [
        Field.WithDefault("apn_name", Shape.Enum("internet", "broken"), () => "internet"),
        Field.WithDefault("reset_at_reboot", Shape.Bool, () => false),
        Field.WithDefault("mms_apn", Shape.Optional(Shape.Str), () => "mms"),
        Field.WithDefault("mmsc_url", Shape.Optional(Shape.Str), () => "http://mms.carrier.com/mms/wapenc"),
        Field.NullDefault("mms_proxy", Shape.Str),
        Field.NullDefault("mms_port", Shape.Int),
    ], ForbidExtra: true);

    public static readonly Model VpnDetails = new("VpnDetails",
    [
        Field.NullDefault("server_address", Shape.Str),
        Field.NullDefault("protocol", Shape.Str),
        Field.WithDefault("server_performance", Shape.Enum(PerformanceLevels), () => "unknown"),
    ], ForbidExtra: true);

    public static readonly Model AppPermissions = new("AppPermissions",
    [
        Field.WithDefault("sms", Shape.Bool, () => false),
        Field.WithDefault("storage", Shape.Bool, () => false),
        Field.WithDefault("phone", Shape.Bool, () => false),
        Field.WithDefault("network", Shape.Bool, () => false),
    ], ForbidExtra: true);

    public static readonly Model AppStatus = new("AppStatus",
    [
        Field.Required("app_name", Shape.Str),
        Field.WithDefault("permissions", AppPermissions, () => Permissions(false, false, false, false)),
    ], ForbidExtra: true);

    public static JsonObject Permissions(bool sms, bool storage, bool phone, bool network) =>
        new() { ["sms"] = sms, ["storage"] = storage, ["phone"] = phone, ["network"] = network };

    public static JsonObject DefaultApps() => new()
    {
        ["messaging"] = new JsonObject { ["app_name"] = "messaging", ["permissions"] = Permissions(true, true, true, false) },
        ["browser"] = new JsonObject { ["app_name"] = "browser", ["permissions"] = Permissions(false, true, false, true) },
    };

    public static readonly Model Device_ = new("MockPhoneAttributes",
    [
        Field.WithDefault("sim_card_status", Shape.Enum(SimStatuses), () => "active"),
        Field.WithDefault("sim_card_missing", Shape.Bool, () => false),
        Field.WithDefault("airplane_mode", Shape.Bool, () => false),
        Field.WithDefault("network_signal_strength", Shape.Enum(SignalStrengths), () => "good"),
        Field.WithDefault("network_technology_connected", Shape.Enum(Technologies), () => "5G"),
        Field.WithDefault("network_connection_status", Shape.Enum(NetworkStatuses), () => "connected"),
        Field.WithDefault("battery_level", Shape.Int, () => 80),
        Field.WithDefault("data_enabled", Shape.Bool, () => true),
        Field.WithDefault("roaming_enabled", Shape.Bool, () => false),
        Field.WithDefault("network_mode_preference", Shape.Enum(ModePreferences), () => "4g_5g_preferred"),
        Field.WithDefault("active_apn_settings", ApnSettings, () => ShapeValidator.Validate(new JsonObject(), ApnSettings)),
        Field.WithDefault("wifi_enabled", Shape.Bool, () => false),
        Field.WithDefault("wifi_connected", Shape.Bool, () => false),
        Field.NullDefault("wifi_ssid", Shape.Str),
        Field.WithDefault("wifi_signal_strength", Shape.Enum(SignalStrengths), () => "none"),
        Field.WithDefault("wifi_calling_enabled", Shape.Bool, () => false),
        Field.WithDefault("wifi_calling_mms_over_wifi", Shape.Bool, () => false),
        Field.WithDefault("data_saver_mode", Shape.Bool, () => false),
        Field.WithDefault("vpn_enabled_setting", Shape.Bool, () => false),
        Field.WithDefault("vpn_connected", Shape.Bool, () => false),
        Field.NullDefault("vpn_details", VpnDetails),
        Field.WithDefault("app_statuses", Shape.DictOf(AppStatus), DefaultApps),
    ], ForbidExtra: true);

    public static readonly Model PaymentRequest = new("PaymentRequest",
    [
        Field.Required("bill_id", Shape.Str),
        Field.Required("amount_due", Shape.Float),
        Field.WithDefault("paid", Shape.Bool, () => false),
    ], ForbidExtra: true);

    public static readonly Model Surroundings = new("UserSurroundings",
    [
        Field.NullDefault("name", Shape.Str),
        Field.NullDefault("phone_number", Shape.Str),
        Field.WithDefault("is_abroad", Shape.Bool, () => false),
        Field.WithDefault("roaming_allowed", Shape.Bool, () => false),
        Field.WithDefault("signal_strength", Shape.DictOf(Shape.Enum(SignalStrengths)),
            () => new JsonObject { ["2G"] = "poor", ["3G"] = "fair", ["4G"] = "good", ["5G"] = "excellent" }),
        Field.WithDefault("mobile_data_usage_exceeded", Shape.Bool, () => false),
        Field.WithDefault("line_active", Shape.Bool, () => true),
        Field.NullDefault("payment_request", PaymentRequest),
    ], ForbidExtra: true);

    public static readonly Model UserDb = new("TelecomUserDB",
    [
        Field.WithDefault("device", Device_, () => ShapeValidator.Validate(new JsonObject(), Device_)),
        Field.WithDefault("surroundings", Surroundings, () => ShapeValidator.Validate(new JsonObject(), Surroundings)),
    ], ForbidExtra: true);
}
