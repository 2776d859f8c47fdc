using System.Text.RegularExpressions;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>
/// The prompts of a tau2 simulation: upstream's agent and user-simulator system prompts, and the orchestrator's
/// variant (reference §2.3): every human-transfer policy sentence becomes an instruction to call an expert, and
/// the output format suffix asks for &lt;think&gt;, &lt;message&gt; and &lt;tool_call&gt; blocks.
/// </summary>
public static partial class Tau2Prompts
{
    public const string AgentInstruction =
        "You are a customer service agent that helps the user according to the <policy> provided below.\nIn each turn you can either:\n- Send a message to the user.\n- Make a tool call.\nYou cannot do both at the same time.\n\nTry to be helpful and always follow the policy. Always make sure you generate valid JSON only.";

    public const string FirstAgentMessage = "Hi! How can I help you today?";

    /// <summary>The user simulator ends the conversation by writing one of these.</summary>
    public static readonly IReadOnlyList<string> StopTokens = ["###STOP###", "###TRANSFER###", "###OUT-OF-SCOPE###"];

    public const string ExpertPolicy =
        "You should transfer the user to an expert if you are not confident about how to reply or which tool to use. To transfer, first make a tool call to call_expert, and then choose an expert based on the task difficulty, weighing both expert cost and performance.";

    public const string OrchestratorSuffix =
        "  You are dedicated to provide the best service. Wrap thinking process between <think> </think>, message between <message> </message> and the tool call between <tool_call> </tool_call> .";

    /// <summary>Reply used when the orchestrator produces nothing usable (reference §2.3).</summary>
    public const string EmptyOrchestratorReply = "Wait a minute, I will take it very soon";

    public static string AgentSystem(string policy) => $"<instructions>\n{AgentInstruction}\n</instructions>\n<policy>\n{policy}\n</policy>";

    public static string OrchestratorSystem(string policy) => AgentSystem(SwapTransferPolicy(policy)) + OrchestratorSuffix;

    public static string UserSystem(string guidelines, string scenario) => $"{guidelines}\n\n<scenario>\n{scenario}\n</scenario>";

    public static bool IsStop(string? userText) => userText is not null && StopTokens.Any(t => userText.Contains(t, StringComparison.Ordinal));

    /// <summary>Replaces the policy's "transfer to a human agent" rule with the call_expert rule.</summary>
    public static string SwapTransferPolicy(string policy) => TransferRule().Replace(policy, ExpertPolicy);

    [GeneratedRegex(@"You should transfer the user to a human agent if and only if[^\n]*?transfer_to_human_agents[^\n]*?to the user\.")]
    private static partial Regex TransferRule();
}
