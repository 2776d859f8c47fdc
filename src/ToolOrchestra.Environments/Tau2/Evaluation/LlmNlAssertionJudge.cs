using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Json;
using ToolOrchestra.Models;

namespace ToolOrchestra.Environments.Tau2.Evaluation;

/// <summary>
/// Grades NL assertions with a catalog model, in upstream's shape: one call; the conversation as
/// <c>role: content</c> lines and the assertions as a Python list; the answer a JSON object
/// <c>{"results":[{"expectedOutcome","reasoning","metExpectation"}]}</c>. A reply that is not that JSON makes every
/// assertion unmet with the reason stated, so a broken judge can never pass a task.
/// </summary>
public sealed class LlmNlAssertionJudge(IChatClient model, string modelId, Ledger? ledger = null) : INlAssertionJudge
{
    public const string SystemPrompt = """
        TASK
        - You receive the expected outcomes of a test case and the conversation recorded while it ran.
        - The conversation is between a customer service agent and a customer.
        - Decide, for each expected outcome separately, whether the agent satisfied it.

        FORMAT
        - Answer with one JSON object and nothing else: {"results": [{"expectedOutcome": "<the outcome, repeated>", "reasoning": "<a short explanation>", "metExpectation": true or false}]}
        """;

    public string ModelId => modelId;

    public async Task<IReadOnlyList<NlAssertionCheck>> JudgeAsync(IReadOnlyList<Tau2Message> trajectory, IReadOnlyList<string> assertions, CancellationToken ct)
    {
        var user = new StringBuilder("conversation:\n");
        user.AppendJoin('\n', trajectory.Select(m => $"{m.Role}: {m.Content ?? "None"}"));
        user.Append("\n\nexpectedOutcomes:\n[");
        user.AppendJoin(", ", assertions.Select(Py.StrRepr));
        user.Append(']');
        var options = new ChatOptions { Temperature = 0 };
        if (ledger is not null) new LedgerScope(ledger, 0, CallKind.Tool, "nl_judge", null).Apply(options);
        var response = await model.GetResponseAsync([new ChatMessage(ChatRole.System, SystemPrompt), new ChatMessage(ChatRole.User, user.ToString())], options, ct).ConfigureAwait(false);
        return Parse(response.Text, assertions);
    }

    public static IReadOnlyList<NlAssertionCheck> Parse(string reply, IReadOnlyList<string> assertions)
    {
        var text = reply.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal)) // a fenced block: keep what is between the fences
        {
            var bodyStart = text.IndexOf('\n');
            var bodyEnd = text.LastIndexOf("```", StringComparison.Ordinal);
            if (bodyStart > 0 && bodyEnd > bodyStart) text = text[(bodyStart + 1)..bodyEnd].Trim();
        }
        try
        {
            var results = JsonNode.Parse(text)?["results"]?.AsArray()
                ?? throw new JsonException("no \"results\" array");
            var checks = results.Select(r => new NlAssertionCheck(
                r?["expectedOutcome"]?.GetValue<string>() ?? "",
                r?["metExpectation"]?.GetValueKind() == JsonValueKind.True,
                r?["reasoning"]?.GetValue<string>() ?? "")).ToList();
            return checks.Count > 0 ? checks : Unmet(assertions, "the judge returned no results");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Unmet(assertions, $"the judge's reply is not the expected JSON ({e.Message}): {reply[..Math.Min(reply.Length, 200)]}");
        }
    }

    private static IReadOnlyList<NlAssertionCheck> Unmet(IReadOnlyList<string> assertions, string why) =>
        assertions.Select(a => new NlAssertionCheck(a, false, why)).ToList();
}
