namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// The reference's per-alias capability blurbs and average latencies (reference §2), used when the catalog gives none.
/// Latency belongs to the alias, not the model: the same GPT-5 takes 22 s to search and 96 s to answer.
/// </summary>
internal static class QaAliasDefaults
{
    public static readonly IReadOnlyDictionary<string, (string Blurb, double LatencySeconds)> ByAlias = new Dictionary<string, (string, double)>
    {
        ["search-1"] = ("strong at finding the missing information", 22),
        ["search-2"] = ("reasonable at searching, may write weaker queries", 16),
        ["search-3"] = ("basic search capability", 8),
        ["reasoner-1"] = ("strong reasoning and coding", 31),
        ["reasoner-2"] = ("reasonable reasoning and coding, may hallucinate", 25),
        ["reasoner-3"] = ("basic coding ability", 9),
        ["answer-1"] = ("strong at hard problems", 96),
        ["answer-2"] = ("reasonable ability, may hallucinate", 27),
        ["answer-3"] = ("good at easy to medium problems", 15),
        ["answer-4"] = ("basic ability", 11),
        ["answer-math-1"] = ("good at middle-school level math", 13),
        ["answer-math-2"] = ("good at primary-school level math", 9),
        ["expert-1"] = ("strong at hard problems", 96),
        ["expert-2"] = ("reasonable ability, may hallucinate", 27),
        ["expert-3"] = ("basic ability", 11),
    };
}
