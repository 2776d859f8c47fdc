using System.CommandLine;
using System.Text;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra eval report</c>: Table 1 and its analyses (turn-limit sweep, call shares, accuracy against dollars,
/// preference adherence, a rerun beside its baseline, training curves) from runs in an evaluation store, as Markdown,
/// HTML with charts, CSV and JSON.
/// </summary>
internal static class EvalReportCommand
{
    private static readonly string[] Formats = ["md", "html", "csv", "json"];

    /// <summary>Transcripts the HTML page carries per run: enough to browse, small enough to mail (eval show prints any other).</summary>
    private const int TranscriptsPerRun = 200;

    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Run ids in the store to report on (as given to 'orchestra eval run --run-id'); default: every run in the store", Arity = ArgumentArity.ZeroOrMore };
        var store = new Option<string>("--store") { Description = "The evaluation store: a SQLite file or a postgres:// URL", Required = true };
        var outDir = new Option<string?>("--out") { Description = "Folder to write report.md, report.html, report.json and the CSV tables into (all four unless --format is given)" };
        var format = new Option<string?>("--format") { Description = "md, html, csv or json: what to print (without --out) or write (with --out); default md printed, all written" };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object ({\"runs\":[…],…})" };
        var preferences = new Option<string[]>("--preferences") { Description = "Preference files (weights/pref_vec, only_tags, exclude_aliases): score each run's trajectories under them (repeat the option for several)" };
        var baseline = new Option<string?>("--baseline") { Description = "A run to put the others beside (e.g. the same orchestrator before prices changed): deltas per metric" };
        var training = new Option<string[]>("--training") { Description = "training.csv files written by 'orchestra train' or 'orchestra demo': curves per GRPO step (repeat for several)" };
        var strongest = new Option<string?>("--strongest") { Description = "The model id counted as the strongest (default: the highest-priced model of each run's catalog)" };
        var command = new Command("report", "Table 1 and its analyses from evaluation runs: Markdown, HTML with charts, CSV, JSON")
        {
            runs, store, outDir, format, json, preferences, baseline, training, strongest,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var chosen = parse.GetValue(format);
            if (chosen is not null && !Formats.Contains(chosen))
                throw new UserError($"--format must be one of {string.Join(", ", Formats)}, got '{chosen}'.");
            var location = StoreLocation.Parse(parse.GetValue(store)!, "--store");
            if (location.Kind == StoreKind.Sqlite && !File.Exists(location.Display))
                throw new UserError($"--store {location.Display}: no evaluation store there; fill one with 'orchestra eval run --store {location.Display} …' or check the path.");
            var request = new ReportRequest(parse.GetValue(runs) ?? [])
            {
                Baseline = parse.GetValue(baseline),
                Preferences = (parse.GetValue(preferences) ?? []).Select(LoadPreferences).ToList(),
                Training = (parse.GetValue(training) ?? []).Select(TrainingCurve.Load).ToList(),
                Strongest = parse.GetValue(strongest),
            };
            var dir = parse.GetValue(outDir) is { } d ? OptionChecks.Folder(d, "--out") : null;

            await using var opened = await EvalStore.OpenAsync(location, c);
            var report = await EvalReport.BuildAsync(opened, request, c);
            var formats = dir is null ? [chosen ?? "md"] : chosen is null ? Formats : [chosen];
            // The HTML page links each sample to its transcript; trajectories are read only when it is written.
            var transcripts = new List<SampleTranscript>();
            if (formats.Contains("html") && (dir is not null || !parse.GetValue(json)))
                foreach (var r in report.Runs) transcripts.AddRange(await SampleTranscript.LoadAsync(opened, r.RunId, [], TranscriptsPerRun, c));

            if (dir is not null)
            {
                var written = Write(report, transcripts, dir, formats);
                if (!parse.GetValue(json))
                    foreach (var path in written) Console.WriteLine(path);
            }
            if (parse.GetValue(json)) Console.WriteLine(JsonReport.Write(report, indented: false));
            else if (dir is null) Console.Write(Render(report, transcripts, formats[0]));
            return 0;
        }, ct));
        return command;
    }

    private static (string, string, Preferences) LoadPreferences(string path)
    {
        OptionChecks.ExistingFile(path, "--preferences");
        return (Path.GetFileNameWithoutExtension(path), path, Preferences.Load(path));
    }

    private static string Render(EvalReport report, IReadOnlyList<SampleTranscript> transcripts, string format) => format switch
    {
        "html" => HtmlReport.Write(report, transcripts),
        "json" => JsonReport.Write(report) + "\n",
        "csv" => CsvReport.Tables(report)["table1.csv"],
        _ => MarkdownReport.Write(report),
    };

    /// <summary>Writes each file whole (temporary name, then rename), so an interrupted report never leaves half a file.</summary>
    private static List<string> Write(EvalReport report, IReadOnlyList<SampleTranscript> transcripts, string dir, IEnumerable<string> formats)
    {
        Directory.CreateDirectory(dir);
        var files = new List<(string Name, string Text)>();
        foreach (var f in formats)
        {
            if (f == "csv") files.AddRange(CsvReport.Tables(report).Select(kv => (kv.Key, kv.Value)));
            else files.Add(($"report.{f}", Render(report, transcripts, f)));
        }
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path + ".tmp", text, new UTF8Encoding(false));
            File.Move(path + ".tmp", path, overwrite: true);
            written.Add(path);
        }
        return written;
    }
}
