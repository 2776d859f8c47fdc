using System.Globalization;
using System.Text;
using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// Shard <c>i/N</c> (1-based) of a run: the samples whose id hashes to <c>i − 1</c> modulo N. Hashing the id (not the
/// position) keeps the partition the same whatever the file order, and every sample in exactly one shard. When
/// <c>--shard</c> is not given it comes from the scheduler: Slurm job arrays (<c>SLURM_ARRAY_TASK_ID</c>, 0- or 1-based
/// as the array was declared, with <c>SLURM_ARRAY_TASK_COUNT</c> and <c>SLURM_ARRAY_TASK_MIN</c>) or Kubernetes indexed
/// jobs (<c>JOB_COMPLETION_INDEX</c>, 0-based, with the count in <c>ORCHESTRA_SHARD_COUNT</c>).
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(1, 1);

    public bool IsWhole => Count == 1;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    public bool Includes(string sampleId) =>
        Count == 1 || (int)(Fnv1a(sampleId) % (ulong)Count) == Index - 1;

    /// <summary>FNV-1a over the id's UTF-8 bytes: stable across processes and machines (string.GetHashCode is not).</summary>
    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text)) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    public static ShardSpec Parse(string text, string option = "--shard")
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || i < 1 || i > n)
            throw new UserError($"{option} must be i/N with 1 ≤ i ≤ N (e.g. 2/8), got '{text}'.");
        return new ShardSpec(i, n);
    }

    /// <summary>The shard the scheduler gave this process, or <see cref="Whole"/> when none did.</summary>
    public static ShardSpec FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        int? Int(string name) => env(name) is { Length: > 0 } v
            ? int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var x) ? x
              : throw new UserError($"${name} is '{v}', not a whole number; unset it or pass --shard i/N.")
            : null;
        if (Int("SLURM_ARRAY_TASK_ID") is { } slurm)
        {
            var count = Int("SLURM_ARRAY_TASK_COUNT") ?? throw new UserError("$SLURM_ARRAY_TASK_ID is set but $SLURM_ARRAY_TASK_COUNT is not; pass --shard i/N.");
            var min = Int("SLURM_ARRAY_TASK_MIN") ?? 0;
            return Parse($"{slurm - min + 1}/{count}", "$SLURM_ARRAY_TASK_ID");
        }
        if (Int("JOB_COMPLETION_INDEX") is { } k8s)
        {
            var count = Int("ORCHESTRA_SHARD_COUNT") ?? throw new UserError("$JOB_COMPLETION_INDEX is set (a Kubernetes indexed job) but $ORCHESTRA_SHARD_COUNT is not; set it to the job's completions, or pass --shard i/N.");
            return Parse($"{k8s + 1}/{count}", "$JOB_COMPLETION_INDEX");
        }
        return Whole;
    }
}
