using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;
using S = ToolOrchestra.Environments.Tau2.Telecom.TelecomSchema;

namespace ToolOrchestra.Environments.Tau2.Telecom;

/// <summary>
/// The telecom user's phone (upstream TelecomUserTools): the user simulator's tools, the device physics behind them
/// (network search, speed test, MMS capability), and the functions tasks use to break the phone and assert the fix.
/// </summary>
public sealed class TelecomUserTools(Database db) : Toolkit("TelecomUserTools", db, Catalog)
{
    /// <summary>
    /// The performance a new VPN connection gets. upstream hands every connection its one class-level
    /// <c>default_vpn_details</c> object, and <c>break_vpn</c> sets that object's performance to "poor" in place, so
    /// later connections are poor too. Held per phone (one per environment) rather than per process: a simulation
    /// sees upstream's behaviour, but one simulation's <c>break_vpn</c> cannot slow another's VPN.
    /// </summary>
    private string _defaultVpnPerformance = "excellent";

    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<TelecomUserTools>()
        .Helper("set_user_info", (t, a) => { t.Surroundings["name"] = Py.Clone(a["name"]); t.Surroundings["phone_number"] = Py.Clone(a["phone_number"]); return null; },
            P.Str("name", null), P.Str("phone_number", null))
        .Helper("set_user_location", (t, a) => { t.Surroundings["is_abroad"] = Py.Clone(a["abroad"]); return null; }, P.Bool("abroad", null))
        .Tool("check_status_bar", ToolType.Read, "Shows what icons are currently visible in your phone's status bar (the area at the top of the screen). Displays network signal strength, mobile data status (enabled, disabled, data saver), Wi-Fi status, and battery level.",
            (t, _) => "Status Bar: " + t.StatusBar())
        .Tool("check_network_status", ToolType.Read, "Checks your phone's connection status to cellular networks and Wi-Fi. Shows airplane mode status, signal strength, network type, whether mobile data is enabled, and whether data roaming is enabled.",
            (t, _) => t.NetworkStatus())
        .Tool("check_network_mode_preference", ToolType.Read, "Shows the current network mode preference.",
            (t, _) => $"Network Mode Preference: {Py.ToStr(t.Device["network_mode_preference"])}")
        .Tool("set_network_mode_preference", ToolType.Write, "Changes the type of cellular network your phone prefers to connect to (e.g., 5G, LTE/4G, 3G). Higher-speed networks (LTE/5G) provide faster data but may use more battery.",
            (t, a) => t.SetNetworkModePreference(a),
            P.Enum("mode", null, S.ModePreferences))
        .Tool("run_speed_test", ToolType.Read, "Measures your current internet connection speed (download speed). Provides information about connection quality and what activities it can support.",
            (t, _) => t.RunSpeedTest())
        .Tool("toggle_airplane_mode", ToolType.Write, "Toggles Airplane Mode ON or OFF. When ON, it disconnects all wireless communications including cellular, Wi-Fi, and Bluetooth.\n\nReturns the new state of airplane_mode.",
            (t, _) => $"Airplane Mode is now {(t.ToggleAirplaneMode() ? "ON" : "OFF")}.\nStatus Bar: {t.StatusBar()}")
        .Helper("turn_airplane_mode_on", (t, _) => { if (!t.ToggleAirplaneMode()) t.ToggleAirplaneMode(); return "Airplane Mode is now ON."; })
        .Helper("turn_airplane_mode_off", (t, _) => { if (t.ToggleAirplaneMode()) t.ToggleAirplaneMode(); return "Airplane Mode is now OFF."; })
        .Tool("check_sim_status", ToolType.Read, "Checks if your SIM card is working correctly and displays its current status. Shows if the SIM is active, missing, or locked with a PIN or PUK code.",
            (t, _) => t.SimStatus() switch
            {
                "active" => "Your SIM card is active and working.",
                "missing" => "No SIM card detected in the phone.",
                "locked_pin" => "The SIM card is locked with a PIN code.",
                "locked_puk" => "The SIM card is locked with a PUK code.",
                var other => $"Unknown SIM status: {other}",
            })
        .Tool("reseat_sim_card", ToolType.Write, "Simulates removing and reinserting your SIM card. This can help resolve recognition issues.",
            (t, _) => { t.Device["sim_card_missing"] = false; t.SimulateNetworkSearch(); return $"SIM card re-seated successfully.\nStatus Bar: {t.StatusBar()}"; })
        .Helper("unseat_sim_card", (t, _) => { t.Device["sim_card_missing"] = true; t.SimulateNetworkSearch(); return "SIM card un-seated successfully."; })
        .Helper("lock_sim_card", (t, a) => t.LockSimCard(a), P.Str("mode", null))
        .Tool("toggle_data", ToolType.Write, "Toggles your phone's mobile data connection ON or OFF. Controls whether your phone can use cellular data for internet access when Wi-Fi is unavailable.\n\nReturns the new data connection status.",
            (t, _) => $"Mobile Data is now {(t.ToggleData() ? "ON" : "OFF")}.\nStatus Bar: {t.StatusBar()}")
        .Helper("turn_data_on", (t, _) => { t.Device["data_enabled"] = true; return "Data connection restored."; })
        .Helper("turn_data_off", (t, _) => { if (t.ToggleData()) t.ToggleData(); return "Data connection broken."; })
        .Tool("toggle_roaming", ToolType.Write, "Toggles Data Roaming ON or OFF. When ON, your phone can use data networks in areas outside your carrier's coverage.\n\nReturns the new data roaming status.",
            (t, _) => $"Data Roaming is now {(t.ToggleRoaming() ? "ON" : "OFF")}.\nStatus Bar: {t.StatusBar()}")
        .Helper("turn_roaming_on", (t, _) => { if (!t.ToggleRoaming()) t.ToggleRoaming(); return "Data Roaming is now ON."; })
        .Helper("turn_roaming_off", (t, _) => { if (t.ToggleRoaming()) t.ToggleRoaming(); return "Data Roaming is now OFF."; })
        .Tool("check_data_restriction_status", ToolType.Read, "Checks if your phone has any data-limiting features active. Shows if Data Saver mode is on.",
            (t, _) => Truthy(t.Device["data_saver_mode"]) ? "Data Saver mode is ON (limits data usage)." : "Data Saver mode is OFF.")
        .Tool("toggle_data_saver_mode", ToolType.Write, "Toggles Data Saver mode ON or OFF. When ON, it reduces data usage, which may affect data speed.\n\nReturns the new data saver mode status.",
            (t, _) => $"Data Saver Mode is now {(t.ToggleDataSaver() ? "ON" : "OFF")}.\nStatus Bar: {t.StatusBar()}")
        .Helper("turn_data_saver_mode_on", (t, _) => { if (!t.ToggleDataSaver()) t.ToggleDataSaver(); return "Data Saver Mode is now ON."; })
        .Helper("turn_data_saver_mode_off", (t, _) => { if (t.ToggleDataSaver()) t.ToggleDataSaver(); return "Data Saver Mode is now OFF."; })
        .Tool("check_apn_settings", ToolType.Read, "Checks the technical APN settings your phone uses to connect to your carrier's mobile data network. Shows current APN name and MMSC URL for picture messaging.",
            (t, _) => t.CheckApnSettings())
        .Tool("set_apn_settings", ToolType.Write, "Sets the APN settings for the phone.", (t, a) => t.SetApnSettings(a),
            P.Object("apn_settings", null, ApnSettingsSchema()))
        .Tool("reset_apn_settings", ToolType.Write, "Resets your APN settings to the default settings.",
            (t, _) => { ((JsonObject)t.Device["active_apn_settings"]!)["reset_at_reboot"] = true; t.SimulateNetworkSearch(); return $"APN settings will reset at reboot.\nStatus Bar: {t.StatusBar()}"; })
        .Helper("break_apn_settings", (t, _) => t.BreakApnSettings())
        .Helper("break_apn_mms_setting", (t, _) => t.BreakApnMmsSetting())
        .Tool("check_wifi_status", ToolType.Read, "Checks your Wi-Fi connection status. Shows if Wi-Fi is turned on, which network you're connected to (if any), and the signal strength.",
            (t, _) => t.CheckWifiStatus())
        .Tool("toggle_wifi", ToolType.Write, "Toggles your phone's Wi-Fi radio ON or OFF. Controls whether your phone can discover and connect to wireless networks for internet access.\n\nReturns the new Wi-Fi status.",
            (t, _) => t.ToggleWifi())
        .Tool("check_wifi_calling_status", ToolType.Read, "Checks if Wi-Fi Calling is enabled on your device. This feature allows you to make and receive calls over a Wi-Fi network instead of using the cellular network.",
            (t, _) => $"Wi-Fi Calling is currently turned {(Truthy(t.Device["wifi_calling_enabled"]) ? "ON" : "OFF")}.")
        .Tool("toggle_wifi_calling", ToolType.Write, "Toggles Wi-Fi Calling ON or OFF. This feature allows you to make and receive calls over Wi-Fi instead of the cellular network, which can help in areas with weak cellular signal.\n\nReturns the new Wi-Fi Calling status.",
            (t, _) => $"Wi-Fi Calling is now {(t.ToggleWifiCalling() ? "ON" : "OFF")}.\nStatus Bar: {t.StatusBar()}")
        .Helper("set_wifi_calling", (t, a) => t.SetWifiCalling(a), P.Bool("enabled", null), P.Bool("mms_over_wifi", null).Optional(null))
        .Tool("check_vpn_status", ToolType.Read, "Checks if you're using a VPN (Virtual Private Network) connection. Shows if a VPN is active, connected, and displays any available connection details.",
            (t, _) => t.CheckVpnStatus())
        .Tool("connect_vpn", ToolType.Write, "Connects to your VPN (Virtual Private Network).",
            (t, _) => t.ConnectVpn() ? $"VPN connected successfully.\nStatus Bar: {t.StatusBar()}" : "VPN already connected.")
        .Tool("disconnect_vpn", ToolType.Write, "Disconnects any active VPN (Virtual Private Network) connection. Stops routing your internet traffic through a VPN server, which might affect connection speed or access to content.",
            (t, _) => $"{(t.DisconnectVpn() ? "VPN disconnected successfully." : "No active VPN connection to disconnect.")}\nStatus Bar: {t.StatusBar()}")
        .Helper("break_vpn", (t, _) => t.BreakVpn())
        .Tool("check_installed_apps", ToolType.Read, "Returns the name of all installed apps on the phone.",
            (t, _) => "The following apps are installed on the phone: " + string.Join(", ", t.Apps.Select(p => p.Key)))
        .Tool("check_app_status", ToolType.Read, "Checks detailed information about a specific app. Shows its permissions and background data usage settings.",
            (t, a) => t.CheckAppStatus(a), P.Str("app_name", null))
        .Tool("check_app_permissions", ToolType.Read, "Checks what permissions a specific app currently has. Shows if the app has access to features like storage, camera, location, etc.",
            (t, a) => t.CheckAppPermissions(a), P.Str("app_name", null))
        .Tool("grant_app_permission", ToolType.Write, "Gives a specific permission to an app (like access to storage, camera, or location). Required for some app functions to work properly.",
            (t, a) => t.GrantAppPermission(a),
            P.Str("app_name", "The name of the app to grant the permission to."),
            P.Str("permission", "The permission to grant, should be lowercase."))
        .Helper("remove_app_permission", (t, a) => t.RemoveAppPermission(a), P.Str("app_name", null), P.Str("permission", null))
        .Tool("can_send_mms", ToolType.Read, "Checks if the default messaging app can send MMS messages.",
            (t, _) => t.CanSendMms() ? "Your messaging app can send MMS messages." : "Your messaging app cannot send MMS messages.")
        .Tool("reboot_device", ToolType.Write, "Restarts your phone completely. This can help resolve many temporary software glitches by refreshing all running services and connections.",
            (t, _) => $"{t.RebootDevice()}\nStatus Bar: {t.StatusBar()}")
        .Helper("simulate_network_search", (t, _) => { t.SimulateNetworkSearch(); return null; })
        .Tool("check_payment_request", ToolType.Read, "Checks if the agent has sent you a payment request.",
            (t, _) => t.Surroundings["payment_request"] is JsonObject r
                ? $"You have a payment request for bill {Py.ToStr(r["bill_id"])} of {Py.ToStr(r["amount_due"])} USD."
                : "No payment request has been made.")
        .Tool("make_payment", ToolType.Write, "Makes a payment for the bill that the agent has sent you.", (t, _) => t.MakePayment())
        .Helper("assert_airplane_mode_status", (t, a) => Py.Equal(t.Device["airplane_mode"], a["expected_status"]), P.Bool("expected_status", null))
        .Helper("assert_service_status", (t, a) => t.AssertServiceStatus(a), P.Str("expected_status", null))
        .Helper("assert_mobile_data_status", (t, a) => Py.Equal(Py.Bool(t.MobileDataWorking()), a["expected_status"]), P.Bool("expected_status", null))
        .Helper("assert_mobile_roaming_status", (t, a) => Py.Equal(t.Device["roaming_enabled"], a["expected_status"]), P.Bool("expected_status", null))
        .Helper("assert_mobile_data_saver_mode_status", (t, a) => Py.Equal(t.Device["data_saver_mode"], a["expected_status"]), P.Bool("expected_status", null))
        .Helper("assert_internet_speed", (t, a) => t.AssertInternetSpeed(a), P.Number("expected_speed", null), P.Str("expected_desc", null).Optional(null))
        .Helper("assert_internet_not_excellent", (t, _) => t.SpeedTest().Description.ToLowerInvariant() != "excellent")
        .Helper("assert_can_send_mms", (t, a) => Py.Equal(Py.Bool(t.CanSendMms()), a["expected_status"]), P.Bool("expected_status", null))
        .Helper("assert_mobile_data_usage_exceeded", (t, a) => Py.Equal(t.Surroundings["mobile_data_usage_exceeded"], a["expected_status"]), P.Bool("expected_status", null))
        .Build();

    private static JsonObject ApnSettingsSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["apn_name"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("internet", "broken") },
            ["reset_at_reboot"] = new JsonObject { ["type"] = "boolean" },
            ["mms_apn"] = new JsonObject { ["type"] = "string" },
            ["mmsc_url"] = new JsonObject { ["type"] = "string" },
            ["mms_proxy"] = new JsonObject { ["type"] = "string" },
            ["mms_port"] = new JsonObject { ["type"] = "integer" },
        },
    };

    internal JsonObject Device => (JsonObject)Db!.EditField("device")!;
    internal JsonObject Surroundings => (JsonObject)Db!.EditField("surroundings")!;
    private JsonObject Apps => (JsonObject)Device["app_statuses"]!;

    private static bool Truthy(JsonNode? v) => TelecomTools.Truthy(v);
    private bool Is(string field, string value) => Py.Str(Device[field]) == value;

    // ---- status bar and network ----

    internal string StatusBar()
    {
        var d = Device;
        var parts = new List<string>();
        if (Truthy(d["airplane_mode"])) parts.Add("✈️ Airplane Mode");
        else
        {
            parts.Add(Py.Str(d["network_signal_strength"]) switch
            {
                "poor" => "📶¹ Poor",
                "fair" => "📶² Fair",
                "good" => "📶³ Good",
                "excellent" => "📶⁴ Excellent",
                _ => "📵 No Signal",
            });
            var technology = Py.Str(d["network_technology_connected"]);
            if (technology != "none") parts.Add(Py.ToStr(d["network_technology_connected"]));
            if (Truthy(d["data_enabled"]) && technology != "none")
            {
                parts.Add("📱 Data Enabled");
                if (Truthy(d["data_saver_mode"])) parts.Add("🔽 Data Saver");
            }
            else parts.Add("📵 Data Disabled");
        }
        if (Truthy(d["wifi_enabled"]) && Truthy(d["wifi_connected"]))
            parts.Add(Truthy(d["wifi_ssid"]) ? $"📡 Connected to {Py.ToStr(d["wifi_ssid"])}" : "📡 Enabled");
        if (Truthy(d["vpn_connected"])) parts.Add("🔒 VPN Connected");
        parts.Add($"🔋 {Py.ToStr(d["battery_level"])}%");
        return string.Join(" | ", parts);
    }

    private string SimStatus() => Truthy(Device["sim_card_missing"]) ? "missing" : Py.ToStr(Device["sim_card_status"]);

    private string NetworkStatus()
    {
        var d = Device;
        var lines = new List<string>
        {
            $"Airplane Mode: {(Truthy(d["airplane_mode"]) ? "ON" : "OFF")}",
            $"SIM Card Status: {SimStatus()}",
            $"Cellular Connection: {Py.ToStr(d["network_connection_status"])}",
            $"Cellular Signal: {Py.ToStr(d["network_signal_strength"])}",
            $"Cellular Network Type: {Py.ToStr(d["network_technology_connected"])}",
            $"Mobile Data Enabled: {(Truthy(d["data_enabled"]) ? "Yes" : "No")}",
            $"Data Roaming Enabled: {(Truthy(d["roaming_enabled"]) ? "Yes" : "No")}",
            $"Wi-Fi Radio: {(Truthy(d["wifi_enabled"]) ? "ON" : "OFF")}",
            $"Wi-Fi Connected: {(Truthy(d["wifi_connected"]) ? "Yes" : "No")}",
        };
        if (Truthy(d["wifi_connected"])) lines.Add($"Connected Wi-Fi Network: {Py.ToStr(d["wifi_ssid"])}");
        return string.Join("\n", lines);
    }

    private string SetNetworkModePreference(ToolArgs a)
    {
        var mode = a["mode"];
        if (Py.Str(mode) is { } text)
        {
            if (!S.ModePreferences.Contains(text))
                return $"Failed to set network mode: '{text}' is not a valid option. Please use one of: {string.Join(", ", S.ModePreferences)}\nStatus Bar: {StatusBar()}";
            Device["network_mode_preference"] = text;
            SimulateNetworkSearch();
            return $"Preferred Network Mode set to: {text}\nStatus Bar: {StatusBar()}";
        }
        Device["network_mode_preference"] = Py.Clone(mode); // not a str: assigned as is, then .value fails
        SimulateNetworkSearch();
        throw new ToolError($"'{Py.TypeName(mode)}' object has no attribute 'value'");
    }

    /// <summary>upstream <c>simulate_network_search</c>: connection, technology and signal from SIM, preference and surroundings.</summary>
    internal void SimulateNetworkSearch()
    {
        var d = Device;
        var signal = (JsonObject)Surroundings["signal_strength"]!;
        string Signal(string technology) => Py.Str(signal[technology]) ?? "none";
        if (SimStatus() == "active")
        {
            d["network_connection_status"] = "connected";
            var (technology, strength) = Py.Str(d["network_mode_preference"]) switch
            {
                "4g_5g_preferred" => Signal("5G") == "none" ? ("4G", Signal("4G")) : ("5G", Signal("5G")),
                "4g_only" => ("4G", Signal("4G")),
                "3g_only" => ("3G", Signal("3G")),
                "2g_only" => ("2G", Signal("2G")),
                _ => ("4G", Signal("4G")),
            };
            d["network_technology_connected"] = technology;
            d["network_signal_strength"] = strength;
        }
        else NoService(d);
        if (Truthy(d["airplane_mode"])) NoService(d);
        if (Py.Str(((JsonObject)d["active_apn_settings"]!)["apn_name"]) == "broken") NoService(d);
        if (!Truthy(Surroundings["line_active"])) NoService(d);
    }

    private static void NoService(JsonObject d)
    {
        d["network_connection_status"] = "no_service";
        d["network_technology_connected"] = "none";
        d["network_signal_strength"] = "none";
    }

    internal bool MobileDataWorking()
    {
        var d = Device;
        if (Truthy(d["airplane_mode"]) || Is("network_signal_strength", "none")) return false;
        if (Is("network_connection_status", "no_service")) return false;
        if (Truthy(Surroundings["is_abroad"]) && (!Truthy(d["roaming_enabled"]) || !Truthy(Surroundings["roaming_allowed"]))) return false;
        if (!Truthy(d["data_enabled"])) return false;
        if (Truthy(Surroundings["mobile_data_usage_exceeded"])) return false;
        return true;
    }

    internal (double? Speed, string Description) SpeedTest()
    {
        if (!MobileDataWorking()) return (null, "No Connection");
        var d = Device;
        var factor = Truthy(d["vpn_connected"]) && d["vpn_details"] is JsonObject vpn && Py.Str(vpn["server_performance"]) == "poor" ? 0.1 : 1.0;
        if (Truthy(d["data_saver_mode"])) factor *= 0.2;
        var (min, max) = Py.Str(d["network_technology_connected"]) switch
        {
            "2G" => (0.1, 0.4),
            "3G" => (1.0, 5.0),
            "4G" => (10.0, 100.0),
            "5G" => (50.0, 500.0),
            _ => (0.0, 0.0),
        };
        var signalFactor = Py.Str(d["network_signal_strength"]) switch
        {
            "poor" => 0.2,
            "fair" => 0.5,
            "good" => 0.8,
            "excellent" => 1.0,
            _ => 0.0,
        };
        var speed = PyFloat.Round((min + max) / 2.0 * signalFactor * factor, 2);
        var description = speed < 1 ? "Very Poor" : speed < 5 ? "Poor" : speed < 25 ? "Fair" : speed < 100 ? "Good" : "Excellent";
        return (speed, description);
    }

    private string RunSpeedTest()
    {
        var (speed, description) = SpeedTest();
        if (speed is null) return $"Speed test failed: {description}.";
        var advice = description switch
        {
            "Very Poor" => "Connection is very slow. Basic web browsing might be difficult.",
            "Poor" => "Connection is slow. Web browsing may be sluggish, streaming difficult.",
            "Fair" => "Connection is okay for web browsing and some standard definition streaming.",
            "Good" => "Connection is good for most activities, including HD streaming.",
            "Excellent" => "Connection is very fast.",
            _ => "",
        };
        return $"Speed Test Result: {PyFloat.FormatFixed(speed.Value, 2)} Mbps ({description}). {advice}";
    }

    // ---- toggles ----

    private bool ToggleAirplaneMode()
    {
        var d = Device;
        var wasOn = Truthy(d["airplane_mode"]);
        d["airplane_mode"] = !wasOn;
        if (wasOn)
        {
            d["network_connection_status"] = "searching";
            if (Truthy(d["wifi_enabled"])) WifiDisconnected(d);
        }
        else
        {
            WifiDisconnected(d);
            if (Truthy(d["vpn_connected"])) DisconnectVpn();
        }
        SimulateNetworkSearch();
        return !wasOn;
    }

    private static void WifiDisconnected(JsonObject d)
    {
        d["wifi_connected"] = false;
        d["wifi_ssid"] = null;
        d["wifi_signal_strength"] = "none";
    }

    private bool ToggleData()
    {
        var state = !Truthy(Device["data_enabled"]);
        Device["data_enabled"] = state;
        SimulateNetworkSearch();
        return state;
    }

    private bool ToggleRoaming()
    {
        var state = !Truthy(Device["roaming_enabled"]);
        Device["roaming_enabled"] = state;
        SimulateNetworkSearch();
        return state;
    }

    private bool ToggleDataSaver()
    {
        var state = !Truthy(Device["data_saver_mode"]);
        Device["data_saver_mode"] = state;
        return state;
    }

    private bool ToggleWifiCalling()
    {
        var state = !Truthy(Device["wifi_calling_enabled"]);
        Device["wifi_calling_enabled"] = state;
        return state;
    }

    private string SetWifiCalling(ToolArgs a)
    {
        if (!Py.Equal(Device["wifi_calling_enabled"], a["enabled"])) ToggleWifiCalling();
        var message = $"Wi-Fi Calling is now {(Truthy(a["enabled"]) ? "ON" : "OFF")}.";
        if (a["mms_over_wifi"] is not null)
        {
            Device["wifi_calling_mms_over_wifi"] = Py.Clone(a["mms_over_wifi"]);
            message += $"\nMMS over Wi-Fi is now {(Truthy(a["mms_over_wifi"]) ? "ON" : "OFF")}.";
        }
        return message;
    }

    private string ToggleWifi()
    {
        var d = Device;
        if (Truthy(d["airplane_mode"])) return $"Cannot change Wi-Fi settings while Airplane Mode is ON.\nStatus Bar: {StatusBar()}";
        var state = !Truthy(d["wifi_enabled"]);
        d["wifi_enabled"] = state;
        if (!state) WifiDisconnected(d);
        return $"Wi-Fi is now {(state ? "ON" : "OFF")}.\nStatus Bar: {StatusBar()}";
    }

    private string CheckWifiStatus()
    {
        var d = Device;
        if (!Truthy(d["wifi_enabled"])) return "Wi-Fi is turned OFF.";
        return Truthy(d["wifi_connected"])
            ? $"Wi-Fi is ON and connected to '{Py.ToStr(d["wifi_ssid"])}'. Signal strength: {Py.ToStr(d["wifi_signal_strength"])}."
            : "Wi-Fi is ON but not connected to any network.";
    }

    // ---- SIM and APN ----

    private string LockSimCard(ToolArgs a)
    {
        var mode = a.Str("mode");
        if (mode == "pin") Device["sim_card_status"] = "locked_pin";
        else if (mode == "puk") Device["sim_card_status"] = "locked_puk";
        SimulateNetworkSearch();
        return $"SIM card locked successfully in {a.Text("mode")} mode.";
    }

    private string CheckApnSettings()
    {
        var apn = (JsonObject)Device["active_apn_settings"]!;
        var name = Py.Str(apn["apn_name"]) is { Length: > 0 } n ? n : "Not Set";
        var mmsc = Truthy(apn["mmsc_url"]) ? Py.ToStr(apn["mmsc_url"]) : "Not Set";
        return $"Current APN Name: {name}\nMMSC URL (for picture messages): {mmsc}\n(These are technical settings, usually best left unchanged.)";
    }

    private string SetApnSettings(ToolArgs a)
    {
        if (a["apn_settings"] is not JsonObject raw)
            throw new ToolError($"'{Py.TypeName(a["apn_settings"])}' object has no attribute 'apn_name'");
        var settings = ShapeValidator.Construct(S.ApnSettings, raw);
        Device["active_apn_settings"] = settings;
        var status = $"APN settings set to: {Py.ToStr(settings["apn_name"])}";
        SimulateNetworkSearch();
        return $"{status}\nStatus Bar: {StatusBar()}";
    }

    private string BreakApnSettings()
    {
        ((JsonObject)Device["active_apn_settings"]!)["apn_name"] = "broken";
        SimulateNetworkSearch();
        if (!Is("network_connection_status", "no_service")) throw new ToolError("");
        return "APN settings broken. Please call reset_apn_settings() to fix.";
    }

    private string BreakApnMmsSetting()
    {
        ((JsonObject)Device["active_apn_settings"]!)["mmsc_url"] = null;
        if (CanSendMms()) throw new ToolError("");
        return "APN MMS setting broken. Please call reset_apn_settings() to fix.";
    }

    private string RebootDevice()
    {
        var lines = new List<string>();
        var d = Device;
        if (Truthy(((JsonObject)d["active_apn_settings"]!)["reset_at_reboot"]))
        {
            lines.Add("Resetting APN settings...");
            d["active_apn_settings"] = ShapeValidator.Validate(new JsonObject(), S.ApnSettings);
        }
        lines.Add("Restarting network services...");
        d["network_connection_status"] = "searching";
        SimulateNetworkSearch();
        return string.Join("\n", lines);
    }

    // ---- VPN ----

    private string CheckVpnStatus()
    {
        var d = Device;
        if (Truthy(d["vpn_connected"]))
        {
            if (d["vpn_details"] is JsonObject details)
            {
                // Python prints the model_dump() dict; the enum field shows as its repr
                var performance = Py.ToStr(details["server_performance"]);
                var member = S.PerformanceLevels.Contains(performance) ? $"<PerformanceLevel.{performance.ToUpperInvariant()}: {Py.StrRepr(performance)}>" : Py.Repr(details["server_performance"]);
                return $"VPN is ON and connected. Details: {{'server_address': {Py.Repr(details["server_address"])}, 'protocol': {Py.Repr(details["protocol"])}, 'server_performance': {member}}}";
            }
            return "VPN is ON and connected (no specific details available).";
        }
        return Truthy(d["vpn_enabled_setting"]) ? "VPN is turned ON in settings, but currently not connected." : "VPN is turned OFF.";
    }

    private bool ConnectVpn()
    {
        var d = Device;
        if (Truthy(d["vpn_connected"])) return false;
        d["vpn_connected"] = true;
        d["vpn_details"] = new JsonObject { ["server_address"] = "192.168.1.1", ["protocol"] = "OpenVPN", ["server_performance"] = _defaultVpnPerformance };
        return true;
    }

    private bool DisconnectVpn()
    {
        var d = Device;
        if (!Truthy(d["vpn_connected"])) return false;
        d["vpn_connected"] = false;
        d["vpn_details"] = null;
        return true;
    }

    private string BreakVpn()
    {
        ConnectVpn();
        _defaultVpnPerformance = "poor";
        ((JsonObject)Device["vpn_details"]!)["server_performance"] = "poor";
        return "VPN connection broken.";
    }

    // ---- apps and MMS ----

    private static List<string> Granted(JsonObject app) =>
        ((JsonObject)app["permissions"]!).Where(p => Truthy(p.Value)).Select(p => p.Key.Replace('_', ' ').ToLowerInvariant()).ToList();

    private string CheckAppStatus(ToolArgs a)
    {
        if (Py.Str(a["app_name"]) is not { } name || Apps[name] is not JsonObject app) return $"App '{a.Text("app_name")}' not found on this phone.";
        var lines = new List<string> { $"Status for App: {name}" };
        var granted = Granted(app);
        if (granted.Count == 0) lines.Add(" - Permissions: None granted.");
        else
        {
            lines.Add(" - Permissions Granted:");
            lines.AddRange(granted.Select(p => $"   - {p}"));
        }
        return string.Join("\n", lines);
    }

    private string CheckAppPermissions(ToolArgs a)
    {
        if (Py.Str(a["app_name"]) is not { } name || Apps[name] is not JsonObject app) return $"App '{a.Text("app_name")}' not found on this phone.";
        var granted = Granted(app);
        return granted.Count == 0
            ? $"App '{name}' currently has no permissions granted."
            : $"App '{name}' has permission for: {string.Join(", ", granted)}.";
    }

    private string GrantAppPermission(ToolArgs a)
    {
        var permission = Py.Str(a["permission"])?.ToLowerInvariant() ?? throw new ToolError($"'{Py.TypeName(a["permission"])}' object has no attribute 'lower'");
        string result;
        if (Py.Str(a["app_name"]) is { } name && Apps[name] is JsonObject app)
        {
            var permissions = (JsonObject)app["permissions"]!;
            if (!permissions.ContainsKey(permission))
                result = $"Error. Permission '{permission}' not tracked for app '{name}', available permissions: [{string.Join(", ", permissions.Select(p => Py.StrRepr(p.Key)))}]";
            else
            {
                permissions[permission] = true;
                result = $"Success. Permission '{permission}' granted to app '{name}'.";
            }
        }
        else result = $"Error. App '{a.Text("app_name")}' not found. Cannot grant permission.";
        return $"{result}\nStatus Bar: {StatusBar()}";
    }

    private JsonNode RemoveAppPermission(ToolArgs a)
    {
        var permission = Py.Str(a["permission"])?.ToLowerInvariant() ?? throw new ToolError($"'{Py.TypeName(a["permission"])}' object has no attribute 'lower'");
        if (Py.Str(a["app_name"]) is { } name && Apps[name] is JsonObject app)
        {
            var permissions = (JsonObject)app["permissions"]!;
            if (!permissions.ContainsKey(permission))
                return new JsonArray(false, $"Permission '{permission}' not tracked for app '{name}'.");
            permissions[permission] = false;
            return new JsonArray(true, $"Permission '{permission}' removed from app '{name}'.");
        }
        return new JsonArray(false, $"App '{a.Text("app_name")}' not found. Cannot remove permission.");
    }

    internal bool CanSendMms()
    {
        var d = Device;
        if (!MobileDataWorking()) return false;
        if (Is("network_technology_connected", "2G")) return false;
        if (Truthy(d["wifi_calling_enabled"]) && Truthy(d["wifi_calling_mms_over_wifi"])) return false;
        if (((JsonObject)d["active_apn_settings"]!)["mmsc_url"] is null) return false;
        if (Apps["messaging"] is not JsonObject messaging) return false;
        var permissions = (JsonObject)messaging["permissions"]!;
        return Truthy(permissions["storage"]) && Truthy(permissions["sms"]);
    }

    // ---- payments ----

    private string MakePayment()
    {
        if (Surroundings["payment_request"] is not JsonObject request) return "You do not have a payment request.";
        request["paid"] = true;
        return $"Payment of {Py.ToStr(request["amount_due"])} USD has been made for bill {Py.ToStr(request["bill_id"])}.";
    }

    // ---- assertions ----

    private bool AssertServiceStatus(ToolArgs a)
    {
        var expected = a.Str("expected_status");
        if (expected is null || !S.NetworkStatuses.Contains(expected))
            throw new ToolError($"{Py.Repr(a["expected_status"])} is not a valid NetworkStatus");
        return Is("network_connection_status", expected);
    }

    private bool AssertInternetSpeed(ToolArgs a)
    {
        var (speed, description) = SpeedTest();
        var value = speed ?? 0.0;
        var expected = Py.Num(a["expected_speed"]);
        if (a["expected_desc"] is null) return value >= expected;
        return value >= expected && description.ToLowerInvariant() == (Py.Str(a["expected_desc"]) ?? "").ToLowerInvariant();
    }
}
