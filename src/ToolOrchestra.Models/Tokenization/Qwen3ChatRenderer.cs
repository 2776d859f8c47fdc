using System.Text;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The Qwen3 chat template (sha256 <see cref="ChatTemplate.Qwen3Sha256"/>) statement by statement, evaluated with
/// @huggingface/jinja's semantics through <see cref="TemplateValue"/>. Comments quote the template lines.
/// </summary>
internal static class Qwen3ChatRenderer
{
    private const string ToolsPreamble =
        "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
        "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    private const string ToolsPostamble =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within " +
        "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n";

    public static string Render(TemplateValue messages, TemplateValue tools, bool addGenerationPrompt, TemplateValue enableThinking)
    {
        var list = messages.Items!;
        var output = new StringBuilder(256 + list.Count * 128);
        var first = messages.At(0);

        // {%- if tools %} system header, first system message, the tools list {%- else %} first system message
        if (tools.Truthy)
        {
            output.Append("<|im_start|>system\n");
            if (first.Member("role").LooseEquals("system"))
                output.Append(TemplateValue.Concat(first.Member("content"), TemplateValue.String("\n\n"), "messages[0].content"));
            output.Append(ToolsPreamble);
            foreach (var tool in tools.Iterate("tools"))
                output.Append('\n').Append(tool.ToJson());
            output.Append(ToolsPostamble);
        }
        else if (first.Member("role").LooseEquals("system"))
        {
            output.Append(TemplateValue.Concat(TemplateValue.String("<|im_start|>system\n"), first.Member("content"), "messages[0].content"))
                .Append("<|im_end|>\n");
        }

        // ns.last_query_index: the last user message that is not a wrapped tool response.
        var multiStepTool = true;
        var lastQueryIndex = list.Count - 1;
        for (var index = list.Count - 1; index >= 0 && multiStepTool; index--)
        {
            var message = list[index];
            if (!message.Member("role").LooseEquals("user")) continue;
            var content = message.Member("content");
            var where = $"messages[{index}].content";
            var wrapped = content.Text(where).StartsWith("<tool_response>", StringComparison.Ordinal)
                          && content.Str!.EndsWith("</tool_response>", StringComparison.Ordinal);
            if (!wrapped)
            {
                multiStepTool = false;
                lastQueryIndex = index;
            }
        }

        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i];
            var role = message.Member("role");
            var isFirst = i == 0;
            var isLast = i == list.Count - 1;
            var where = $"messages[{i}]";

            if (role.LooseEquals("user") || (role.LooseEquals("system") && !isFirst))
            {
                // '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n'
                var head = TemplateValue.Concat(TemplateValue.String("<|im_start|>"), role, where + ".role") + "\n";
                output.Append(TemplateValue.Concat(TemplateValue.String(head), message.Member("content"), where + ".content"))
                    .Append("<|im_end|>\n");
            }
            else if (role.LooseEquals("assistant"))
            {
                RenderAssistant(output, message, role, i > lastQueryIndex, isLast, where);
            }
            else if (role.LooseEquals("tool"))
            {
                if (isFirst || !list[i - 1].Member("role").LooseEquals("tool")) output.Append("<|im_start|>user");
                output.Append("\n<tool_response>\n").Append(message.Member("content").Output()).Append("\n</tool_response>");
                if (isLast || !list[i + 1].Member("role").LooseEquals("tool")) output.Append("<|im_end|>\n");
            }
        }

        if (addGenerationPrompt)
        {
            output.Append("<|im_start|>assistant\n");
            if (enableThinking.IsFalse) output.Append("<think>\n\n</think>\n\n");
        }
        return output.ToString();
    }

    private static void RenderAssistant(StringBuilder output, TemplateValue message, TemplateValue role, bool afterLastQuery, bool isLast, string where)
    {
        var content = message.Member("content");
        var reasoning = TemplateValue.EmptyString;
        var reasoningField = message.Member("reasoning_content");
        if (reasoningField.IsDefined && !reasoningField.IsNone)
        {
            reasoning = reasoningField;
        }
        else if (content.Contains("</think>", where + ".content"))
        {
            // content = message.content.split('</think>')[-1].lstrip('\n')
            // reasoning = message.content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n')
            var text = content.Text(where + ".content");
            var parts = text.Split("</think>");
            content = TemplateValue.String(JsWhitespace.TrimStart(parts[^1]));
            var before = JsWhitespace.TrimEnd(parts[0]).Split("<think>");
            reasoning = TemplateValue.String(JsWhitespace.TrimStart(before[^1]));
        }

        var head = TemplateValue.Concat(TemplateValue.String("<|im_start|>"), role, where + ".role");
        if (afterLastQuery && (isLast || reasoning.Truthy))
        {
            // '<|im_start|>' + message.role + '\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n')
            output.Append(head).Append("\n<think>\n")
                .Append(JsWhitespace.Trim(reasoning.Text(where + ".reasoning_content")))
                .Append("\n</think>\n\n")
                .Append(JsWhitespace.TrimStart(content.Text(where + ".content")));
        }
        else
        {
            output.Append(TemplateValue.Concat(TemplateValue.String(head + "\n"), content, where + ".content"));
        }

        var toolCalls = message.Member("tool_calls");
        if (toolCalls.Truthy)
        {
            var calls = toolCalls.Iterate(where + ".tool_calls");
            for (var j = 0; j < calls.Count; j++)
            {
                // {%- if (loop.first and content) or (not loop.first) %}
                if (j > 0 || content.Truthy) output.Append('\n');
                var call = calls[j];
                var function = call.Member("function");
                if (function.Truthy) call = function;
                output.Append("<tool_call>\n{\"name\": \"").Append(call.Member("name").Output()).Append("\", \"arguments\": ");
                var arguments = call.Member("arguments");
                output.Append(arguments.IsString ? arguments.Str : arguments.ToJson());
                output.Append("}\n</tool_call>");
            }
        }
        output.Append("<|im_end|>\n");
    }
}
