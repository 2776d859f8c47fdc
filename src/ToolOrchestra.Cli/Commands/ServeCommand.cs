using System.CommandLine;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Server;
using ToolOrchestra.Tools;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra serve</c>: the orchestrator as an OpenAI-compatible service (see <see cref="OrchestraServer"/>).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var engineOptions = EngineOptions.Create(); // --config: the catalog behind the model name 'orchestrator'
        var profiles = new Option<string[]>("--profile") { Description = "Another model name served from its own catalog: NAME=CATALOG; repeatable" };
        var store = new Option<string>("--store") { Description = "Keys, runs and spend: a SQLite file, or postgres://user:pass@host:port/db shared by replicas", DefaultValueFactory = _ => OptionChecks.DefaultServerStore };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var bind = new Option<string>("--bind") { Description = "Address to listen on; anything but loopback requires keys (orchestra keys create)", DefaultValueFactory = _ => "127.0.0.1" };
        var allowedHosts = new Option<string[]>("--allowed-host") { Description = "A Host name clients may use besides loopback and the bound address (e.g. behind a load balancer); repeatable" };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body accepted", DefaultValueFactory = _ => 1 << 20 };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder for each run's trajectory file", DefaultValueFactory = _ => "runs" };
        var maxDepth = new Option<int>("--max-depth") { Description = "Most orchestrators a request may already be nested in (catalog models with \"api\": \"orchestra\")", DefaultValueFactory = _ => 3 };
        var command = new Command("serve", "Serve orchestrators as an OpenAI-compatible /v1/chat/completions with keys, budgets, run records, /metrics and a dashboard at /ui")
        {
            profiles, store, port, bind, allowedHosts, maxBody, runsDir, maxDepth,
        };
        engineOptions.AddTo(command);
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var weights = parse.GetValue(engineOptions.Policy);
            var options = new ServerOptions
            {
                CatalogPath = OptionChecks.ExistingFile(parse.GetValue(engineOptions.Config)!, "--config"),
                Profiles = (parse.GetValue(profiles) ?? []).ToDictionary(p => ProfileName(p), p => OptionChecks.ExistingFile(p[(p.IndexOf('=') + 1)..], "--profile")),
                Store = OptionChecks.ServerStore(parse.GetValue(store)!),
                Bind = LoopbackWebApp.ParseBind(parse.GetValue(bind)!),
                Port = OptionChecks.Between(parse.GetValue(port), 0, 65535, "--port"),
                AllowedHosts = parse.GetValue(allowedHosts) ?? [],
                MaxBodyBytes = parse.GetValue(maxBody) >= 1024 ? parse.GetValue(maxBody) : throw new UserError($"--max-body-bytes must be at least 1024, got {parse.GetValue(maxBody)}."),
                RunsDirectory = OptionChecks.Folder(parse.GetValue(runsDir)!, "--runs-dir"),
                MaxDepth = OptionChecks.Between(parse.GetValue(maxDepth), 1, 16, "--max-depth"),
                Engine = o =>
                {
                    engineOptions.Apply(parse, o);
                    if (weights is not null) o.Policy = _ => new LearnedQaPolicy(PolicyWeightsFile.Load(weights));
                },
            };
            foreach (var path in options.Profiles.Values.Prepend(options.CatalogPath))
            {
                // Before serving: a catalog whose orchestrator or every answer alias lacks its key would only fail paid requests.
                var catalog = CatalogLoader.Load(path);
                foreach (var warning in CatalogReadiness.Require(catalog, weights is null ? catalog.Orchestrator.Model : null)) Console.Error.WriteLine(warning);
                if (weights is not null && PolicyWeightsFile.CatalogNote(weights, catalog) is { } note) Console.Error.WriteLine(note);
            }
            await using var server = await OrchestraServer.StartAsync(options, c);
            var baseUrl = server.Address.ToString().TrimEnd('/');
            Console.WriteLine($"Serving {string.Join(", ", server.Profiles.Keys)} at {baseUrl}/v1 (OpenAI-compatible); dashboard {baseUrl}/ui, metrics {baseUrl}/metrics");
            Console.WriteLine($"Store: {options.Store}{(server.InterruptedAtStart > 0 ? $" ({server.InterruptedAtStart} runs of a stopped server marked interrupted)" : "")}");
            Console.WriteLine(server.LoopbackOnly ? "Loopback only; once the store holds a key, every request needs one." : "Every request needs a key (Authorization: Bearer sk-orch-…).");
            if (server.Profiles.Values.Any(p => p.Catalog.Models.Values.Any(m => m.HasTag("simulated"))))
                Console.WriteLine("Models tagged 'simulated' answer from orchestra sim serve: simulated experts, not real models.");
            return await CliRunner.ServeUntilStoppedAsync(c);
        }, ct));
        return command;
    }

    private static string ProfileName(string spec) =>
        spec.IndexOf('=') is > 0 and var i && i < spec.Length - 1 ? spec[..i]
            : throw new UserError($"--profile '{spec}': write NAME=CATALOG, e.g. --profile cheap=examples/catalog.local.json.");
}
