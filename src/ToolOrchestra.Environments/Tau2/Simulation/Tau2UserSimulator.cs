using Microsoft.Extensions.AI;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Models;

namespace ToolOrchestra.Environments.Tau2.Simulation;

/// <summary>
/// The simulated customer: a catalog model prompted with upstream's guidelines and the task's scenario, seeing the
/// conversation with roles flipped, with the user-side tools of telecom and mock. Its cost goes to its own ledger.
/// </summary>
public sealed class Tau2UserSimulator(IChatClient model, string modelId, string system, IReadOnlyList<AIFunctionDeclaration> userTools, Tau2Decoding decoding)
{
    public string ModelId => modelId;

    public async Task<Tau2Message> RespondAsync(IReadOnlyList<Tau2Message> trajectory, Ledger ledger, int step, long seed, CancellationToken ct)
    {
        var options = new LedgerScope(ledger, step, CallKind.Tool, "user_simulator", null)
            .Apply(decoding.Options(userTools.Count > 0 ? [.. userTools] : null, seed));
        var response = await model.GetResponseAsync(Tau2ChatView.ForUser(system, trajectory), options, ct).ConfigureAwait(false);
        var message = Tau2ChatView.FromResponse(Tau2Roles.User, response, $"user_call_{step}");
        return message.HasText || message.IsToolCall ? message : throw new Tau2SimulationException("the user simulator produced an empty message");
    }
}
