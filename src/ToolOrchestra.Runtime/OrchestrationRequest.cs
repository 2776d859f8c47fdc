using Microsoft.Extensions.AI;
using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime;

/// <summary>
/// One problem for the orchestrator, with the user's preferences and optional limits; unset limits come from the
/// engine's options, then the catalog's <c>limits</c>.
/// </summary>
public sealed record OrchestrationRequest(string Problem)
{
    public Preferences Preferences { get; init; } = Preferences.None;
    public int? MaxTurns { get; init; }
    public int? MaxErrors { get; init; }
    public decimal? BudgetUsd { get; init; }
    public double? BudgetSeconds { get; init; }

    /// <summary>
    /// Money this run draws on beyond its own budget, shared with other runs (a server key's daily and total budgets):
    /// every paid call must fit in it too, so concurrent runs cannot together overspend it.
    /// </summary>
    public Core.Accounting.ISpendAccount? Account { get; init; }

    /// <summary>The per-question id that selects allowed documents (<c>--allowed-ids</c> map) and the <c>/retrieve</c> eid.</summary>
    public string? Eid { get; init; }

    /// <summary>The run id (names the trajectory file); a fresh one when null.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// The QA protocol's shape for this run (<see cref="Qa.QaProtocolVariant.Hle"/>, <see cref="Qa.QaProtocolVariant.Frames"/>,
    /// <see cref="Qa.QaProtocolVariant.Train"/>, legacy); null takes the engine's (<see cref="Hosting.OrchestraOptions.Protocol"/>).
    /// </summary>
    public Qa.QaProtocolVariant? Protocol { get; init; }

    /// <summary>
    /// Sent as the seed of every model call of this run that sets none (a GRPO group's rollouts differ by seed, so a
    /// sampling endpoint varies across them and each replays); null sends none.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>
    /// The request for a conversation (a chat client's messages, an OpenAI-compatible server's body): the last user
    /// message is the problem and earlier user and assistant messages are stated before it as context (system messages
    /// are left out: the orchestrator has its own). A conversation without a user message with text is a <see cref="UserError"/>.
    /// </summary>
    public static OrchestrationRequest FromConversation(IEnumerable<ChatMessage> messages)
    {
        var list = messages.ToList();
        var last = list.FindLastIndex(m => m.Role == ChatRole.User);
        if (last < 0 || string.IsNullOrWhiteSpace(list[last].Text)) throw new UserError("the conversation has no user message with text; the last user message is the problem.");
        var earlier = list.Take(last).Where(m => m.Role != ChatRole.System && !string.IsNullOrWhiteSpace(m.Text))
            .Select(m => $"{m.Role.Value}: {m.Text}").ToList();
        return new OrchestrationRequest(earlier.Count == 0 ? list[last].Text : $"Conversation so far:\n{string.Join("\n", earlier)}\n\n{list[last].Text}");
    }
}
