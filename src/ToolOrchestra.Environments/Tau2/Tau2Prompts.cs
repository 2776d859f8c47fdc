using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// Upstream's half-duplex prompts, for a simulation runner: the agent's system prompt (instructions + policy), the
/// user simulator's (global guidelines + the task's scenario), and the fixed first agent message.
/// </summary>
public static class Tau2Prompts
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
}
