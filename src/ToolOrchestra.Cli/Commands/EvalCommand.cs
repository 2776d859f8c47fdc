using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Harness;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra eval run</c>: a benchmark (qa, tau2, offline) under one setup into the evaluation store, resumable and
/// sharded; <c>orchestra eval merge</c>: SQLite shard stores into one.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate orchestrators and models on benchmarks (Table 1 of the paper): run, merge, report, show");
        eval.Subcommands.Add(Run());
        eval.Subcommands.Add(Merge());
        return eval;
    }

    private static Command Run()
    {
        var engineOptions = EngineOptions.Create(configRequired: false); // --config: default the built-in catalog (offline) or required (qa, tau2)
        var benchmark = new Option<string>("--benchmark") { Description = "qa (a task file), gaia (GAIA's metadata.jsonl), tau2 (a domain) or offline (the offline world, simulated experts)", Required = true };
        var tasks = new Option<string?>("--tasks") { Description = "qa: the reference's JSONL ({id, question, answer}), HLE's .parquet or FRAMES's .tsv; gaia: metadata.jsonl" };
        var attachments = new Option<string?>("--attachments") { Description = "gaia: the folder of attached files (default: the folder of --tasks)" };
        var level = new Option<int?>("--level") { Description = "gaia: only level 1, 2 or 3" };
        var submission = new Option<string?>("--submission") { Description = "gaia: write the leaderboard's JSONL (task_id, model_answer, reasoning_trace) here after the run" };
        var allowPrivateUrls = new Option<bool>("--allow-private-urls") { Description = "gaia: let fetch_url reach loopback and private addresses (tests against local servers only)" };
        var domain = new Option<string?>("--domain") { Description = "tau2: airline, retail, telecom or mock" };
        var dataDir = new Option<string?>("--data-dir") { Description = "tau2: a folder laid out like upstream's data/" };
        var setup = new Option<string>("--setup") { Description = "direct (the model alone), basic (search + code, every alias mapped to the model) or orchestrated", DefaultValueFactory = _ => "orchestrated" };
        var orchestrator = new Option<string?>("--orchestrator") { Description = "Catalog model that orchestrates or answers (default: the catalog's orchestrator)" };
        var store = new Option<string>("--store") { Description = "Evaluation store: a SQLite file or a postgres:// URL (shards may share one)", Required = true };
        var runId = new Option<string>("--run-id") { Description = "Name of the run in the store; rerunning with it resumes", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Samples in flight", DefaultValueFactory = _ => 4 };
        var shard = new Option<string?>("--shard") { Description = "i/N: this process's share of the samples (default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/ORCHESTRA_SHARD_COUNT, else all)" };
        var limit = new Option<int?>("--limit") { Description = "Only the first K samples (before sharding)" };
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Attempts per sample across reruns before it is given up", DefaultValueFactory = _ => 3 };
        var maxErrorRate = new Option<double>("--max-error-rate") { Description = "Fail the run (exit 1) once this share of samples failed, 0–1", DefaultValueFactory = _ => 1.0 };
        var judge = new Option<string?>("--judge") { Description = "Judge alias or model (default: the catalog's 'judge' alias); tau2: grades NL assertions" };
        var userModel = new Option<string?>("--user-model") { Description = "tau2: the catalog model that plays the user" };
        var trials = new Option<int>("--trials") { Description = "tau2: trials per task (pass^k)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "offline: the world's seed (as orchestra demo's)", DefaultValueFactory = _ => 1 };
        var worldSize = new Option<string>("--world-size") { Description = "offline: default or small", DefaultValueFactory = _ => "default" };
        var latencyScale = new Option<double>("--latency-scale") { Description = "offline: simulated replies wait this share of their modelled seconds", DefaultValueFactory = _ => 0 };
        var cache = new Option<string?>("--cache") { Description = "qa: response cache, a SQLite file or a postgres:// URL; repeated model calls are replayed from it (billed in the reward as when made, no real money) and new ones kept" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object" };
        var command = new Command("run", "Run a benchmark under one setup into the evaluation store (resumable, sharded)")
        {
            benchmark, tasks, domain, dataDir, setup, orchestrator, store, runId, concurrency, shard, limit,
            maxAttempts, maxErrorRate, judge, userModel, trials, seed, worldSize, latencyScale, cache, json,
            attachments, level, submission, allowPrivateUrls,
        };
        engineOptions.AddTo(command);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var options = new EvalRunOptions
            {
                Benchmark = parse.GetValue(benchmark)!,
                Store = parse.GetValue(store)!,
                RunId = parse.GetValue(runId)!,
                Setup = parse.GetValue(setup)!,
                Config = parse.GetValue(engineOptions.Config) is { } cfg ? OptionChecks.ExistingFile(cfg, "--config") : null,
                Tasks = parse.GetValue(tasks),
                Domain = parse.GetValue(domain),
                DataDir = parse.GetValue(dataDir),
                Orchestrator = parse.GetValue(orchestrator),
                Policy = parse.GetValue(engineOptions.Policy) is { } p ? OptionChecks.ExistingFile(p, "--policy") : null,
                Protocol = OptionChecks.Protocol(parse.GetValue(engineOptions.Protocol))?.Name,
                Concurrency = parse.GetValue(concurrency),
                Shard = parse.GetValue(shard) is { } s ? ShardSpec.Parse(s) : ShardSpec.FromEnvironment(),
                Limit = parse.GetValue(limit),
                MaxTurns = parse.GetValue(engineOptions.MaxTurns),
                BudgetUsd = parse.GetValue(engineOptions.BudgetUsd),
                MaxAttempts = parse.GetValue(maxAttempts),
                MaxErrorRate = parse.GetValue(maxErrorRate),
                Judge = parse.GetValue(judge),
                Index = parse.GetValue(engineOptions.Index),
                Retriever = parse.GetValue(engineOptions.Retriever),
                TopK = parse.GetValue(engineOptions.TopK),
                AllowedIds = parse.GetValue(engineOptions.AllowedIds) is { } ids ? OptionChecks.ExistingFile(ids, "--allowed-ids") : null,
                NoCode = parse.GetValue(engineOptions.NoCode),
                UnsafeNoSandbox = parse.GetValue(engineOptions.UnsafeNoSandbox),
                CodeTimeoutSeconds = parse.GetValue(engineOptions.CodeTimeout),
                Web = parse.GetValue(engineOptions.Web),
                Tokenizer = parse.GetValue(engineOptions.Tokenizer),
                McpServers = parse.GetValue(engineOptions.Mcp) ?? [],
                UserModel = parse.GetValue(userModel),
                Trials = parse.GetValue(trials),
                Seed = parse.GetValue(seed),
                WorldSize = parse.GetValue(worldSize)!,
                LatencyScale = parse.GetValue(latencyScale),
                Cache = parse.GetValue(cache),
                Attachments = parse.GetValue(attachments),
                Level = parse.GetValue(level),
                Submission = parse.GetValue(submission),
                AllowPrivateUrls = parse.GetValue(allowPrivateUrls),
            };
            options.Validate();
            await using var responses = options.Cache is { } cacheStore ? await ResponseCacheStore.OpenAsync(cacheStore, "--cache", c) : null;
            options = options with { ResponseCache = responses };
            var quiet = parse.GetValue(json);
            await using var evalStore = await EvalStore.OpenAsync(StoreLocation.Parse(options.Store, "--store"), c);
            await using var bench = await EvalBenchmarks.CreateAsync(options, evalStore, c);
            foreach (var warning in bench.Warnings) Console.Error.WriteLine(warning);
            if (!quiet)
                foreach (var note in bench.Notes) Console.Error.WriteLine(note);
            var summary = await EvalRunner.RunAsync(options, evalStore, bench, quiet ? null : sample =>
                Console.Error.WriteLine($"  {sample.SampleId}: {sample.Status}{(sample.Correct is { } ok ? ok ? ", correct" : ", wrong" : "")}" +
                    $"{(sample.VerdictSource is { } v ? $" ({v})" : "")}, ${sample.CostUsd.ToString("0.######", CultureInfo.InvariantCulture)}" +
                    $"{(sample.Error is { } e ? $" — {e}" : "")}"), c);
            var gaia = bench is GaiaBenchmark g ? await GaiaOutputAsync(g, options, evalStore, c) : null;
            if (quiet)
            {
                var o = JsonSerializer.SerializeToNode(summary, OrchestraJson.Compact)!.AsObject();
                o["store"] = options.Store;
                if (responses is not null) o["cache"] = JsonSerializer.SerializeToNode(responses.Stats, OrchestraJson.Compact);
                if (gaia is not null)
                {
                    o["by_level"] = JsonSerializer.SerializeToNode(gaia.Value.Levels, OrchestraJson.Compact);
                    o["submission"] = options.Submission;
                }
                Console.WriteLine(o.ToJsonString(OrchestraJson.Compact));
            }
            else
            {
                Print(summary);
                if (responses is not null) Console.WriteLine($"Response cache {responses.Display}: {CacheSummary.Line(responses.Stats)}.");
                if (gaia is not null) PrintLevels(gaia.Value.Levels, options.Submission, gaia.Value.Answered);
            }
            if (summary.ErrorRateExceeded)
            {
                Console.Error.WriteLine($"error: {summary.FailedSamples} of {summary.Samples} samples failed in shard {summary.Shard} " +
                    $"(error rate {summary.ErrorRate.ToString("0.###", CultureInfo.InvariantCulture)} > --max-error-rate {summary.MaxErrorRate.ToString(CultureInfo.InvariantCulture)})" +
                    $"{(summary.Stopped ? "; no further samples were started" : "")}. Finished samples are kept: fix the cause and rerun the same command to resume.");
                return 1;
            }
            return 0;
        }, ct));
        return command;
    }

    private static void Print(EvalRunSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("run", "benchmark", "setup", "orchestrator", "shard", "samples", "done", "failed", "accuracy", "$/task", "judge $");
        table.AddRow(s.RunId, s.Benchmark + (s.Simulated ? " (simulated)" : ""), s.Setup, s.Orchestrator, s.Shard, s.Samples.ToString(inv), s.Done.ToString(inv),
            s.FailedSamples.ToString(inv), s.Accuracy.ToString("0.000", inv), s.DollarsPerTask.ToString("0.######", inv), s.JudgeDollars.ToString("0.######", inv));
        AnsiConsole.Write(table);
        Console.WriteLine($"This time: {s.Ran} ran ({s.Succeeded} done, {s.Failed} failed), {s.SkippedDone} already done, {s.GaveUp} given up after the attempt limit.");
        if (s.NotEvaluated > 0)
            Console.WriteLine($"{s.NotEvaluated} done samples are not evaluated (their reward needs NL assertions graded and no judge was given: add a 'judge' alias to the catalog or pass --judge); accuracy and pass^k leave them out.");
        if (s.PassHatK is { Count: > 0 } passHatK)
            Console.WriteLine("pass^k: " + string.Join(", ", passHatK.Select((v, i) => $"pass^{i + 1} {v.ToString("0.000", inv)}")));
    }

    /// <summary>GAIA's breakdown by level over the whole run in the store, and the submission file when asked for.</summary>
    private static async Task<(IReadOnlyList<GaiaLevelMetrics> Levels, int Answered)?> GaiaOutputAsync(GaiaBenchmark gaia, EvalRunOptions options, EvalStore store, CancellationToken ct)
    {
        var levels = GaiaLevels.Of(await store.LoadSamplesAsync(options.RunId, ct: ct));
        var answered = options.Submission is { } file ? await GaiaSubmission.WriteAsync(store, options.RunId, gaia.Tasks, file, ct) : 0;
        return (levels, answered);
    }

    private static void PrintLevels(IReadOnlyList<GaiaLevelMetrics> levels, string? submission, int answered)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("level", "tasks", "done", "scored", "accuracy", "$/task", "s/task");
        foreach (var l in levels)
            table.AddRow(l.Level == 0 ? "all" : l.Level.ToString(inv), l.Tasks.ToString(inv), l.Done.ToString(inv), l.Scored.ToString(inv),
                l.Accuracy.ToString("0.000", inv), l.DollarsPerTask.ToString("0.######", inv), l.SecondsPerTask.ToString("0.##", inv));
        AnsiConsole.Write(table);
        if (submission is not null) Console.WriteLine($"Submission: {submission} ({answered} answered).");
    }

    private static Command Merge()
    {
        var into = new Option<string>("--into") { Description = "The store to merge into (created when missing): a SQLite file or a postgres:// URL", Required = true };
        var shards = new Argument<string[]>("shards") { Description = "SQLite shard stores", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object" };
        var command = new Command("merge", "Combine SQLite shard stores into one (refuses conflicting duplicates)") { into, shards, json };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var summary = await EvalMerge.MergeAsync(parse.GetValue(into)!, parse.GetValue(shards)!, c);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, OrchestraJson.Compact));
            else Console.WriteLine($"Merged into {summary.Into}: {summary.Runs} runs, {summary.Samples} samples ({summary.Identical} duplicates were identical), {summary.Verdicts} judge verdicts.");
            return 0;
        }, ct));
        return command;
    }
}
