using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Runtime.Episodes;

/// <summary>
/// Keeps trajectories under a runs folder (default <c>runs/</c>) as append-only JSON Lines, one file per run:
/// a <c>start</c> record (problem, preferences, policy), one <c>turn</c> record per turn, an <c>end</c> record (answer,
/// stop reason, totals) and, once judged, an <c>outcome</c> record. Appending one line per turn keeps the cost of a turn
/// flat however long the run (rewriting the whole file each turn was quadratic), and a crash loses at most the turn
/// being written: <see cref="Load"/> reads a run without an end record as interrupted.
/// </summary>
public sealed class RunStore(string directory)
{
    private static readonly JsonSerializerOptions Line = OrchestraJson.Compact;

    public string Directory => directory;

    public string PathFor(string id) => Path.GetFullPath(Path.Combine(directory, $"{id}.jsonl"));

    /// <summary>Creates the run's file with its start record; refuses a runs folder that cannot hold files.</summary>
    public async Task<string> BeginAsync(Trajectory header, CancellationToken ct = default)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (IOException e)
        {
            throw new UserError($"runs folder '{directory}' cannot be created ({e.Message}); give --runs-dir a folder path.");
        }
        var path = PathFor(header.Id);
        var start = new JsonObject
        {
            ["record"] = "start",
            ["id"] = header.Id,
            ["protocol"] = header.Protocol,
            ["problem"] = header.Problem,
            ["preferences_text"] = header.PreferencesText,
            ["preferences"] = JsonSerializer.SerializeToNode(header.Preferences, Line),
            ["policy"] = header.Policy,
            ["started_at"] = header.StartedAt,
        };
        await WriteAsync(path, start, FileMode.Create, ct).ConfigureAwait(false);
        return path;
    }

    public Task AppendTurnAsync(string id, TrajectoryTurn turn, CancellationToken ct = default) =>
        WriteAsync(PathFor(id), new JsonObject { ["record"] = "turn", ["turn"] = JsonSerializer.SerializeToNode(turn, Line) }, FileMode.Append, ct);

    public Task EndAsync(Trajectory final, CancellationToken ct = default) =>
        WriteAsync(PathFor(final.Id), new JsonObject
        {
            ["record"] = "end",
            ["answer"] = final.Answer,
            ["stop_reason"] = JsonSerializer.SerializeToNode(final.StopReason, Line),
            ["stop_detail"] = final.StopDetail,
            ["cost_usd"] = final.CostUsd,
            ["latency_seconds"] = final.LatencySeconds,
            ["wall_seconds"] = final.WallSeconds,
        }, FileMode.Append, ct);

    /// <summary>Adds how the run was judged (training, evaluation) to a stored run.</summary>
    public static Task AppendOutcomeAsync(string path, TrajectoryOutcome outcome, CancellationToken ct = default) =>
        WriteAsync(path, new JsonObject { ["record"] = "outcome", ["outcome"] = JsonSerializer.SerializeToNode(outcome, Line) }, FileMode.Append, ct);

    private static async Task WriteAsync(string path, JsonObject record, FileMode mode, CancellationToken ct)
    {
        // Redacted again here, whatever the source: a turn's observation may quote an error that echoed a key.
        var bytes = Encoding.UTF8.GetBytes(SecretRedactor.Redact(record.ToJsonString(Line)) + "\n");
        await using var stream = new FileStream(path, mode, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a stored run: a run log (<c>.jsonl</c>, above) or a whole trajectory object (<c>.json</c>, older runs and
    /// the offline demo's files). A torn last line (a crash mid-write) is ignored.
    /// </summary>
    public static Trajectory Load(string path)
    {
        if (!File.Exists(path)) throw new UserError($"{path}: no such trajectory file; give a runs/<id>.jsonl run log or a JSONL of trajectories (e.g. runs/demo/trajectories/train-last-step.jsonl).");
        var text = File.ReadAllText(path);
        if (text.TrimStart().StartsWith("{\"record\":\"start\"", StringComparison.Ordinal)) return ReadLog(path, text);
        try
        {
            return JsonSerializer.Deserialize<Trajectory>(text, OrchestraJson.Options) ?? throw new UserError($"{path}: empty trajectory file.");
        }
        catch (JsonException e)
        {
            throw new UserError($"{path}: not a trajectory ({e.Message}); give a runs/<id>.jsonl file written by orchestra.");
        }
    }

    /// <summary>
    /// Every trajectory in a file: a run log or a trajectory object (one each, as <see cref="Load"/>), or JSON Lines with
    /// one trajectory per line, bare or under a <c>trajectory</c> field (the offline demo's <c>trajectories/*.jsonl</c>).
    /// </summary>
    public static IReadOnlyList<Trajectory> LoadAll(string path)
    {
        if (!File.Exists(path)) throw new UserError($"{path}: no such trajectory file; give a runs/<id>.jsonl run log or a JSONL of trajectories (e.g. runs/demo/trajectories/train-last-step.jsonl).");
        var first = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0) ?? throw new UserError($"{path}: the file is empty.");
        if (first.StartsWith("{\"record\":\"start\"", StringComparison.Ordinal) || !path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            return [Load(path)];
        var all = new List<Trajectory>();
        var n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            try
            {
                var node = JsonNode.Parse(line)!.AsObject();
                var trajectory = (node["trajectory"] ?? node).Deserialize<Trajectory>(OrchestraJson.Options)!;
                all.Add(trajectory);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new UserError($"{path}: line {n} is not a trajectory ({e.Message}).");
            }
        }
        return all;
    }

    private static Trajectory ReadLog(string path, string text)
    {
        JsonObject? start = null, end = null;
        TrajectoryOutcome? outcome = null;
        var turns = new List<TrajectoryTurn>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            JsonObject record;
            try
            {
                record = JsonNode.Parse(lines[i])!.AsObject();
            }
            catch (JsonException) when (i >= lines.Length - 2)
            {
                break; // the line being written when the process died
            }
            catch (JsonException e)
            {
                throw new UserError($"{path}: line {i + 1} is not JSON ({e.Message}).");
            }
            switch ((string?)record["record"])
            {
                case "start": start = record; break;
                case "turn": turns.Add(record["turn"].Deserialize<TrajectoryTurn>(Line)!); break;
                case "end": end = record; break;
                case "outcome": outcome = record["outcome"].Deserialize<TrajectoryOutcome>(Line); break;
            }
        }
        if (start is null) throw new UserError($"{path}: no start record; not a run log.");
        var ledger = turns.SelectMany(t => t.Ledger).ToList();
        var costUsd = ledger.Sum(e => e.CostUsd);
        var latency = ledger.Sum(e => e.ToolSeconds);
        return new Trajectory(
            (string)start["id"]!, (string)start["protocol"]!, (string)start["problem"]!, (string?)start["preferences_text"], turns,
            (string?)end?["answer"],
            end?["stop_reason"]?.Deserialize<StopReason>(Line),
            end is null ? "interrupted: the run stopped before it ended (no end record)" : (string?)end["stop_detail"],
            costUsd, latency, (double?)end?["wall_seconds"] ?? 0, ledger,
            start["started_at"]!.GetValue<DateTimeOffset>(),
            start["preferences"]?.Deserialize<Preferences>(Line),
            outcome,
            (string?)start["policy"]);
    }
}
