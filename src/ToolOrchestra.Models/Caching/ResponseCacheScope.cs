using System.Collections.Concurrent;

namespace ToolOrchestra.Models.Caching;

/// <summary>
/// Which sample of a request a call gets, when it samples (temperature above 0, or left to the server's default).
/// A scope is one member of a group: a GRPO rollout (<see cref="Member"/> g of a group of <see cref="GroupSize"/> G), or
/// an episode on its own (member 0 of 1). The n-th identical request within the scope (n = 0, 1, …: n counts the ones
/// already answered) gets sample index <c>Member + n × GroupSize</c>. So the G members of a group see G different samples of every request they all send,
/// a request repeated inside one episode gets a fresh sample (as an uncached endpoint would give), and a replay gets
/// the same samples in the same places whatever order concurrent episodes run in. k, the number of distinct samples a
/// request has across a group, is therefore the group size. A greedy call (temperature 0) is always sample 0.
/// <para>
/// Open one with <see cref="ResponseCache.BeginScope"/> around the member's episode; it flows with the async calls made
/// inside. Without one, the episode's ledger is the scope (member 0 of 1); a call without a ledger is sample 0.
/// </para>
/// </summary>
public sealed class ResponseCacheScope
{
    private readonly ConcurrentDictionary<string, int> _answered = new(StringComparer.Ordinal);

    internal ResponseCacheScope(int member, int groupSize)
    {
        if (groupSize < 1) throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize, "a group has at least one member");
        if (member < 0 || member >= groupSize) throw new ArgumentOutOfRangeException(nameof(member), member, $"a member of a group of {groupSize} is 0 to {groupSize - 1}");
        Member = member;
        GroupSize = groupSize;
    }

    public int Member { get; }
    public int GroupSize { get; }

    /// <summary>The sample index of the request (its hash in hex) now: n counts the identical requests already answered in this scope.</summary>
    internal int SampleOf(string request) => checked(Member + _answered.GetValueOrDefault(request) * GroupSize);

    /// <summary>
    /// Counts an answered request. Only answers count, so a call that failed and is sent again keeps its index (a
    /// replay finds the answer the retry got), and identical requests in flight together share one sample.
    /// </summary>
    internal void Answered(string request) => _answered.AddOrUpdate(request, 1, (_, n) => n + 1);
}
