using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Grpo;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tasks;

/// <summary>
/// How <c>orchestra train --tasks FILE --config CATALOG</c> trains the small policy on a user's own tasks and endpoints.
/// </summary>
/// <param name="TasksPath">QA tasks as <c>eval run --benchmark qa</c> reads them (JSONL with answers, HLE Parquet, FRAMES TSV), each with an optional <c>pref_vec</c>.</param>
/// <param name="OutDirectory">policy.json, training.csv and checkpoint.json go here; a rerun with the same folder resumes.</param>
/// <param name="Profiles">Preference profiles added to the curriculum (<c>--preferences F…</c>): each training group draws
/// one of them or its task's own, by share, seeded; validation reports each.</param>
/// <param name="MaxSpendUsd">Real dollars the whole training may spend (judge included, cache hits excluded); null: no cap.</param>
/// <param name="Judge">The judge alias or model for near misses; null takes the catalog's <c>judge</c> alias.</param>
/// <param name="ExactMatchOnly">Score by exact match alone (no judge needed; near misses count as wrong).</param>
/// <param name="Grpo">Reward, advantage and filter settings; null is <see cref="GrpoOptions.PreferenceDial"/>, as the offline trainer.</param>
/// <param name="Cache">The response cache (a SQLite file or a <c>postgres://</c> URL): repeated calls replay without paying.</param>
public sealed record TaskTrainingOptions(
    string TasksPath,
    string OutDirectory,
    int Steps = 50,
    int TasksPerStep = 8,
    int Group = 8,
    int Seed = 1,
    int Parallelism = 4,
    double ValidationFraction = 0.2,
    int ValidateEvery = 10,
    int CheckpointEvery = 1,
    decimal? MaxSpendUsd = null,
    string? Judge = null,
    bool ExactMatchOnly = false,
    IReadOnlyList<PreferenceProfile>? Profiles = null,
    string? Cache = null,
    GrpoOptions? Grpo = null,
    GrpoUpdateOptions? Update = null)
{
    public void Validate()
    {
        if (Steps < 1) throw new UserError($"--steps must be at least 1, got {Steps}.");
        if (TasksPerStep < 1) throw new UserError($"--tasks-per-step must be at least 1, got {TasksPerStep}.");
        if (Group < 2) throw new UserError($"--group must be at least 2 (GRPO compares the rollouts of a group), got {Group}.");
        if (Parallelism < 1) throw new UserError($"--concurrency must be at least 1, got {Parallelism}.");
        if (!double.IsFinite(ValidationFraction) || ValidationFraction is < 0 or >= 1)
            throw new UserError($"--validation-fraction must be at least 0 and below 1, got {ValidationFraction}.");
        if (ValidateEvery < 1) throw new UserError($"--validate-every must be at least 1, got {ValidateEvery}.");
        if (CheckpointEvery < 1) throw new UserError($"--checkpoint-every must be at least 1, got {CheckpointEvery}.");
        if (MaxSpendUsd is <= 0) throw new UserError($"--max-spend-usd must be above 0, got {MaxSpendUsd}.");
    }

    /// <summary>What a checkpoint must agree with to be resumed: everything that changes which episodes run.</summary>
    public IReadOnlyDictionary<string, string> ResumeKey(string tasksHash, string catalogFingerprint) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["tasks_sha256"] = tasksHash,
        ["catalog"] = catalogFingerprint,
        ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["group"] = Group.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["tasks_per_step"] = TasksPerStep.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["validation_fraction"] = ValidationFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["profiles"] = string.Join(",", (Profiles ?? []).Select(p => $"{p.Name}:{p.Share}")),
        ["scoring"] = ExactMatchOnly ? "exact" : $"judge:{Judge ?? "judge"}",
    };
}
