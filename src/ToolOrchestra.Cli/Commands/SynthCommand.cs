using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Synthesis;
using ToolOrchestra.Synthesis.Llm;
using ToolOrchestra.Synthesis.Offline;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra synth</c>: ToolScale synthesis. Declarative tau2 domains and tasks, generated offline (seeded) or by the
/// catalog's <c>synth</c> alias, kept only when verified by execution, written in upstream's data layout.
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var domains = new Option<int>("--domains") { Description = "How many domains (the paper's ten themes, then suffixed variants)", DefaultValueFactory = _ => 10 };
        var tasks = new Option<int>("--tasks-per-domain") { Description = "Verified tasks to keep per domain", DefaultValueFactory = _ => 50 };
        var outDir = new Option<string>("--out") { Description = "Output folder: domains/<name>/{db.json,policy.md,tasks.json,domain.json}, toolscale.jsonl/.parquet, report.json", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed gives the same domains and tasks", DefaultValueFactory = _ => 1 };
        var backendOption = new Option<string>("--backend") { Description = "offline (seeded generator, no model) or llm (the catalog's 'synth' alias)", DefaultValueFactory = _ => "offline" };
        var config = new Option<string?>("--config") { Description = "Catalog JSON with a 'synth' alias (for --backend llm)" };
        var evolve = new Option<int>("--evolve") { Description = "Rounds of making each kept task harder (verified again each round)", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--concurrency") { Description = "Domains synthesized at once (default: one per core)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("synth", "ToolScale synthesis: tau2 domains and tasks, verified by execution (resumable)")
        {
            domains, tasks, outDir, seed, backendOption, config, evolve, concurrency, json,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var options = new SynthOptions(
                OptionChecks.Between(parse.GetValue(domains), 1, 1000, "--domains"),
                OptionChecks.Between(parse.GetValue(tasks), 1, 100_000, "--tasks-per-domain"),
                OptionChecks.Folder(parse.GetValue(outDir)!, "--out"),
                parse.GetValue(seed),
                OptionChecks.Between(parse.GetValue(evolve), 0, 10, "--evolve"),
                OptionChecks.AtLeast(parse.GetValue(concurrency), 0, "--concurrency"));
            ISynthesisBackend backend = parse.GetValue(backendOption) switch
            {
                "offline" => new OfflineBackend(),
                "llm" => LlmBackend.FromCatalog(parse.GetValue(config) is { } cfg
                    ? CatalogLoader.Load(OptionChecks.ExistingFile(cfg, "--config"))
                    : throw new UserError("--backend llm needs --config CATALOG, a catalog with a 'synth' alias naming the model that writes domains and tasks.")),
                var other => throw new UserError($"--backend must be 'offline' or 'llm', not '{other}'."),
            };
            var quiet = parse.GetValue(json);
            if (!quiet) Console.Error.WriteLine($"Synthesizing {options.Domains} domains × {options.TasksPerDomain} tasks ({backend.Name} backend, seed {options.Seed}, evolve {options.Evolve}) into {Path.GetFullPath(options.Out)}");
            var pipeline = new SynthesisPipeline(backend, options);
            var report = quiet || Console.IsErrorRedirected
                ? await pipeline.RunAsync(quiet ? null : new SynchronousProgress<SynthProgress>(PrintLine), c)
                : await WithProgressBarsAsync(pipeline, c);
            if (quiet)
            {
                var o = report.ToJson();
                o["out"] = Path.GetFullPath(options.Out);
                Console.WriteLine(o.ToJsonString(OrchestraJson.Compact));
            }
            else Print(report, options);
            return report.Domains.All(d => d.Kept == options.TasksPerDomain) ? 0 : 1;
        }, ct));
        return command;
    }

    /// <summary>One line per finished domain (logs, pipes).</summary>
    private static void PrintLine(SynthProgress p)
    {
        if (p.Done)
            Console.Error.WriteLine(p.Resumed
                ? $"  {p.Domain}: already done ({p.Kept} tasks), resumed"
                : $"  {p.Domain}: {p.Kept}/{p.Target} tasks kept from {p.Candidates} candidates");
    }

    /// <summary>A progress bar per domain on the terminal (stderr, so stdout stays the report).</summary>
    private static async Task<SynthReport> WithProgressBarsAsync(SynthesisPipeline pipeline, CancellationToken ct)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            var progress = new SynchronousProgress<SynthProgress>(p =>
            {
                if (!bars.TryGetValue(p.Domain, out var bar)) bars[p.Domain] = bar = ctx.AddTask(p.Domain, maxValue: p.Target);
                bar.Value = p.Kept;
                if (p.Done) bar.StopTask();
            });
            return await pipeline.RunAsync(progress, ct);
        });
    }

    private static string N(double v, string format = "0") => v.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(SynthReport report, SynthOptions options)
    {
        var reasons = report.Domains.SelectMany(d => d.Rejected.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var table = new Table().AddColumns("domain", "kept", "candidates");
        foreach (var r in reasons) table.AddColumn(r.Replace('_', ' '));
        table.AddColumns("evolved", "seconds");
        foreach (var d in report.Domains)
            table.AddRow([d.Domain, N(d.Kept), N(d.Candidates), .. reasons.Select(r => N(d.Rejected.GetValueOrDefault(r))), N(d.Evolved), N(d.Seconds, "0.00")]);
        AnsiConsole.Write(table);
        foreach (var (name, measure) in SynthReport.Measures)
            Console.WriteLine($"{name,-26} {string.Join("  ", report.Histogram(measure).Select(kv => $"{kv.Key}:{kv.Value}"))}");
        Console.WriteLine($"{report.Kept} tasks kept from {report.Candidates} candidates: rejection rate {N(100 * report.RejectionRate, "0.0")}%, "
            + $"{N(report.TasksPerSecond, "0.0")} verified tasks/s ({N(report.Seconds, "0.00")} s{(report.ResumedDomains > 0 ? $", {report.ResumedDomains} domains resumed" : "")})");
        Console.WriteLine($"Data folder: {Path.GetFullPath(options.Out)}  (orchestra tau2 check-gold --data-dir {options.Out} --domain {report.Domains[0].Domain})");
    }
}
