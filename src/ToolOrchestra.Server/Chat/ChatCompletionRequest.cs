using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;

namespace ToolOrchestra.Server.Chat;

/// <summary>
/// A <c>POST /v1/chat/completions</c> body as the server reads it: OpenAI's <c>model</c>, <c>messages</c>,
/// <c>stream</c>, <c>stream_options</c> (other sampling fields are accepted and ignored: the orchestrator decodes
/// with its catalog's settings), plus an optional <c>orchestra</c> object with this request's preferences, hard
/// constraints and limits.
/// </summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, bool Stream, RequestOrchestraOptions Orchestra)
{
    public static ChatCompletionRequest Parse(JsonElement body)
    {
        var root = new JsonFields("request body", "$", body);
        if (body.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("the request body must be a JSON object with model and messages.");
        var model = root.OptionalField("model")?.String() ?? ServerOptions.DefaultProfile;
        if (!root.Has("messages")) throw ApiError.BadRequest("the request needs \"messages\": an array of {role, content}.");
        var messages = root.Field("messages").Items().Select(Message).ToList();
        var stream = root.OptionalField("stream") is { } s && s.Element.ValueKind == JsonValueKind.True;
        var orchestra = root.OptionalField("orchestra") is { } o ? RequestOrchestraOptions.Read(o) : new RequestOrchestraOptions();
        return new ChatCompletionRequest(model, messages, stream, orchestra);
    }

    private static ChatMessage Message(JsonFields m)
    {
        var role = m.Field("role").String();
        var content = m.OptionalField("content");
        var text = content is null ? "" : content.Value.Element.ValueKind switch
        {
            JsonValueKind.String => content.Value.Element.GetString()!,
            JsonValueKind.Array => string.Concat(content.Value.Items()
                .Where(p => p.Element.ValueKind == JsonValueKind.Object && p.Element.TryGetProperty("text", out _))
                .Select(p => p.Field("text").Element.GetString())),
            _ => throw content.Value.Error("content must be a string or an array of text parts."),
        };
        return new ChatMessage(new ChatRole(role), text);
    }
}

/// <summary>The body's <c>orchestra</c> object: everything here can only narrow what the key and the server allow.</summary>
public sealed record RequestOrchestraOptions(
    Preferences? Preferences = null,
    IReadOnlyList<string>? AllowedAliases = null,
    decimal? BudgetUsd = null,
    double? BudgetSeconds = null,
    int? MaxTurns = null)
{
    public static RequestOrchestraOptions Read(JsonFields o)
    {
        o.OnlyFields("preferences", "allowed_aliases", "budget_usd", "budget_seconds", "max_turns");
        return new(
            o.OptionalField("preferences") is { } p ? ToolOrchestra.Core.Preferences.Read(p) : null,
            o.OptionalField("allowed_aliases")?.Strings(),
            o.OptionalField("budget_usd")?.Decimal(),
            o.OptionalField("budget_seconds")?.Double(min: 0.001),
            o.OptionalField("max_turns")?.Int(min: 1));
    }
}
