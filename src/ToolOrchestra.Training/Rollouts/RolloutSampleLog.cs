using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Training.Grpo;

namespace ToolOrchestra.Training.Rollouts;

/// <summary>One finished group as the progress file records it: which group (task id + its rollout seeds), what it
/// gave, and the byte length of the samples file once its samples were written.</summary>
public sealed record RolloutGroupRecord(string TaskId, IReadOnlyList<int> Seeds, string GroupId, int Rollouts, int Solved, FilterCounts Counts, long SamplesEnd);

/// <summary>
/// The samples file of <c>orchestra rollout</c> and its progress file (<c>&lt;samples&gt;.groups.jsonl</c>), both
/// append-only. A group's samples are appended and flushed first, then one progress line records the group and where
/// its samples end, so after a kill at any point the progress file says exactly which samples are whole: reopening
/// cuts the samples file back to the last recorded group (dropping a half-written group or a torn line) and
/// <see cref="IsDone"/> lets the rerun skip every recorded group. Nothing lost, nothing repeated.
/// </summary>
public sealed class RolloutSampleLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly FileStream _samples;
    private readonly FileStream _progress;
    private readonly List<RolloutGroupRecord> _done;
    private readonly HashSet<string> _keys;

    private RolloutSampleLog(string samplesPath, string progressPath, FileStream samples, FileStream progress, List<RolloutGroupRecord> done, long dropped)
    {
        SamplesPath = samplesPath;
        ProgressPath = progressPath;
        _samples = samples;
        _progress = progress;
        _done = done;
        _keys = done.Select(r => Key(r.TaskId, r.Seeds)).ToHashSet(StringComparer.Ordinal);
        DroppedBytes = dropped;
    }

    public string SamplesPath { get; }
    public string ProgressPath { get; }
    /// <summary>Bytes cut from the end of the samples file on opening: samples of a group that was not recorded.</summary>
    public long DroppedBytes { get; }

    /// <summary>Every recorded group, earlier runs' first.</summary>
    public IReadOnlyList<RolloutGroupRecord> Done
    {
        get { lock (_gate) return _done.ToList(); }
    }

    public static string ProgressPathFor(string samplesPath) => samplesPath + ".groups.jsonl";

    /// <summary>Opens (or starts) a samples file for appending, repairing the tail a kill may have left.</summary>
    public static RolloutSampleLog Open(string samplesPath)
    {
        var samplesFull = Path.GetFullPath(samplesPath);
        var progressFull = ProgressPathFor(samplesFull);
        if (Directory.Exists(samplesFull)) throw new UserError($"{samplesFull}: is a folder; --out takes a JSONL file path.");
        var samplesLength = File.Exists(samplesFull) ? new FileInfo(samplesFull).Length : 0;
        if (!File.Exists(progressFull) && samplesLength > 0)
            throw new UserError($"{samplesFull}: already holds samples but has no progress file {Path.GetFileName(progressFull)}, so a rerun cannot tell which groups are done; choose another --out or delete the file.");
        Directory.CreateDirectory(Path.GetDirectoryName(samplesFull)!);

        var (done, progressEnd) = ReadProgress(progressFull);
        var samplesEnd = done.Count == 0 ? 0 : done[^1].SamplesEnd;
        if (samplesLength < samplesEnd)
            throw new UserError($"{samplesFull}: is shorter ({samplesLength} bytes) than its progress file {Path.GetFileName(progressFull)} records ({samplesEnd} bytes); it was changed by hand: choose another --out or delete both files.");

        var samples = new FileStream(samplesFull, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        samples.SetLength(samplesEnd);
        samples.Seek(0, SeekOrigin.End);
        var progress = new FileStream(progressFull, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        progress.SetLength(progressEnd);
        progress.Seek(0, SeekOrigin.End);
        return new RolloutSampleLog(samplesFull, progressFull, samples, progress, done, samplesLength - samplesEnd);
    }

    public bool IsDone(string taskId, IReadOnlyList<int> seeds)
    {
        lock (_gate) return _keys.Contains(Key(taskId, seeds));
    }

    /// <summary>Appends one finished group: its samples, then the record that makes them count. Thread-safe.</summary>
    public RolloutGroupRecord Append(IReadOnlyList<LlmTurnSample> samples, RolloutGroupRecord record)
    {
        var text = new StringBuilder();
        foreach (var s in samples) text.Append(JsonSerializer.Serialize(s, OrchestraJson.Compact)).Append('\n');
        lock (_gate)
        {
            if (!_keys.Add(Key(record.TaskId, record.Seeds))) throw new InvalidOperationException($"group {record.GroupId} appended twice");
            _samples.Write(Encoding.UTF8.GetBytes(text.ToString()));
            _samples.Flush();
            var written = record with { SamplesEnd = _samples.Position };
            _progress.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(written, OrchestraJson.Compact) + "\n"));
            _progress.Flush();
            _done.Add(written);
            return written;
        }
    }

    public void Dispose()
    {
        _samples.Dispose();
        _progress.Dispose();
    }

    private static string Key(string taskId, IReadOnlyList<int> seeds) => $"{taskId}\n{string.Join(',', seeds)}";

    /// <summary>The whole records and the byte length they span; a torn last line (no newline) is left out.</summary>
    private static (List<RolloutGroupRecord> Done, long End) ReadProgress(string path)
    {
        var done = new List<RolloutGroupRecord>();
        if (!File.Exists(path)) return (done, 0);
        var bytes = File.ReadAllBytes(path);
        long start = 0;
        var line = 0;
        while (start < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', (int)start);
            if (newline < 0) break; // torn by a kill mid-write: that group is redone
            line++;
            var text = Encoding.UTF8.GetString(bytes, (int)start, newline - (int)start);
            RolloutGroupRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<RolloutGroupRecord>(text, OrchestraJson.Options);
            }
            catch (JsonException e)
            {
                throw new UserError($"{path}: line {line}: not a group record ({e.Message}); delete the samples file and this file to start over.");
            }
            if (record is null || record.Seeds is null || record.TaskId is null)
                throw new UserError($"{path}: line {line}: not a group record; delete the samples file and this file to start over.");
            done.Add(record);
            start = newline + 1;
        }
        return (done, start);
    }
}
