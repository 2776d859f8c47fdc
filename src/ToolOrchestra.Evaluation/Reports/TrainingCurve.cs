using System.Globalization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>One GRPO step as <c>orchestra train</c> and <c>orchestra demo</c> record it in <c>training.csv</c>.</summary>
public sealed record TrainingStep(int Step, double MeanReward, double Accuracy, double DollarsPerEpisode, double SecondsPerEpisode,
    double Loss, double Kl, double ClipFraction);

/// <summary>
/// A training run's curves (mean reward, accuracy, dollars, seconds, loss, KL and clip fraction per GRPO step), read
/// from the <c>training.csv</c> that <c>orchestra train</c> and <c>orchestra demo</c> write under <c>--out</c>.
/// Columns are found by their header names, so added columns do not break the reader.
/// </summary>
public sealed record TrainingCurve(string Name, string Source, IReadOnlyList<TrainingStep> Steps)
{
    private static readonly string[] Needed = ["step", "mean_reward", "accuracy", "dollars_per_episode", "seconds_per_episode", "loss", "kl", "clip_fraction"];

    public static TrainingCurve Load(string path)
    {
        if (!File.Exists(path)) throw new UserError($"--training {path}: file not found; give the training.csv that 'orchestra train' or 'orchestra demo' wrote under --out.");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new UserError($"--training {path}: the file is empty; give a training.csv with a header and one line per step.");
        var header = lines[0].Split(',').Select(h => h.Trim()).ToList();
        var missing = Needed.Where(n => !header.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new UserError($"--training {path}: the header lacks {string.Join(", ", missing)}; give the training.csv that 'orchestra train' or 'orchestra demo' wrote.");
        var at = Needed.ToDictionary(n => n, n => header.IndexOf(n));
        var steps = new List<TrainingStep>();
        for (var i = 1; i < lines.Count; i++)
        {
            var cells = lines[i].Split(',');
            double Cell(string name)
            {
                var j = at[name];
                if (j >= cells.Length || !double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new UserError($"--training {path}: line {i + 1}, column {name}: not a number; the file is damaged or not a training curve.");
                return v;
            }
            steps.Add(new TrainingStep((int)Cell("step"), Cell("mean_reward"), Cell("accuracy"), Cell("dollars_per_episode"), Cell("seconds_per_episode"),
                Cell("loss"), Cell("kl"), Cell("clip_fraction")));
        }
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        return new TrainingCurve(string.IsNullOrEmpty(folder) ? Path.GetFileName(path) : folder, path, steps);
    }
}
