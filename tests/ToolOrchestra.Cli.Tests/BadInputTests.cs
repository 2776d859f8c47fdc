using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Cli.Tests;

/// <summary>The files the bad-input cases point at, written once.</summary>
public sealed class BadInputFiles : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("bad-input").FullName;

    public BadInputFiles()
    {
        // A good catalog whose endpoint nobody listens on: every case must be refused before any request.
        var catalog = File.ReadAllText(System.IO.Path.Combine(RepoRoot(), "examples", "catalog.sim.json")).Replace("127.0.0.1:1410", "127.0.0.1:9");
        Write("sim.json", catalog);
        Write("timeout0.json", Edit(catalog, c => c["limits"]!["request_timeout_s"] = 0));
        Write("dup.json", catalog.Replace("\"orchestrator\": {", "\"orchestrator\": {\"model\": \"gpt-5\","));
        Write("malformed.json", "{\"orchestrator\": {\"model\": ");
        Write("unknown-alias.json", Edit(catalog, c => c["aliases"]!["answer-1"] = "no-such-model"));
        Write("prefs-bad.json", """{"weights": {"accuracy": 1, "nosuch-alias": 0.5}}""");
        Write("prefs-dup.json", """{"weights": {"accuracy": 1, "accuracy": 0.5}}""");
        Write("tasks.jsonl", """{"id":"a","problem":"2+2?","answer":"4"}""" + "\n");
        Write("tasks-bad.jsonl", """{"id":"a","answer":"4"}""" + "\n");
        Write("tasks-notjson.jsonl", "{\"id\":\n");
        Write("tasks-prefs.jsonl", """{"id":"a","problem":"2+2?","answer":"4","pref_vec":{"accuracy":1,"nosuch-alias":1}}""" + "\n");
        Write("tasks-dup.jsonl", """{"id":"a","problem":"2+2?","answer":"4","answer":"5"}""" + "\n");
        Write("a-file", "not a folder");
        Write("code.py", "print(1)\n");
        Write("corpus.jsonl", """{"id":"d1","contents":"Paris is the capital of France."}""" + "\n");
        Write("messages-bad.json", "[{\"role\": ");
    }

    private static string Edit(string json, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(json)!;
        change(node);
        return node.ToJsonString();
    }

    public string Path(string name) => System.IO.Path.Combine(Dir, name);

    private void Write(string name, string text) => File.WriteAllText(Path(name), text);

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "ToolOrchestra.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root not found above the test binaries");
    }

    public void Dispose() => Directory.Delete(Dir, true);
}

/// <summary>
/// Bad input for every command, as people really type it: each case must exit with code 2 and print exactly one line
/// on stderr that names the place (option, file, field) and no stack trace or exception type. "@name" stands for a
/// file of <see cref="BadInputFiles"/>, "$DATA" for the tau2 data folder.
/// </summary>
public sealed partial class BadInputTests(BadInputFiles files) : IClassFixture<BadInputFiles>
{
    public static TheoryData<string, string> Cases() => new()
    {
        // run
        { "run --config @sim.json --budget-usd abc q", "--budget-usd" },
        { "run --config @sim.json --max-errors abc q", "--max-errors" },
        { "run --config @sim.json --top-k x q", "--top-k" },
        { "run --config @sim.json --max-turns -1 q", "--max-turns" },
        { "run --config @sim.json --code-timeout NaN q", "--code-timeout" },
        { "run --config @sim.json --code-timeout 1e300 q", "--code-timeout" },
        { "run --config @sim.json --runs-dir @a-file q", "--runs-dir" },
        { "run --config @sim.json ''", "empty" },
        { "run --config @sim.json", "question" },
        { "run --config @sim.json --preferences @prefs-bad.json q", "nosuch-alias" },
        { "run --config @sim.json --preferences @prefs-dup.json q", "prefs-dup.json: $.weights: key 'accuracy' appears twice" },
        { "run --config @timeout0.json q", "request_timeout_s" },
        { "run --config @dup.json q", "dup.json: $.orchestrator: key 'model' appears twice" },
        { "run --config @malformed.json q", "malformed.json" },
        { "run --config @unknown-alias.json q", "$.aliases.answer-1: unknown model 'no-such-model'" },
        { "run --config @missing.json q", "missing.json" },
        { "run --config @sim.json --policy @missing.json q", "missing.json" },
        { "run --config @sim.json --no-such-option 3 q", "unknown option '--no-such-option'" },
        { "tau2 check-gold --data-dir $DATA --domain mock --bogus", "--bogus" },
        // rollout
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --group abc", "--group" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --group 1", "--group" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --concurrency 0", "--concurrency" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --max-turns -1", "--max-turns" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --seed 1.5", "--seed" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --top-k 0", "--top-k" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @s1.jsonl --protocol hel", "--protocol: unknown protocol 'hel'; use one of: legacy, hle, frames, train" },
        { "run --config @sim.json --protocol nope q", "--protocol: unknown protocol 'nope'" },
        { "rollout --config @sim.json --tasks @tasks-bad.jsonl --out @s1.jsonl", "tasks-bad.jsonl line 1" },
        { "rollout --config @sim.json --tasks @tasks-notjson.jsonl --out @s1.jsonl", "tasks-notjson.jsonl: line 1" },
        { "rollout --config @sim.json --tasks @tasks-dup.jsonl --out @s1.jsonl", "key 'answer' appears twice" },
        { "rollout --config @sim.json --tasks @missing.jsonl --out @s1.jsonl", "missing.jsonl" },
        { "rollout --config @sim.json --tasks @tasks-prefs.jsonl --out @s1.jsonl", "nosuch-alias" },
        { "rollout --config @malformed.json --tasks @tasks.jsonl --out @s1.jsonl", "malformed.json" },
        { "rollout --config @sim.json --tasks @tasks.jsonl --out @a-file", "a-file" },
        // demo and train
        { "demo --concurrency 0", "--concurrency" },
        { "demo --steps abc", "--steps" },
        { "demo --group 1", "--group" },
        { "demo --world-size huge", "--world-size" },
        { "demo --tasks-per-family 0", "--tasks-per-family" },
        { "demo --out @a-file", "--out" },
        { "train --world online", "--world" },
        { "train --world offline --concurrency 0", "--concurrency" },
        { "train --world offline --steps 0", "--steps" },
        { "train --world offline --seed abc", "--seed" },
        // sim
        { "sim serve --port 70000", "--port" },
        { "sim serve --seed abc", "--seed" },
        { "sim serve --world-size x", "--world-size" },
        { "sim serve --latency-scale NaN", "--latency-scale" },
        { "sim catalog --port 0", "--port" },
        { "sim catalog --port abc", "--port" },
        // tool code
        { "tool code --file @code.py --code-timeout NaN", "--code-timeout" },
        { "tool code --file @code.py --code-timeout 1e300", "--code-timeout" },
        { "tool code --file @code.py --code-timeout -1", "--code-timeout" },
        { "tool code --file @code.py --memory-mb abc", "--memory-mb" },
        { "tool code --file @missing.py", "missing.py" },
        { "tool code --file @code.py --config @malformed.json", "malformed.json" },
        // index, retriever
        { "index build --corpus @missing.jsonl --out @i.db", "missing.jsonl" },
        { "index search --index @missing.db q", "missing.db" },
        { "index search --index @missing.db --top-k abc q", "--top-k" },
        { "serve-retriever --index @missing.db --port 0", "missing.db" },
        { "serve-retriever --index @missing.db --port abc", "--port" },
        // mcp, tokenizer, chat template, bench
        { "mcp list", "--stdio" },
        { "mcp list --http http://127.0.0.1:9/mcp --start-timeout NaN", "--start-timeout" },
        { "mcp call --http http://127.0.0.1:9/mcp --tool t --args {bad", "--args" },
        { "tokenize --tokenizer @missing-dir hello", "missing-dir" },
        { "render-chat --tokenizer @missing-dir --messages @messages-bad.json", "missing-dir" },
        { "bench tokenizer --tokenizer @missing-dir --seconds NaN --no-reference", "--seconds" },
        { "bench tokenizer --tokenizer @missing-dir --size-mb abc --no-reference", "--size-mb" },
        // tau2
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --trials -1 --out @r1.json", "--trials" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --trials abc", "--trials" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --concurrency 0 --out @r1.json", "--concurrency" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --out @r1.json", "expert-" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model nosuch --agent plain --out @r1.json", "--user-model 'nosuch'" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain nosuch --user-model gpt-5 --agent plain --out @r1.json", "nosuch" },
        { "tau2 run --config @sim.json --data-dir @missing-dir --domain mock --user-model gpt-5 --agent plain --out @r1.json", "missing-dir" },
        { "tau2 run --config @dup.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --out @r1.json", "appears twice" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --out @a-file", "a-file" },
        { "tau2 run --config @sim.json --data-dir $DATA --domain mock --user-model gpt-5 --agent plain --preferences @prefs-bad.json --out @r1.json", "nosuch-alias" },
        { "tau2 report --results @missing.json", "missing.json" },
        { "tau2 report --results @malformed.json", "malformed.json" },
        { "tau2 rescore --data-dir $DATA --results @missing.json --concurrency 0", "--concurrency" },
        { "tau2 evaluate --data-dir $DATA --domain mock --task create_task_1 --trajectory @missing.json", "missing.json" },
        { "tau2 check-gold --data-dir $DATA --domain nosuch", "nosuch" },
        // the command itself
        { "nosuch", "nosuch" },
        // a store in a missing folder: said, never created
        { "eval run --benchmark offline --world-size small --store /nonexistent-orchestra-dir/x.db --run-id r", "the folder /nonexistent-orchestra-dir does not exist" },
        { "keys list --store /nonexistent-orchestra-dir/x.db", "the folder /nonexistent-orchestra-dir does not exist" },
        // an unknown option is not an argument ("--frobnicate" is no question, query, key or file)
        { "run --config @sim.json --json --frobnicate", "unknown option '--frobnicate'" },
        { "run --config @sim.json --frobnicate q", "unknown option '--frobnicate'" },
        { "index search --index @missing.db -x", "unknown option '-x'" },
        { "keys revoke --frobnicate", "unknown option '--frobnicate'" },
        { "reward --frobnicate", "unknown option '--frobnicate'" },
        { "doctor --frobnicate", "--frobnicate" },
        // a slip or an old name gets the right one
        { "run --config @sim.json --topk 3 q", "unknown option '--topk'; did you mean '--top-k'?" },
        { "evl run", "unknown command 'evl'; did you mean 'eval'?" },
        { "tau2 run --config @sim.json --judge-model x", "unknown option '--judge-model'; it is now '--judge'." },
        { "eval run --benchmark qa --max-steps 3", "it is now '--max-turns'." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_exits_2_with_one_line_naming_the_place_and_no_stack_trace(string commandLine, string names)
    {
        var args = Words(commandLine).Select(Expand).ToArray();

        var r = await OrchestraProcess.RunAsync(args);

        var stderr = r.Stderr.Trim();
        r.ExitCode.Should().Be(2, $"`{commandLine}` is bad input\nstderr: {r.Stderr}");
        stderr.Split('\n').Should().ContainSingle($"one line, not a dump: {r.Stderr}");
        stderr.Should().StartWith("error: ").And.Contain(Expand(names));
        stderr.Should().NotContain("   at ").And.NotMatchRegex(@"\b[A-Z]\w*Exception\b").And.NotContain("System.");
    }

    private string Expand(string word) =>
        word.Replace("$DATA", SharedData.File("tau2", "data")).Replace("@", files.Dir + Path.DirectorySeparatorChar);

    /// <summary>Splits at spaces; <c>''</c> is an empty argument.</summary>
    private static IEnumerable<string> Words(string line) => SpaceSplit().Split(line).Select(w => w == "''" ? "" : w);

    [GeneratedRegex(" ")]
    private static partial Regex SpaceSplit();
}
