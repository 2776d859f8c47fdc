using System.Diagnostics;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Cli.Tests;

/// <summary>
/// The offline commands as a user runs them: <c>orchestra sim serve</c> in one process, <c>orchestra run</c> (LLM
/// orchestrator or <c>--policy</c>) against it over real HTTP, and a short <c>orchestra demo</c>.
/// </summary>
public sealed class OfflineCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("offline-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Run_reaches_the_sim_server_over_http_with_the_llm_orchestrator_and_with_a_saved_policy()
    {
        await using var serve = await SimServe.StartAsync(Path.Combine(_dir, "sim"));
        var catalog = await OrchestraProcess.RunAsync("sim", "catalog", "--port", serve.Port.ToString());
        catalog.ExitCode.Should().Be(0, catalog.Stderr);
        var catalogPath = Path.Combine(_dir, "sim.json");
        File.WriteAllText(catalogPath, catalog.Stdout);
        var weights = Path.Combine(_dir, "policy.json");
        PolicyWeightsFile.Save(SoftmaxPolicy.Create(seed: 5), weights);
        var question = World.Generate(1, WorldOptions.Small).Tasks.First(t => t.Family == TaskFamily.Lookup).Question;
        string[] common = ["run", "--config", catalogPath, "--index", serve.IndexPath, "--top-k", "5", "--runs-dir", Path.Combine(_dir, "runs"), "--json"];

        var llm = await OrchestraProcess.RunAsync([.. common, question]);
        var learned = await OrchestraProcess.RunAsync([.. common, "--policy", weights, question]);

        llm.ExitCode.Should().Be(0, llm.Stderr);
        var o = JsonNode.Parse(llm.Stdout)!;
        o["stop_reason"]!.GetValue<string>().Should().Be("answered");
        var calls = o["calls"]!.AsArray().Select(c => (Tool: c!["tool"]!.GetValue<string>(), Model: c["model"]?.GetValue<string>())).ToList();
        calls.Should().Contain(("orchestrator", "qwen3-8b")).And.Contain(("search", "gpt-5-mini")).And.Contain(("answer", "gpt-5-mini"));
        o["tokens_estimated"]!.GetValue<bool>().Should().BeFalse("the sim server reports usage");
        File.ReadAllText(o["trajectory_path"]!.GetValue<string>()).Should().Contain("simulated");

        learned.ExitCode.Should().Be(0, learned.Stderr);
        var l = JsonNode.Parse(learned.Stdout)!;
        l["calls"]!.AsArray().Should().NotBeEmpty().And.NotContain(c => c!["tool"]!.GetValue<string>() == "orchestrator",
            "the learned policy replaces the catalog's LLM orchestrator and costs nothing itself");
        l["stop_reason"]!.GetValue<string>().Should().BeOneOf("answered", "max_turns");
    }

    [Fact]
    public async Task Rollout_writes_one_line_per_kept_turn_with_prompt_tools_response_reward_and_advantage()
    {
        await using var serve = await SimServe.StartAsync(Path.Combine(_dir, "sim"));
        var catalogPath = Path.Combine(_dir, "sim.json");
        File.WriteAllText(catalogPath, SimulatedCatalog.Json($"http://127.0.0.1:{serve.Port}/v1"));
        var tasksPath = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllLines(tasksPath, File.ReadLines(Path.Combine(_dir, "sim", "world", "tasks.jsonl")).Take(4));
        var outPath = Path.Combine(_dir, "samples.jsonl");

        var r = await OrchestraProcess.RunAsync("rollout", "--config", catalogPath, "--tasks", tasksPath, "--group", "8", "--index", serve.IndexPath, "--out", outPath);

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("32 rollouts of 4 tasks");
        var lines = File.ReadAllLines(outPath).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Should().NotBeEmpty("the simulated experts vary across a group's seeds, so some groups are not homogeneous");
        foreach (var line in lines)
        {
            line["group_id"]!.GetValue<string>().Should().Be(line["task_id"]!.GetValue<string>() + "@seed1");
            line["messages"]!.AsArray()[0]!["role"]!.GetValue<string>().Should().Be("system");
            line["messages"]!.AsArray().Last()!["content"]!.GetValue<string>().Should().Contain("Problem: ");
            line["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).Should().Contain("answer");
            line["response"]!.GetValue<string>().Should().Contain("<tool_call>");
            line["advantage"]!.GetValue<double>().Should().BeInRange(-3, 3);
            line["simulated_models"]!.GetValue<bool>().Should().BeTrue();
            if (!line["solved"]!.GetValue<bool>()) line["reward"]!.GetValue<double>().Should().Be(0);
        }
        foreach (var group in lines.GroupBy(l => l["group_id"]!.GetValue<string>()))
        {
            // Kept groups are the non-homogeneous ones: some rollout scores above the group mean and some below.
            var byRollout = group.GroupBy(l => l["rollout"]!.GetValue<int>()).Select(g => g.First()["advantage"]!.GetValue<double>()).ToList();
            byRollout.Should().Contain(a => a > 0).And.Contain(a => a < 0);
        }
    }

    [Fact]
    public async Task Rollout_names_the_bad_line_of_a_tasks_file()
    {
        var catalog = Path.Combine(_dir, "sim.json");
        File.WriteAllText(catalog, SimulatedCatalog.Json());
        var tasks = Path.Combine(_dir, "tasks.jsonl");
        File.WriteAllLines(tasks, ["""{"id":"a","problem":"q?","answer":"x"}""", """{"id":"b","answer":"y"}"""]);

        var r = await OrchestraProcess.RunAsync("rollout", "--config", catalog, "--tasks", tasks, "--out", Path.Combine(_dir, "s.jsonl"));

        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Should().StartWith($"error: {tasks} line 2").And.Contain("\"problem\"");
    }

    [Fact]
    public async Task Run_with_a_policy_file_that_is_not_one_fails_with_one_line_naming_it()
    {
        var bogus = Path.Combine(_dir, "weights.json");
        File.WriteAllText(bogus, """{"format":"something-else"}""");
        var catalog = Path.Combine(_dir, "sim.json");
        File.WriteAllText(catalog, SimulatedCatalog.Json());

        var r = await OrchestraProcess.RunAsync("run", "--config", catalog, "--policy", bogus, "question");

        r.ExitCode.Should().Be(2);
        r.Stderr.Trim().Should().StartWith("error: " + bogus).And.Contain("not a small-policy weights file");
        r.Stderr.Trim().Split('\n').Should().ContainSingle();
    }

    [Fact]
    public async Task A_short_demo_prints_the_table_and_the_calibration_and_writes_its_files()
    {
        var outDir = Path.Combine(_dir, "demo");

        var r = await OrchestraProcess.RunAsync("demo", "--world-size", "small", "--steps", "3", "--group", "4", "--out", outDir);

        r.ExitCode.Should().Be(0, r.Stderr);
        r.Stdout.Should().Contain("SIMULATED experts").And.Contain("learned (GRPO)").And.Contain("answer-1 alone (strongest)")
            .And.Contain("Simulated expert profiles").And.Contain("Wall time");
        PolicyWeightsFile.Load(Path.Combine(outDir, "policy.json")).Weights.Should().NotBeEmpty();
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")))!;
        results["evaluation"]!.AsArray().Select(e => e!["policy"]!.GetValue<string>()).Should().Contain("learned (GRPO)");
        results["curve"]!.AsArray().Should().HaveCount(3);
        results["checks"]!["strongest_alone_policy"]!.GetValue<string>().Should().Be("answer-1 alone (strongest)");
        results["generalisation"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Train_runs_the_demos_trainer_alone_and_writes_the_same_weights_and_a_curve()
    {
        var demoDir = Path.Combine(_dir, "demo");
        var trainDir = Path.Combine(_dir, "train");
        string[] settings = ["--seed", "2", "--steps", "3", "--group", "4", "--out"];

        var demo = await OrchestraProcess.RunAsync([.. new[] { "demo", "--world-size", "small" }, .. settings, demoDir]);
        var train = await OrchestraProcess.RunAsync([.. new[] { "train", "--world", "offline", "--world-size", "small" }, .. settings, trainDir]);
        var wrong = await OrchestraProcess.RunAsync("train", "--world", "online");

        demo.ExitCode.Should().Be(0, demo.Stderr);
        train.ExitCode.Should().Be(0, train.Stderr);
        train.Stdout.Should().Contain("Trained 3 steps (simulated experts)");
        File.ReadAllText(Path.Combine(trainDir, "policy.json")).Should().Be(File.ReadAllText(Path.Combine(demoDir, "policy.json")));
        var curve = File.ReadAllLines(Path.Combine(trainDir, "training.csv"));
        curve.Should().HaveCount(4);
        curve[0].Should().StartWith("step,episodes,mean_reward,accuracy,dollars_per_episode");
        File.Exists(Path.Combine(trainDir, "results.json")).Should().BeFalse("train does not evaluate");
        wrong.ExitCode.Should().Be(2);
        wrong.Stderr.Should().Contain("--world must be 'offline'");
    }

    /// <summary>A running <c>orchestra sim serve --port 0</c>, stopped (by its own process id) when disposed.</summary>
    private sealed class SimServe : IAsyncDisposable
    {
        private readonly Process _process;

        private SimServe(Process process, int port, string indexPath)
        {
            _process = process;
            Port = port;
            IndexPath = indexPath;
        }

        public int Port { get; }
        public string IndexPath { get; }

        public static async Task<SimServe> StartAsync(string outDir)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "orchestra.dll"), "sim", "serve", "--port", "0", "--world-size", "small", "--out", outDir })
                psi.ArgumentList.Add(a);
            var process = Process.Start(psi)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                const string marker = " at http://127.0.0.1:";
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (line.StartsWith("Serving SIMULATED experts", StringComparison.Ordinal) && at > 0)
                {
                    var port = int.Parse(line[(at + marker.Length)..].Split('/')[0]);
                    return new SimServe(process, port, Path.Combine(outDir, "world", WorldRetrieval.IndexFile));
                }
            }
            var error = await process.StandardError.ReadToEndAsync();
            throw new InvalidOperationException($"sim serve did not start: {error}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
