using Microsoft.Extensions.AI;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Evaluation.Harness.Offline;

/// <summary>
/// The wire to <c>orchestra sim serve</c>'s server for one catalog model, made to reproduce the in-process simulated
/// client exactly: each request carries the seed that client would use (the episode's seed and this model's call
/// number in the episode, in the server's <c>seed</c> field), and the episode's virtual clock advances by the modelled
/// seconds the server states in <c>x-simulated-latency-s</c>, recomputed at full precision from the profile and the
/// reply's usage (the header rounds to milliseconds). So the ledger bills simulated seconds, not the machine's.
/// </summary>
public sealed class SimulatedHttpTransport(IChatClient http, string modelId, ExpertProfile profile) : DelegatingChatClient(http)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var episode = WorldEpisode.Current;
        var call = episode.NextCall(modelId);
        var seeded = options?.Clone() ?? new ChatOptions();
        seeded.Seed = unchecked(episode.Seed * 7919 + call);
        var response = await base.GetResponseAsync(messages, seeded, cancellationToken).ConfigureAwait(false);
        episode.Time.Advance(profile.LatencyFor(response.Usage?.OutputTokenCount ?? 0));
        return response;
    }
}
