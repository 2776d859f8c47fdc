using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

/// <summary>
/// A task's gold trajectory: its reference actions made as tool calls by the assistant or the user (as each action's
/// <c>requestor</c> says) with the real results of a fresh environment, then one agent message stating every
/// <c>communicate_info</c> item. It is what a perfect agent would leave behind; scoring it checks the task data and
/// our tools together.
/// </summary>
public static class GoldTrajectory
{
    public const string Greeting = Tau2Prompts.Greeting;

    public static IReadOnlyList<Tau2Message> Build(Tau2Domain domain, Tau2Task task)
    {
        var env = domain.CreateEnvironment();
        var history = task.InitialState?.MessageHistory ?? [];
        env.SetState(task.InitialState, history);
        var messages = new List<Tau2Message>();
        if (history.Count == 0) messages.Add(Tau2Message.Assistant(Greeting));
        else messages.AddRange(history);

        var actions = task.EvaluationCriteria?.Actions ?? [];
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var call = new Tau2ToolCall($"gold_{i.ToString(CultureInfo.InvariantCulture)}", action.Name, (JsonObject)Json.Py.Clone(action.Arguments)!, action.Requestor);
            messages.Add(action.Requestor == Tau2Roles.User ? Tau2Message.User(null, [call]) : Tau2Message.Assistant(null, [call]));
            messages.Add(env.Execute(call));
        }

        var infos = task.EvaluationCriteria?.CommunicateInfo ?? [];
        messages.Add(Tau2Message.Assistant(infos.Count == 0
            ? "Your request has been handled."
            : "Here is the information you asked for: " + string.Join("; ", infos) + "."));
        return messages.Select((m, i) => m with { TurnIdx = i }).ToList();
    }

    public static JsonArray ToJson(IReadOnlyList<Tau2Message> messages) =>
        new(messages.Select(m => (JsonNode?)m.ToJson()).ToArray());
}
