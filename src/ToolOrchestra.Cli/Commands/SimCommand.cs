using System.CommandLine;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra sim serve</c>: the offline world's simulated experts behind an OpenAI-compatible endpoint on 127.0.0.1,
/// with the world's corpus indexed for <c>orchestra run --index</c>; <c>orchestra sim catalog</c>: the matching catalog.
/// </summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var sim = new Command("sim", "The offline world's SIMULATED experts (no model weights needed)");
        sim.Subcommands.Add(Serve());
        sim.Subcommands.Add(CatalogCommand());
        return sim;
    }

    private static Command Serve()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => SimulatedCatalog.DefaultPort };
        var seed = new Option<int>("--seed") { Description = "Seed of the world whose questions the experts recognise", DefaultValueFactory = _ => 1 };
        var world = new Option<string>("--world-size") { Description = "World size: default or small (must match the demo's to share its index)", DefaultValueFactory = _ => "default" };
        var outDir = new Option<string>("--out") { Description = "Folder for the world's corpus, tasks and search index", DefaultValueFactory = _ => Path.Combine("runs", "sim") };
        var latencyScale = new Option<double>("--latency-scale") { Description = "Wait this fraction of each reply's modelled seconds (0: reply at once, 1: real time)", DefaultValueFactory = _ => 0 };
        var bind = new Option<string>("--bind") { Description = "Address to listen on; anything but loopback requires --api-key-env", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the key every request must send (Authorization: Bearer)" };
        var command = new Command("serve", "Serve the simulated experts as an OpenAI-compatible /v1/chat/completions on 127.0.0.1 until Ctrl+C")
        {
            port, seed, world, outDir, latencyScale, bind, apiKeyEnv,
        };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var portNumber = OptionChecks.Between(parse.GetValue(port), 0, 65535, "--port");
            var latency = OptionChecks.Range(parse.GetValue(latencyScale), 0, 1000, "--latency-scale");
            var address = LoopbackWebApp.ParseBind(parse.GetValue(bind)!);
            string? key = null;
            if (parse.GetValue(apiKeyEnv) is { } variable)
                key = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
                    : throw new UserError($"--api-key-env {variable}: the variable is not set; export {variable}=SECRET first.");
            var w = World.Generate(parse.GetValue(seed), WorldSize(parse.GetValue(world)!));
            OptionChecks.Folder(parse.GetValue(outDir)!, "--out");
            var folder = Path.GetFullPath(Path.Combine(parse.GetValue(outDir)!, "world"));
            WorldRetrieval.Build(w, folder, ct: c);
            await using var server = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(w), address, portNumber, key, latency, c);
            var index = Path.Combine(folder, WorldRetrieval.IndexFile);
            Console.WriteLine($"Serving SIMULATED experts (no real model runs) at {server.BaseUrl}");
            Console.WriteLine($"World seed {w.Seed} ({w.Fingerprint}): {w.Documents.Count} documents, {w.Tasks.Count} questions in {folder}");
            Console.WriteLine($"Models: {string.Join(", ", SimulatedEndpoint.ServedModels)}");
            Console.WriteLine("A request offering the QA tools is answered by a heuristic orchestrator (simulated); any other by the simulated expert of its model.");
            var catalogHint = server.Port == SimulatedCatalog.DefaultPort ? "examples/catalog.sim.json" : $"CATALOG (./orchestra sim catalog --port {server.Port} > sim.json)";
            var question = w.TestTasks.First(t => t.Family == TaskFamily.MultiHop).Question;
            Console.WriteLine("Try:");
            Console.WriteLine($"  ./orchestra run --config {catalogHint} --index {index} --top-k 5 \"{question}\"");
            Console.WriteLine($"  ./orchestra run --config {catalogHint} --index {index} --top-k 5 --policy runs/demo/policy.json \"{question}\"");
            Console.WriteLine("More questions with gold answers: " + Path.Combine(folder, "tasks.jsonl"));
            return await CliRunner.ServeUntilStoppedAsync(c, () => $"Stopped after {server.Requests} requests.");
        }, ct));
        return command;
    }

    private static Command CatalogCommand()
    {
        var port = new Option<int>("--port") { Description = "Port of the sim server", DefaultValueFactory = _ => SimulatedCatalog.DefaultPort };
        var command = new Command("catalog", "Print the catalog of the simulated experts (the paper's aliases) for a sim server port") { port, OptionChecks.AlwaysJson() };
        command.SetAction((parse, ct) => CliRunner.Guard(c =>
        {
            var p = parse.GetValue(port);
            if (p is < 1 or > 65535) throw new UserError($"--port must be between 1 and 65535, got {p}.");
            Console.Write(SimulatedCatalog.Json($"http://127.0.0.1:{p}/v1"));
            return Task.FromResult(0);
        }, ct));
        return command;
    }

    internal static WorldOptions WorldSize(string name) => name switch
    {
        "default" => WorldOptions.Default,
        "small" => WorldOptions.Small,
        _ => throw new UserError($"--world-size must be 'default' or 'small', got '{name}'."),
    };
}
