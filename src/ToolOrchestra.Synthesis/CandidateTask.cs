using System.Text.Json.Nodes;

namespace ToolOrchestra.Synthesis;

/// <summary>One gold action of a candidate task: a tool of the domain and its arguments.</summary>
public sealed record GoldAction(string Name, JsonObject Arguments);

/// <summary>
/// A task as a backend proposes it, before verification: the user's goal in tau2's structured instructions, the gold
/// chain of reads and writes, and what the agent must tell the user. <see cref="EvolveRound"/> counts how often it was
/// made harder.
/// </summary>
public sealed record CandidateTask(
    string Goal,
    string ReasonForCall,
    string KnownInfo,
    string TaskInstructions,
    IReadOnlyList<GoldAction> Actions,
    IReadOnlyList<string> CommunicateInfo,
    int EvolveRound = 0)
{
    /// <summary>Everything the simulated user knows: the text every argument must come from unless a read returned it.</summary>
    public string UserText => ReasonForCall + "\n" + KnownInfo + "\n" + TaskInstructions;
}
