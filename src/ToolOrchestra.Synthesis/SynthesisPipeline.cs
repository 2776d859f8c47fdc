using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Synthesis.Offline;
using ToolOrchestra.Synthesis.Output;
using ToolOrchestra.Synthesis.Verification;

namespace ToolOrchestra.Synthesis;

/// <summary>What <c>orchestra synth</c> makes: N domains of K verified tasks in <see cref="Out"/>.</summary>
public sealed record SynthOptions(int Domains, int TasksPerDomain, string Out, int Seed = 1, int Evolve = 0, int Concurrency = 0)
{
    /// <summary>Candidates tried per wanted task before a domain gives up (a backend that keeps failing verification).</summary>
    public const int CandidatesPerTask = 20;
}

/// <summary>One domain's progress, reported after every verified candidate.</summary>
public sealed record SynthProgress(string Domain, int Kept, int Target, int Candidates, bool Done, bool Resumed = false);

/// <summary>
/// The ToolScale pipeline: for each domain, the backend drafts it, the tau2 engine loads it (so it runs exactly as
/// check-gold and tau2 run will), candidates are verified by execution until K are kept, each kept task is evolved
/// R times (kept only when it verifies again), and the domain is written in upstream's layout. A finished domain's
/// folder appears in one move, so a killed run resumes where it stopped and never leaves half a domain.
/// </summary>
public sealed class SynthesisPipeline(ISynthesisBackend backend, SynthOptions options)
{
    public const string ManifestFile = "synth.json";
    public const string DomainReportFile = "synth-report.json";

    /// <summary>Domain i takes the i-th theme's name; a second round of themes is suffixed (bank_2, …).</summary>
    public static string DomainName(int index) =>
        Themes.All[index % Themes.All.Count].Name + (index < Themes.All.Count ? "" : "_" + (index / Themes.All.Count + 1).ToString(CultureInfo.InvariantCulture));

    /// <summary>Each domain's own seed, so domains are independent of order and concurrency.</summary>
    public static int DomainSeed(int seed, int index) => unchecked(seed * 1_000_003 + index * 7_919 + 17);

    public string DomainsFolder => Path.Combine(options.Out, "domains");

    public async Task<SynthReport> RunAsync(IProgress<SynthProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(DomainsFolder);
        CheckManifest();
        WriteGuidelines();
        var reports = new DomainReport[options.Domains];
        var resumed = new bool[options.Domains];
        var parallel = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = options.Concurrency > 0 ? options.Concurrency : Environment.ProcessorCount };
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Domains), parallel, async (i, c) =>
        {
            var name = DomainName(i);
            var folder = Path.Combine(DomainsFolder, name);
            var reportFile = Path.Combine(folder, DomainReportFile);
            if (File.Exists(reportFile))
            {
                reports[i] = DomainReport.FromJson(JsonNode.Parse(await File.ReadAllTextAsync(reportFile, c))!);
                resumed[i] = true;
                progress?.Report(new SynthProgress(name, reports[i].Kept, options.TasksPerDomain, reports[i].Candidates, true, Resumed: true));
                return;
            }
            reports[i] = await SynthesizeDomainAsync(i, name, progress, c).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var keptThisRun = reports.Where((_, i) => !resumed[i]).Sum(r => r.Kept);
        var report = new SynthReport(backend.Name, options.Seed, reports, clock.Elapsed.TotalSeconds, resumed.Count(r => r), keptThisRun);
        var rows = ToolScaleRows.FromDomains(DomainsFolder, reports.Select(r => r.Domain));
        await ToolScaleRows.WriteJsonlAsync(rows, Path.Combine(options.Out, "toolscale.jsonl"), ct).ConfigureAwait(false);
        await ToolScaleRows.WriteParquetAsync(rows, Path.Combine(options.Out, "toolscale.parquet"), ct).ConfigureAwait(false);
        await AtomicFile.WriteAsync(Path.Combine(options.Out, "report.json"), report.ToJson().ToJsonString(OrchestraJson.Options), ct).ConfigureAwait(false);
        return report;
    }

    private async Task<DomainReport> SynthesizeDomainAsync(int index, string name, IProgress<SynthProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var seed = DomainSeed(options.Seed, index);
        var draft = await backend.DraftAsync(index, name, seed, ct).ConfigureAwait(false);
        var partial = Path.Combine(DomainsFolder, "." + name + ".partial");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        var spec = DomainSpec.Parse(draft.DomainJson, Path.Combine(partial, DomainSpec.FileName));
        if (spec.Name != name) throw new UserError($"{backend.Name} backend: drafted domain '{spec.Name}' where '{name}' was asked for.");
        var domain = DeclarativeDomain.Create(spec, draft.DbJson, draft.Policy, partial, Path.Combine(partial, "db.json"));
        var source = draft.Tasks(domain);
        var verifier = new TaskVerifier(domain);

        var kept = new List<Verdict>();
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal);
        var evolveRejected = new Dictionary<string, int>(StringComparer.Ordinal);
        int candidates = 0, evolved = 0;
        var budget = options.TasksPerDomain * SynthOptions.CandidatesPerTask;
        while (kept.Count < options.TasksPerDomain && candidates < budget)
        {
            ct.ThrowIfCancellationRequested();
            var candidate = await source.NextAsync(ct).ConfigureAwait(false);
            if (candidate is null) break;
            candidates++;
            var verdict = verifier.Verify(candidate);
            if (!verdict.Kept)
            {
                Count(rejected, verdict.Rejection!.Value);
                continue;
            }
            for (var round = 0; round < options.Evolve; round++)
            {
                var harder = await source.EvolveAsync(verdict.Task, ct).ConfigureAwait(false);
                if (harder is null) break;
                var again = verifier.Verify(harder);
                if (!again.Kept)
                {
                    Count(evolveRejected, again.Rejection!.Value);
                    continue;
                }
                verdict = again;
                evolved++;
            }
            kept.Add(verdict);
            progress?.Report(new SynthProgress(name, kept.Count, options.TasksPerDomain, candidates, false));
        }

        var tasks = new JsonArray(kept.Select((v, i) => (JsonNode?)SynthesizedTask.ToJson(name, i, v, backend.Name)).ToArray());
        var report = new DomainReport(name, candidates, kept.Count, rejected, evolved, evolveRejected, kept.Select(v => v.Difficulty!).ToList(), clock.Elapsed.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(partial, DomainSpec.FileName), draft.DomainJson.ToJsonString(OrchestraJson.Options), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(partial, "db.json"), draft.DbJson.ToJsonString(OrchestraJson.Options), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(partial, "policy.md"), draft.Policy, ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(partial, "tasks.json"), tasks.ToJsonString(OrchestraJson.Options), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(partial, DomainReportFile), report.ToJson().ToJsonString(OrchestraJson.Options), ct).ConfigureAwait(false);
        var folder = Path.Combine(DomainsFolder, name);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); // an unfinished folder from elsewhere: ours replaces it whole
        Directory.Move(partial, folder);
        progress?.Report(new SynthProgress(name, kept.Count, options.TasksPerDomain, candidates, true));
        return report;
    }

    private static void Count(Dictionary<string, int> counts, RejectionReason reason)
    {
        var key = RejectionReasons.Name(reason);
        counts[key] = counts.GetValueOrDefault(key) + 1;
    }

    /// <summary>A rerun into the same folder must ask for the same tasks; more domains may be added.</summary>
    private void CheckManifest()
    {
        var file = Path.Combine(options.Out, ManifestFile);
        var wanted = new JsonObject
        {
            ["backend"] = backend.Name,
            ["seed"] = options.Seed,
            ["tasks_per_domain"] = options.TasksPerDomain,
            ["evolve"] = options.Evolve,
        };
        if (File.Exists(file))
        {
            var had = JsonNode.Parse(File.ReadAllText(file)) as JsonObject
                ?? throw new UserError($"{file}: not a synth manifest; remove it or choose another --out.");
            foreach (var (k, v) in wanted)
                if (had[k]?.ToJsonString() != v!.ToJsonString())
                    throw new UserError($"{file}: this folder was synthesized with {k} {had[k]?.ToJsonString() ?? "unset"}, not {v.ToJsonString()}; rerun with the same settings to resume, or choose another --out.");
            return;
        }
        AtomicFile.Write(file, wanted.ToJsonString(OrchestraJson.Options));
    }

    private void WriteGuidelines()
    {
        var dir = Path.Combine(options.Out, "user_simulator");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "simulation_guidelines.md", "simulation_guidelines_tools.md" })
            AtomicFile.Write(Path.Combine(dir, f), UserGuidelines.Text);
    }
}

/// <summary>Writes a file whole or not at all (a temporary file, then a rename).</summary>
internal static class AtomicFile
{
    public static void Write(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
    }

    public static async Task WriteAsync(string path, string text, CancellationToken ct)
    {
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, text, ct).ConfigureAwait(false);
        File.Move(tmp, path, overwrite: true);
    }
}
