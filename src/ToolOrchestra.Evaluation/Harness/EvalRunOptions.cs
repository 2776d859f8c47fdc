using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// Everything <c>orchestra eval run</c> was given. <see cref="ResultSettings"/> is the part that changes results
/// (recorded with the run so a rerun under one id cannot mix experiments); concurrency, shard, limit and attempts only
/// change how the work is scheduled.
/// </summary>
public sealed record EvalRunOptions
{
    public required string Benchmark { get; init; }
    public required string Store { get; init; }
    public required string RunId { get; init; }
    public string Setup { get; init; } = "orchestrated";
    public string? Config { get; init; }
    public string? Tasks { get; init; }
    public string? Domain { get; init; }
    public string? DataDir { get; init; }
    public string? Orchestrator { get; init; }
    public string? Policy { get; init; }
    public string? Protocol { get; init; }
    public int Concurrency { get; init; } = 4;
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;
    public int? Limit { get; init; }
    public int? MaxTurns { get; init; }
    public decimal? BudgetUsd { get; init; }
    public int MaxAttempts { get; init; } = 3;
    public double MaxErrorRate { get; init; } = 1.0;
    public string? Judge { get; init; }
    public string? Index { get; init; }
    public string? Retriever { get; init; }
    public int? TopK { get; init; }
    /// <summary>qa: allowed document ids, a JSON list or a map {eid: [ids]} (the task's <c>eid</c>, else its id).</summary>
    public string? AllowedIds { get; init; }
    public bool NoCode { get; init; }
    public bool UnsafeNoSandbox { get; init; }
    public double CodeTimeoutSeconds { get; init; } = 60;
    public bool Web { get; init; }
    public string? Tokenizer { get; init; }
    public IReadOnlyList<string> McpServers { get; init; } = [];
    /// <summary>tau2: the user simulator's catalog model, trials per task, the NL-assertion judge model.</summary>
    public string? UserModel { get; init; }
    public int Trials { get; init; } = 1;
    /// <summary>offline: the world's seed and size, and how long simulated replies take in real time (0: instantly).</summary>
    public int Seed { get; init; } = 1;
    public string WorldSize { get; init; } = "default";
    public double LatencyScale { get; init; }
    /// <summary>qa: the response cache's store (<c>--cache</c>) and the cache opened on it, which every model call goes through.</summary>
    public string? Cache { get; init; }
    public Models.Caching.ResponseCache? ResponseCache { get; init; }
    /// <summary>gaia: the folder of attached files (default: beside --tasks), one level only, the leaderboard file to write, and whether fetch_url may reach private addresses (tests).</summary>
    public string? Attachments { get; init; }
    public int? Level { get; init; }
    public string? Submission { get; init; }
    public bool AllowPrivateUrls { get; init; }

    /// <summary>The engine these options ask for (the QA benchmarks': qa, gaia): one mapping, so the benchmarks cannot drift.</summary>
    public void Engine(Runtime.Hosting.OrchestraOptions o, Runtime.Qa.QaProtocolVariant variant, string? policy)
    {
        o.RunsDirectory = null; // the trajectory goes to the evaluation store, with the sample
        o.Index = Index;
        o.Retriever = Retriever;
        o.TopK = TopK;
        o.AllowedIds = AllowedIds;
        o.Code = !NoCode;
        o.UnsafeNoSandbox = UnsafeNoSandbox;
        o.CodeTimeoutSeconds = CodeTimeoutSeconds;
        o.Web = Web;
        o.Tokenizer = Tokenizer;
        o.McpServers.AddRange(McpServers);
        o.Protocol = variant;
        o.MaxTurns = MaxTurns;
        o.BudgetUsd = BudgetUsd;
        o.ResponseCache = ResponseCache;
        if (policy is not null) o.Policy = _ => new Training.Policy.LearnedQaPolicy(Training.Policy.PolicyWeightsFile.Load(policy));
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RunId)) throw new UserError("--run-id must name the run (e.g. frames-gpt5-direct).");
        if (Concurrency < 1) throw new UserError($"--concurrency must be at least 1, got {Concurrency}.");
        if (Limit is < 1) throw new UserError($"--limit must be at least 1, got {Limit}.");
        if (MaxTurns is < 1) throw new UserError($"--max-turns must be at least 1, got {MaxTurns}.");
        if (BudgetUsd is <= 0) throw new UserError($"--budget-usd must be above 0, got {BudgetUsd}.");
        if (MaxAttempts < 1) throw new UserError($"--max-attempts must be at least 1, got {MaxAttempts}.");
        if (!double.IsFinite(MaxErrorRate) || MaxErrorRate is < 0 or > 1) throw new UserError($"--max-error-rate must be between 0 and 1, got {MaxErrorRate}.");
        if (Trials < 1) throw new UserError($"--trials must be at least 1, got {Trials}.");
        if (Cache is not null && Benchmark is not ("qa" or "gaia"))
            throw new UserError($"--cache replays model calls of --benchmark qa and gaia; {Benchmark} makes its calls its own way. Drop --cache.");
    }

    /// <summary>Options that change what a sample produces, as recorded with the run.</summary>
    public SortedDictionary<string, string?> ResultSettings() => new(StringComparer.Ordinal)
    {
        ["tasks"] = Tasks is null ? null : Path.GetFullPath(Tasks),
        ["domain"] = Domain,
        ["config"] = Config is null ? null : Path.GetFullPath(Config),
        ["policy"] = Policy is null ? null : Path.GetFullPath(Policy),
        ["max_turns"] = MaxTurns?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["budget_usd"] = BudgetUsd?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["judge"] = Judge,
        ["index"] = Index is null ? null : Path.GetFullPath(Index),
        ["retriever"] = Retriever,
        ["top_k"] = TopK?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["allowed_ids"] = AllowedIds is null ? null : Path.GetFullPath(AllowedIds),
        ["code"] = NoCode ? "off" : "on",
        ["web"] = Web ? "on" : null,
        ["mcp"] = McpServers.Count == 0 ? null : string.Join(" | ", McpServers),
    };
}
