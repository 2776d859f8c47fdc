using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Telecom;

/// <summary>
/// The telecom environment: after every tool call and step the user's phone is synced with the agent's records
/// (line active, roaming allowed, data usage exceeded), a paid payment request marks its bill paid, and a bill
/// awaiting payment becomes a payment request on the phone.
/// </summary>
public sealed class TelecomEnvironment(string domainName, string policy, TelecomTools tools, TelecomUserTools userTools)
    : Tau2Environment(domainName, policy, tools, userTools)
{
    public override void SyncTools()
    {
        var agent = (TelecomTools)AgentTools;
        var user = (TelecomUserTools)UserTools!;
        var surroundings = user.Surroundings;
        var phone = surroundings["phone_number"];
        if (phone is null) return;

        var line = agent.LineByPhone(phone);
        surroundings["line_active"] = Py.Str(line["status"]) == TelecomSchema.LineActive;
        surroundings["roaming_allowed"] = TelecomTools.Truthy(line["roaming_enabled"]);
        var plan = agent.Plan(line["plan_id"]);
        surroundings["mobile_data_usage_exceeded"] =
            Py.Num(line["data_used_gb"]) >= Py.Num(plan["data_limit_gb"]) + Py.Num(line["data_refueling_gb"]);

        if (surroundings["payment_request"] is JsonObject request && TelecomTools.Truthy(request["paid"]))
        {
            agent.SetBillPaid(request["bill_id"]);
            surroundings["payment_request"] = null;
        }
        if (surroundings["payment_request"] is null)
        {
            var awaiting = agent.AwaitingPayment(agent.CustomerByPhone(phone));
            if (awaiting.Count > 0)
                surroundings["payment_request"] = new JsonObject
                {
                    ["bill_id"] = Py.Clone(awaiting[0]["bill_id"]),
                    ["amount_due"] = Py.Float(Py.Num(awaiting[0]["total_due"])),
                    ["paid"] = false,
                };
        }
    }
}
