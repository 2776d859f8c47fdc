using System.Text.Json.Nodes;
using Parquet.Serialization;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Evaluation;
using ToolOrchestra.Synthesis.Offline;
using ToolOrchestra.Synthesis.Output;

namespace ToolOrchestra.Synthesis.Tests;

/// <summary>The offline pipeline end to end: deterministic, every kept task passes check-gold, resumable, ToolScale rows.</summary>
public sealed class PipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("synth").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<SynthReport> Synth(string name, int domains = 3, int tasks = 12, int seed = 1, int evolve = 0) =>
        await new SynthesisPipeline(new OfflineBackend(), new SynthOptions(domains, tasks, Path.Combine(_dir, name), seed, evolve))
            .RunAsync(null, CancellationToken.None);

    private string Read(string run, string domain, string file) => File.ReadAllText(Path.Combine(_dir, run, "domains", domain, file));

    [Fact]
    public async Task The_same_seed_gives_the_same_domains_and_tasks_and_another_seed_does_not()
    {
        var a = await Synth("a");
        await Synth("b");
        await Synth("c", seed: 2);
        a.Kept.Should().Be(36);
        foreach (var d in a.Domains.Select(d => d.Domain))
            foreach (var f in new[] { "domain.json", "db.json", "policy.md", "tasks.json" })
                Read("a", d, f).Should().Be(Read("b", d, f), $"{d}/{f} is deterministic");
        Read("a", "bank", "tasks.json").Should().NotBe(Read("c", "bank", "tasks.json"));
        File.ReadAllBytes(Path.Combine(_dir, "a", "toolscale.parquet")).Should().Equal(File.ReadAllBytes(Path.Combine(_dir, "b", "toolscale.parquet")));
    }

    [Fact]
    public async Task Check_gold_passes_every_kept_task_of_every_domain()
    {
        var report = await Synth("gold", domains: 10, tasks: 15);
        report.Domains.Select(d => d.Domain).Should().BeEquivalentTo(Themes.All.Select(t => t.Name));
        foreach (var d in report.Domains)
        {
            var domain = Tau2Domain.Load(Path.Combine(_dir, "gold"), d.Domain);
            var tasks = Tau2TaskSet.Load(domain).Tasks;
            tasks.Should().HaveCount(15);
            var gold = await GoldCheck.RunAsync(domain, tasks, null, CancellationToken.None);
            gold.Passed.Should().Be(15, $"{d.Domain}: {string.Join("; ", gold.Results.Where(r => r.Status != GoldReport.StatusPassed).Select(r => r.TaskId + " " + r.Detail))}");
        }
        report.Rejected.Should().BeGreaterThan(0, "the generator proposes plausible goals and execution rejects the wrong ones");
        report.RejectedByReason.Keys.Should().Contain(["precondition_violated", "unsolvable"]);
    }

    [Fact]
    public async Task Evolve_makes_longer_tasks_that_still_verify()
    {
        var plain = await Synth("plain", domains: 2, tasks: 10);
        var evolved = await Synth("evolved", domains: 2, tasks: 10, evolve: 2);
        evolved.Domains.Sum(d => d.Evolved).Should().BeGreaterThan(0);
        evolved.Domains.SelectMany(d => d.Difficulties).Average(x => x.Actions)
            .Should().BeGreaterThan(plain.Domains.SelectMany(d => d.Difficulties).Average(x => x.Actions));
        var domain = Tau2Domain.Load(Path.Combine(_dir, "evolved"), "bank");
        var tasks = Tau2TaskSet.Load(domain).Tasks;
        tasks.Should().Contain(t => t.Json["description"]!["evolve_round"]!.GetValue<int>() > 0);
        (await GoldCheck.RunAsync(domain, tasks, null, CancellationToken.None)).Passed.Should().Be(tasks.Count);
    }

    [Fact]
    public async Task A_killed_run_resumes_and_a_rerun_with_other_settings_is_refused()
    {
        await Synth("full", domains: 3, tasks: 8);
        var partial = Path.Combine(_dir, "resume");
        await Synth("resume", domains: 3, tasks: 8);
        // as if killed: one domain never moved into place, a half-written partial folder left behind
        Directory.Delete(Path.Combine(partial, "domains", "ecommerce"), true);
        Directory.CreateDirectory(Path.Combine(partial, "domains", ".ecommerce.partial"));
        File.WriteAllText(Path.Combine(partial, "domains", ".ecommerce.partial", "tasks.json"), "[");
        var again = await Synth("resume", domains: 3, tasks: 8);
        again.ResumedDomains.Should().Be(2);
        Read("resume", "ecommerce", "tasks.json").Should().Be(Read("full", "ecommerce", "tasks.json"));
        Directory.Exists(Path.Combine(partial, "domains", ".ecommerce.partial")).Should().BeFalse();
        File.ReadAllText(Path.Combine(partial, "toolscale.jsonl")).Should().Be(File.ReadAllText(Path.Combine(_dir, "full", "toolscale.jsonl")));

        var act = () => Synth("resume", domains: 3, tasks: 9);
        (await act.Should().ThrowAsync<UserError>()).Which.Message.Should().Contain("tasks_per_domain 8, not 9");
    }

    [Fact]
    public async Task ToolScale_rows_hold_the_released_datasets_fields_in_jsonl_and_parquet()
    {
        var report = await Synth("rows", domains: 2, tasks: 5);
        var lines = File.ReadAllLines(Path.Combine(_dir, "rows", "toolscale.jsonl"));
        lines.Should().HaveCount(report.Kept);
        var first = JsonNode.Parse(lines[0])!.AsObject();
        first.Select(p => p.Key).Should().Equal("id", "description", "user_scenario", "initial_state", "evaluation_criteria");
        first["evaluation_criteria"]!["actions"]!.AsArray().Should().NotBeEmpty();

        await using var stream = File.OpenRead(Path.Combine(_dir, "rows", "toolscale.parquet"));
        var result = await ParquetSerializer.DeserializeAsync<ToolScaleRow>(stream);
        var rows = result.Data;
        result.Schema.DataFields.Select(f => f.Name).Should().Equal("id", "description", "user_scenario", "initial_state", "evaluation_criteria");
        rows.Should().HaveCount(report.Kept);
        rows[0].Id.Should().Be(first["id"]!.GetValue<string>());
        JsonNode.Parse(rows[0].EvaluationCriteria)!.ToJsonString().Should().Be(first["evaluation_criteria"]!.ToJsonString());
        var reportJson = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "rows", "report.json")))!;
        reportJson["difficulty_histograms"]!["actions"]!.AsObject().Sum(p => p.Value!.GetValue<int>()).Should().Be(report.Kept);
    }
}
