using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ToolOrchestra.Models;

/// <summary>
/// Step of the OpenAI SDK's HTTP pipeline that puts a request's tools on the wire exactly as they were declared:
/// <c>{"type": "function", "function": {"name", "description", "parameters"}}</c> with the parameters' JSON schema
/// as given. The adapter would otherwise round-trip each schema through its own model (reordering its keys and adding
/// <c>"additionalProperties": false</c>) and write <c>description</c> before <c>name</c>. A server that renders tools
/// into the chat template as received (vLLM with Qwen3's template) then shows the orchestrator other JSON than the
/// reference's <c>tools.json</c>, which Orchestrator-8B was trained on.
/// </summary>
internal sealed class DeclaredToolsPolicy : PipelinePolicy
{
    // The tools of the request being sent by this async flow; the pipeline runs inside it.
    private static readonly AsyncLocal<JsonArray?> Declared = new();

    /// <summary>The tools of <paramref name="options"/> in the wire shape, in declaration order; null when there are none.</summary>
    public static JsonArray? WireTools(ChatOptions? options)
    {
        var functions = options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        if (functions is not { Count: > 0 }) return null;
        return new JsonArray(functions.Select(f => (JsonNode)new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = f.Name,
                ["description"] = f.Description,
                ["parameters"] = JsonNode.Parse(f.JsonSchema.GetRawText()),
            },
        }).ToArray());
    }

    /// <summary>Sends what the body of <paramref name="send"/> sends with <paramref name="tools"/> as its tools.</summary>
    public static async Task<T> WithAsync<T>(JsonArray? tools, Func<Task<T>> send)
    {
        Declared.Value = tools; // an async method: the value is restored for the caller when it returns
        return await send().ConfigureAwait(false);
    }

    /// <summary>Sets the tools for the rest of the calling async method (an async iterator's current step).</summary>
    public static void Set(JsonArray? tools) => Declared.Value = tools;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static void Rewrite(PipelineMessage message)
    {
        if (Declared.Value is not { } tools || message.Request.Content is not { } content) return;
        using var buffer = new MemoryStream();
        content.WriteTo(buffer, message.CancellationToken);
        if (JsonNode.Parse(buffer.ToArray()) is not JsonObject body || !body.ContainsKey("tools")) return;
        body["tools"] = tools.DeepClone();
        message.Request.Content = BinaryContent.Create(BinaryData.FromString(body.ToJsonString(WireJson)));
    }

    private static readonly JsonSerializerOptions WireJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
