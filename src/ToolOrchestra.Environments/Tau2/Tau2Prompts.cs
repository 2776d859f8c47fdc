using System.Text.RegularExpressions;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// Upstream's half-duplex prompts, for a simulation runner: the agent's system prompt (instructions + policy), the
/// user simulator's (global guidelines + the task's scenario), the fixed first agent message and the user's stop
/// tokens; and the orchestrator's variant (reference §2.3): every human-transfer policy sentence becomes an
/// instruction to call an expert, and a suffix asks for &lt;think&gt;, &lt;message&gt; and &lt;tool_call&gt; blocks.
/// </summary>
public static partial class Tau2Prompts
{
    public const string Greeting = "Hi! How can I help you today?";

    public const string AgentInstruction =
        "You are a customer service agent that helps the user according to the <policy> provided below.\n"
        + "In each turn you can either:\n- Send a message to the user.\n- Make a tool call.\nYou cannot do both at the same time.\n\n"
        + "Try to be helpful and always follow the policy. Always make sure you generate valid JSON only.";

    /// <summary>The sentence of <see cref="AgentInstruction"/> that an orchestrator with experts may replace.</summary>
    public const string OneActionPerTurn = "You cannot do both at the same time.";

    public static string AgentSystemPrompt(string policy, string instruction = AgentInstruction) =>
        $"<instructions>\n{instruction}\n</instructions>\n<policy>\n{policy}\n</policy>";

    /// <summary>
    /// The user simulator's system prompt: the guidelines with tools when the domain gives the user tools (telecom,
    /// mock), then the task's scenario in a &lt;scenario&gt; tag.
    /// </summary>
    public static string UserSystemPrompt(Tau2Domain domain, Tau2Task task)
    {
        var withTools = domain.UserDb is not null && task.UserTools is not { Count: 0 };
        var file = domain.UserGuidelinesFile(withTools);
        if (!File.Exists(file)) throw new UserError($"{file}: user simulator guidelines not found. Check --data-dir (it must hold tau2/user_simulator/).");
        return $"{File.ReadAllText(file)}\n\n<scenario>\n{task.UserScenario.Render()}\n</scenario>";
    }

    /// <summary>The user simulator ends the conversation by writing one of these.</summary>
    public static readonly IReadOnlyList<string> StopTokens = ["###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"];

    public static bool IsStop(string? userText) => userText is not null && StopTokens.Any(t => userText.Contains(t, StringComparison.Ordinal));

    public const string ExpertPolicy =
        "You should transfer the user to an expert if you are not confident about how to reply or which tool to use. To transfer, first make a tool call to call_expert, and then choose an expert based on the task difficulty, weighing both expert cost and performance.";

    public const string OrchestratorSuffix =
        "  You are dedicated to provide the best service. Wrap thinking process between <think> </think>, message between <message> </message> and the tool call between <tool_call> </tool_call> .";

    /// <summary>Reply used when the orchestrator produces nothing usable (reference §2.3).</summary>
    public const string EmptyOrchestratorReply = "Wait a minute, I will take it very soon";

    public static string OrchestratorSystemPrompt(string policy) => AgentSystemPrompt(SwapTransferPolicy(policy)) + OrchestratorSuffix;

    /// <summary>Replaces the policy's "transfer to a human agent" rule with the call_expert rule.</summary>
    public static string SwapTransferPolicy(string policy) => TransferRule().Replace(policy, ExpertPolicy);

    [GeneratedRegex(@"You should transfer the user to a human agent if and only if[^\n]*?transfer_to_human_agents[^\n]*?to the user\.")]
    private static partial Regex TransferRule();
}
