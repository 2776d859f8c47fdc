using System.Text.Json.Nodes;
using ToolOrchestra.Synthesis.Verification;

namespace ToolOrchestra.Synthesis;

/// <summary>One domain's synthesis: candidates tried, kept, rejected by reason, evolutions, difficulty of the kept tasks.</summary>
public sealed record DomainReport(
    string Domain,
    int Candidates,
    int Kept,
    IReadOnlyDictionary<string, int> Rejected,
    int Evolved,
    IReadOnlyDictionary<string, int> EvolveRejected,
    IReadOnlyList<Difficulty> Difficulties,
    double Seconds)
{
    public int RejectedTotal => Rejected.Values.Sum();

    public JsonObject ToJson() => new()
    {
        ["domain"] = Domain,
        ["candidates"] = Candidates,
        ["kept"] = Kept,
        ["rejected"] = Counts(Rejected),
        ["evolved"] = Evolved,
        ["evolve_rejected"] = Counts(EvolveRejected),
        ["difficulties"] = new JsonArray(Difficulties.Select(d => (JsonNode?)d.ToJson()).ToArray()),
        ["seconds"] = Seconds,
    };

    public static DomainReport FromJson(JsonNode o) => new(
        o["domain"]!.GetValue<string>(), o["candidates"]!.GetValue<int>(), o["kept"]!.GetValue<int>(),
        ReadCounts(o["rejected"]), o["evolved"]!.GetValue<int>(), ReadCounts(o["evolve_rejected"]),
        o["difficulties"]!.AsArray().Select(d => new Difficulty(d!["actions"]!.GetValue<int>(), d["distinct_tools"]!.GetValue<int>(),
            d["reads_before_first_write"]!.GetValue<int>(), d["writes"]!.GetValue<int>())).ToList(),
        o["seconds"]!.GetValue<double>());

    internal static JsonObject Counts(IReadOnlyDictionary<string, int> counts)
    {
        var o = new JsonObject();
        foreach (var (k, v) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[k] = v;
        return o;
    }

    private static Dictionary<string, int> ReadCounts(JsonNode? o) =>
        ((JsonObject?)o ?? []).ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal);
}

/// <summary>The whole run: every domain's report, totals, rejection rate, tasks per second and difficulty histograms.</summary>
public sealed record SynthReport(string Backend, int Seed, IReadOnlyList<DomainReport> Domains, double Seconds, int ResumedDomains, int KeptThisRun)
{
    public int Kept => Domains.Sum(d => d.Kept);
    public int Candidates => Domains.Sum(d => d.Candidates);
    public int Rejected => Domains.Sum(d => d.RejectedTotal);
    public double RejectionRate => Candidates == 0 ? 0 : (double)Rejected / Candidates;
    /// <summary>Kept tasks per second of this run's own work (resumed domains excluded).</summary>
    public double TasksPerSecond => Seconds <= 0 ? 0 : KeptThisRun / Seconds;

    public IReadOnlyDictionary<string, int> RejectedByReason => Domains.SelectMany(d => d.Rejected)
        .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value), StringComparer.Ordinal);

    /// <summary>Histogram of one difficulty measure over every kept task: value → tasks.</summary>
    public SortedDictionary<int, int> Histogram(Func<Difficulty, int> measure)
    {
        var h = new SortedDictionary<int, int>();
        foreach (var d in Domains.SelectMany(d => d.Difficulties)) h[measure(d)] = h.GetValueOrDefault(measure(d)) + 1;
        return h;
    }

    public static readonly IReadOnlyList<(string Name, Func<Difficulty, int> Measure)> Measures =
    [
        ("actions", d => d.Actions), ("distinct_tools", d => d.DistinctTools), ("reads_before_first_write", d => d.ReadsBeforeFirstWrite),
    ];

    public JsonObject ToJson()
    {
        var histograms = new JsonObject();
        foreach (var (name, measure) in Measures)
        {
            var h = new JsonObject();
            foreach (var (k, v) in Histogram(measure)) h[k.ToString(System.Globalization.CultureInfo.InvariantCulture)] = v;
            histograms[name] = h;
        }
        return new JsonObject
        {
            ["backend"] = Backend,
            ["seed"] = Seed,
            ["domains"] = new JsonArray(Domains.Select(d => (JsonNode?)d.ToJson()).ToArray()),
            ["kept"] = Kept,
            ["candidates"] = Candidates,
            ["rejected"] = DomainReport.Counts(RejectedByReason),
            ["rejection_rate"] = RejectionRate,
            ["seconds"] = Seconds,
            ["tasks_per_second"] = TasksPerSecond,
            ["resumed_domains"] = ResumedDomains,
            ["difficulty_histograms"] = histograms,
        };
    }
}
