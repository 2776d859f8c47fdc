using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;

namespace ToolOrchestra.Models;

/// <summary>
/// Decorator that reads tool calls from hermes <c>&lt;tool_call&gt;</c> blocks in the content when the server did
/// not parse them into <c>message.tool_calls</c>, and moves <c>&lt;think&gt;</c> reasoning into
/// <see cref="TextReasoningContent"/> so it stays in the trajectory but out of the answer. The untouched text is
/// kept under <see cref="RawContentKey"/>. A block that is not valid JSON becomes a call carrying an exception.
/// </summary>
public sealed class HermesToolCallChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public const string RawContentKey = "toolorchestra.raw_content";
    public const string InvalidCallName = "(invalid tool call)";

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var message = response.Messages.LastOrDefault();
        if (message is null) return response;
        var raw = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        (response.AdditionalProperties ??= [])[RawContentKey] = raw;

        var serverCalls = message.Contents.OfType<FunctionCallContent>().ToList();
        var parsed = HermesOutput.Parse(raw);
        var contents = new List<AIContent>();
        if (parsed.Reasoning.Length > 0) contents.Add(new TextReasoningContent(parsed.Reasoning));
        if (parsed.Text.Length > 0) contents.Add(new TextContent(parsed.Text));
        if (serverCalls.Count > 0)
            contents.AddRange(serverCalls); // the server's parser wins; blocks left in the text are not run twice
        else
            for (var i = 0; i < parsed.Calls.Count; i++)
                contents.Add(ToContent(parsed.Calls[i], $"hermes-{i}"));
        contents.AddRange(message.Contents.Where(c => c is not TextContent and not FunctionCallContent));
        message.Contents = contents;
        return response;
    }

    private static FunctionCallContent ToContent(HermesCall call, string id) =>
        call.Error is null
            ? new FunctionCallContent(id, call.Name!, JsonSerializer.Deserialize(call.ArgumentsJson, OrchestraJsonContext.Default.DictionaryStringObject))
            : new FunctionCallContent(id, call.Name ?? InvalidCallName) { Exception = new InvalidDataException($"{call.Error}: {call.Raw}") };
}
