using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Models;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>
/// How each side sees the conversation. The agent sees user text, its own messages and its tool results; the user
/// simulator sees it with roles flipped (agent text as user, its own messages as assistant, its own tool results),
/// and never the agent's tool calls or results.
/// </summary>
public static class Tau2ChatView
{
    public static List<ChatMessage> ForAgent(string system, IReadOnlyList<Tau2Message> trajectory)
    {
        var view = new List<ChatMessage> { new(ChatRole.System, system) };
        foreach (var m in trajectory)
        {
            switch (m.Role)
            {
                case Tau2Roles.Assistant:
                    view.Add(Speaker(ChatRole.Assistant, m));
                    break;
                case Tau2Roles.User when m.HasText:
                    view.Add(new ChatMessage(ChatRole.User, m.Content));
                    break;
                case Tau2Roles.Tool when (m.Requestor ?? Tau2Roles.Assistant) == Tau2Roles.Assistant:
                    view.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(m.Id ?? "", m.Content ?? "")]));
                    break;
            }
        }
        return view;
    }

    public static List<ChatMessage> ForUser(string system, IReadOnlyList<Tau2Message> trajectory)
    {
        var view = new List<ChatMessage> { new(ChatRole.System, system) };
        foreach (var m in trajectory)
        {
            switch (m.Role)
            {
                case Tau2Roles.Assistant when m.HasText:
                    view.Add(new ChatMessage(ChatRole.User, m.Content));
                    break;
                case Tau2Roles.User:
                    view.Add(Speaker(ChatRole.Assistant, m));
                    break;
                case Tau2Roles.Tool when m.Requestor == Tau2Roles.User:
                    view.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(m.Id ?? "", m.Content ?? "")]));
                    break;
            }
        }
        return view;
    }

    /// <summary>A model reply as a tau2 message: visible text (reasoning removed) and tool calls with fresh ids when missing.</summary>
    public static Tau2Message FromResponse(string role, ChatResponse response, string idPrefix, int maxCalls = int.MaxValue)
    {
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text)).Trim();
        var calls = contents.OfType<FunctionCallContent>().Take(maxCalls)
            .Select((c, i) => new Tau2ToolCall(
                string.IsNullOrEmpty(c.CallId) || c.CallId.StartsWith("hermes-", StringComparison.Ordinal) ? $"{idPrefix}_{i}" : c.CallId,
                c.Name,
                Arguments(c),
                role))
            .ToList();
        return role == Tau2Roles.User
            ? Tau2Message.User(text.Length > 0 ? text : null, calls.Count > 0 ? calls : null)
            : Tau2Message.Assistant(text.Length > 0 ? text : null, calls.Count > 0 ? calls : null);
    }

    /// <summary>Tool declarations from upstream's OpenAI function schemas.</summary>
    public static AIFunctionDeclaration Declaration(JsonObject schema)
    {
        var f = schema["function"]!.AsObject();
        return AIFunctionFactory.CreateDeclaration(
            f["name"]!.GetValue<string>(), f["description"]?.GetValue<string>() ?? "",
            JsonSerializer.SerializeToElement(f["parameters"] ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() }));
    }

    private static ChatMessage Speaker(ChatRole role, Tau2Message m)
    {
        var contents = new List<AIContent>();
        if (m.HasText) contents.Add(new TextContent(m.Content));
        foreach (var c in m.ToolCalls ?? [])
            contents.Add(new FunctionCallContent(c.Id, c.Name, JsonSerializer.Deserialize<Dictionary<string, object?>>(c.Arguments.ToJsonString())));
        return new ChatMessage(role, contents);
    }

    private static JsonObject Arguments(FunctionCallContent c) =>
        c.Exception is not null || c.Arguments is null
            ? new JsonObject() // unparseable arguments: the tool runs without them and reports the missing ones, as upstream would fail
            : JsonSerializer.SerializeToNode(c.Arguments)?.AsObject() ?? new JsonObject();
}
