using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2.Data;

/// <summary>A tool call as upstream records it: id, name, parsed arguments, and who asked (assistant or user).</summary>
public sealed record Tau2ToolCall(string Id, string Name, JsonObject Arguments, string Requestor = Tau2Roles.Assistant)
{
    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["name"] = Name,
        ["arguments"] = Py.Clone(Arguments),
        ["requestor"] = Requestor,
    };
}

public static class Tau2Roles
{
    public const string Assistant = "assistant";
    public const string User = "user";
    public const string Tool = "tool";
    public const string System = "system";
}

/// <summary>
/// One message of a trajectory in upstream's simulation format: assistant/user messages (text and/or tool calls)
/// and tool messages (result of one call, <c>id</c> = the call's id). Unknown fields are kept for round trips.
/// </summary>
public sealed record Tau2Message
{
    public required string Role { get; init; }
    public string? Content { get; init; }
    public IReadOnlyList<Tau2ToolCall>? ToolCalls { get; init; }
    /// <summary>Tool messages: the id of the call answered.</summary>
    public string? Id { get; init; }
    /// <summary>Tool messages: who made the call.</summary>
    public string? Requestor { get; init; }
    /// <summary>Tool messages: whether the call raised; null when the file does not record it (trimmed files).</summary>
    public bool? Error { get; init; }
    public int? TurnIdx { get; init; }
    public double? Cost { get; init; }
    /// <summary>The message as read, when it came from a file.</summary>
    public JsonObject? Source { get; init; }

    public bool IsToolCall => ToolCalls is not null;
    /// <summary>Non-blank text (upstream <c>has_text_content</c>).</summary>
    public bool HasText => !string.IsNullOrWhiteSpace(Content);

    public static Tau2Message Assistant(string? content, IReadOnlyList<Tau2ToolCall>? calls = null) =>
        new() { Role = Tau2Roles.Assistant, Content = content, ToolCalls = calls };

    public static Tau2Message User(string? content, IReadOnlyList<Tau2ToolCall>? calls = null) =>
        new() { Role = Tau2Roles.User, Content = content, ToolCalls = calls };

    public static Tau2Message ToolResult(string id, string content, string requestor, bool error) =>
        new() { Role = Tau2Roles.Tool, Id = id, Content = content, Requestor = requestor, Error = error };

    public static Tau2Message Read(JsonReader r)
    {
        var obj = r.Object();
        var role = r.Required("role").String();
        if (role is not (Tau2Roles.Assistant or Tau2Roles.User or Tau2Roles.Tool or Tau2Roles.System))
            throw r.Error($"unknown role '{role}' (expected assistant, user, tool or system).");
        var content = r.Optional("content")?.String();
        List<Tau2ToolCall>? calls = null;
        if (r.Optional("tool_calls") is { } tc)
        {
            calls = [];
            foreach (var c in tc.Items())
            {
                var args = c.Optional("arguments");
                JsonObject arguments = args is null ? [] : args.Value.Node switch
                {
                    JsonObject o => o,
                    _ when Py.Str(args.Value.Node) is { } text && PyJson.LoadsOrText(text) is JsonObject parsed => parsed,
                    _ => throw args.Value.Error("expected the arguments as an object."),
                };
                calls.Add(new Tau2ToolCall(
                    c.OptionalString("id") ?? "",
                    c.Required("name").String(),
                    arguments,
                    // pydantic's default, even on a user message
                    c.OptionalString("requestor") ?? Tau2Roles.Assistant));
            }
        }
        bool? error = r.Optional("error") is { } e ? e.Bool() : null;
        int? turn = r.Optional("turn_idx") is { } t ? (int)t.Number() : null;
        double? cost = r.Optional("cost") is { } co && Py.IsNumber(co.Node) ? co.Number() : null;
        return new Tau2Message
        {
            Role = role,
            Content = content,
            ToolCalls = calls,
            Id = role == Tau2Roles.Tool ? r.OptionalString("id") ?? "" : null,
            Requestor = r.OptionalString("requestor"),
            Error = error,
            TurnIdx = turn,
            Cost = cost,
            Source = obj,
        };
    }

    public static IReadOnlyList<Tau2Message> ReadList(JsonReader r) => r.Items().Select(Read).ToList();

    /// <summary>Upstream's message JSON (the file's own object when it came from one).</summary>
    public JsonObject ToJson()
    {
        if (Source is not null) return (JsonObject)Py.Clone(Source)!;
        if (Role == Tau2Roles.Tool)
        {
            return new JsonObject
            {
                ["id"] = Id,
                ["role"] = Role,
                ["content"] = Content,
                ["requestor"] = Requestor ?? Tau2Roles.Assistant,
                ["error"] = Error ?? false,
                ["turn_idx"] = TurnIdx,
            };
        }
        return new JsonObject
        {
            ["role"] = Role,
            ["content"] = Content,
            ["tool_calls"] = ToolCalls is null ? null : new JsonArray(ToolCalls.Select(c => (JsonNode?)c.ToJson()).ToArray()),
            ["turn_idx"] = TurnIdx,
            ["cost"] = Cost,
        };
    }
}
