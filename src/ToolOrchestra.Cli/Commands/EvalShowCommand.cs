using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Evaluation.Reports;
using ToolOrchestra.Evaluation.Store;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra eval show</c>: one run's samples as a person reads them (question, gold, answer, verdict, judge's
/// reasoning, turns, calls, cost), or as JSON lines, so a sample can be looked at without <c>sqlite3</c>.
/// </summary>
internal static class EvalShowCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run id in the store (as given to 'orchestra eval run --run-id')" };
        var samples = new Argument<string[]>("samples") { Description = "Sample ids or task ids to show (default: every sample of the run)", Arity = ArgumentArity.ZeroOrMore };
        var store = new Option<string>("--store") { Description = "The evaluation store: a SQLite file or a postgres:// URL", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per sample, one per line (JSONL), every key present (null when absent)" };
        var command = new Command("show", "Print evaluation samples: question, gold, answer, verdict, judge's reasoning, turns, calls and cost") { run, samples, store, json };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var location = StoreLocation.Parse(parse.GetValue(store)!, "--store");
            if (location.Kind == StoreKind.Sqlite && !File.Exists(location.Display))
                throw new UserError($"--store {location.Display}: no evaluation store there; fill one with 'orchestra eval run --store {location.Display} …' or check the path.");
            await using var opened = await EvalStore.OpenAsync(location, c);
            var transcripts = await SampleTranscript.LoadAsync(opened, parse.GetValue(run)!, parse.GetValue(samples) ?? [], ct: c);
            foreach (var t in transcripts)
            {
                if (parse.GetValue(json)) Console.WriteLine(t.ToJson());
                else Print(t);
            }
            return 0;
        }, ct));
        return command;
    }

    private static void Print(SampleTranscript t)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"== {t.RunId} · {t.SampleId}{(t.TaskId is { } task && task != t.SampleId ? $" (task {task})" : "")}{(t.Simulated ? " · SIMULATED experts" : "")} ==");
        Field("question", SampleTranscript.Cut(t.Question, 2000));
        Field("gold", t.Gold);
        Field("answer", t.Answer);
        Field("verdict", $"{t.Verdict} ({t.VerdictSourceText}){(t.Reward is { } r && t.Correct is not null ? $", reward {r.ToString("0.###", inv)}" : "")}");
        if (t.JudgeReasoning is { } why) Field($"judge{(t.JudgeModel is { } m ? $" ({m})" : "")}", SampleTranscript.Cut(why, 2000));
        Field("stop", t.StopReason);
        if (t.Error is { } error) Field("error", error);
        Field("cost", $"${t.CostUsd.ToString("0.######", inv)} (judge ${t.JudgeCostUsd.ToString("0.######", inv)}), " +
                      $"tool {t.LatencySeconds.ToString("0.00", inv)} s, wall {t.WallSeconds.ToString("0.00", inv)} s");
        Console.WriteLine($"turns ({t.Turns.Count}):");
        foreach (var u in t.Turns)
        {
            var tool = u.Tool is null ? "" : $" {u.Tool}{((u.Alias ?? u.Model) is { } who ? $" → {who}" : "")}{(u.Arguments is { } a ? $" {SampleTranscript.Cut(a, 200)}" : "")}";
            Console.WriteLine($"  {u.Turn}. {u.Role}{tool}");
            if (u.Text is { } text) Console.WriteLine($"     says: {Line(text)}");
            if (u.Observation is { } obs) Console.WriteLine($"     observation: {Line(obs)}");
            if (u.Error is { } err) Console.WriteLine($"     error: {Line(err)}");
        }
        var table = new Table().AddColumns("turn", "kind", "tool", "alias", "model", "tokens in", "tokens out", "$", "s");
        foreach (var call in t.Calls)
            table.AddRow(call.Turn.ToString(inv), Markup.Escape(call.Kind ?? ""), Markup.Escape(call.Tool ?? ""), Markup.Escape(call.Alias ?? ""), Markup.Escape(call.Model ?? ""), call.InputTokens.ToString(inv),
                call.OutputTokens.ToString(inv), call.CostUsd.ToString("0.######", inv), call.LatencySeconds.ToString("0.00", inv));
        Console.WriteLine($"calls ({t.Calls.Count}):");
        AnsiConsole.Write(table);
        Console.WriteLine();
    }

    private static void Field(string name, string? value) => Console.WriteLine($"{name + ":",-10} {value ?? "–"}");

    /// <summary>An observation on one line, cut: tool results run to thousands of characters.</summary>
    private static string Line(string text) => SampleTranscript.Cut(text.ReplaceLineEndings(" ⏎ "))!;
}
