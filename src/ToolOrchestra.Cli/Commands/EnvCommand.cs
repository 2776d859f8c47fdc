using System.CommandLine;
using System.Net;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Environments.Servers;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Cli.Commands;

/// <summary>
/// <c>orchestra env serve</c>: QA episodes served over OpenEnv's wire protocol, so an RL trainer outside the process
/// (TRL, an OpenEnv client) is the orchestrator: it gets each turn's prompt and sends back the policy's output.
/// </summary>
internal static class EnvCommand
{
    public static Command Create()
    {
        var command = new Command("env", "Serve orchestration episodes to RL trainers as environments");
        command.Subcommands.Add(Serve());
        return command;
    }

    private static Command Serve()
    {
        var engineOptions = EngineOptions.Create();
        var tasks = new Option<string>("--tasks") { Description = "QA tasks (JSONL with id, question, answer; or parquet/TSV as eval takes): reset picks one by task_id, seed or in turn", Required = true };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 8000 };
        var bind = new Option<string>("--bind") { Description = "Address to listen on; anything but loopback requires --api-key-env", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the key every request must send (Authorization: Bearer); /health stays open" };
        var allowedHosts = new Option<string[]>("--allowed-host") { Description = "A Host name clients may use besides loopback and the bound address (e.g. behind a load balancer); repeatable" };
        var maxSessions = new Option<int>("--max-sessions") { Description = "WebSocket sessions held at once; one more is answered CAPACITY_REACHED", DefaultValueFactory = _ => 64 };
        var sessionTimeout = new Option<double>("--session-timeout") { Description = "Close and free a session idle this many seconds (a step in flight is not idle); its running episode is stored as cancelled", DefaultValueFactory = _ => 600 };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder for the episodes' trajectory files (orchestra reward re-scores them)", DefaultValueFactory = _ => Path.Combine("runs", "env") };
        var judge = new Option<string?>("--judge") { Description = "Alias or model that judges near-miss answers (default: the catalog's 'judge' alias, else exact match only)" };
        var serve = new Command("serve", "Serve QA episodes over OpenEnv's protocol (POST /reset, /step, GET /state, /schema, /health, WebSocket /ws) until Ctrl+C")
        {
            tasks, port, bind, apiKeyEnv, allowedHosts, maxSessions, sessionTimeout, runsDir, judge,
        };
        // The policy is the trainer on the other end of the protocol, never a local one.
        engineOptions.AddTo(serve, engineOptions.Policy);
        serve.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var catalogPath = OptionChecks.ExistingFile(parse.GetValue(engineOptions.Config)!, "--config");
            var taskSet = await QaTaskFiles.LoadAsync(parse.GetValue(tasks)!, c);
            var address = LoopbackWebApp.ParseBind(parse.GetValue(bind)!);
            string? key = null;
            if (parse.GetValue(apiKeyEnv) is { } variable)
                key = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
                    : throw new UserError($"--api-key-env {variable}: the variable is not set; export {variable}=SECRET first.");
            if (key is null && !IPAddress.IsLoopback(address))
                throw new UserError($"--bind {address} serves beyond this machine; add --api-key-env VARIABLE so every request must carry a key.");
            var options = new EnvServerOptions(
                OptionChecks.AtLeast(parse.GetValue(maxSessions), 1, "--max-sessions"),
                TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(sessionTimeout), "--session-timeout")))
            {
                Bind = address,
                Port = OptionChecks.Between(parse.GetValue(port), 0, 65535, "--port"),
                Guard = new WebGuard { ApiKey = key, AllowedHosts = parse.GetValue(allowedHosts) ?? [], OpenPaths = ["/health"] },
            };
            var catalog = CatalogLoader.Load(catalogPath);
            // Before serving: experts whose keys are missing would only fail inside paid episodes.
            foreach (var warning in CatalogReadiness.Require(catalog, null)) Console.Error.WriteLine(warning);
            var runs = OptionChecks.Folder(parse.GetValue(runsDir)!, "--runs-dir");
            await using var env = new QaEnvironment(catalog, taskSet.Tasks, o =>
            {
                engineOptions.Apply(parse, o);
                o.RunsDirectory = runs;
            }, judge: parse.GetValue(judge));
            await using var server = await QaEnvServer.StartAsync(env, options, c);
            var url = server.BaseUrl.ToString().TrimEnd('/');
            Console.WriteLine($"Serving {taskSet.Tasks.Count} QA tasks from {taskSet.Path} over OpenEnv's protocol at {url} (WebSocket {url.Replace("http", "ws")}/ws)");
            Console.WriteLine($"Up to {options.MaxSessions} sessions, idle ones freed after {options.SessionTimeout!.Value.TotalSeconds:0.#} s; episodes stored in {Path.GetFullPath(runs)}");
            if (catalog.Models.Values.Any(m => m.HasTag("simulated")))
                Console.WriteLine("Models tagged 'simulated' answer from orchestra sim serve: simulated experts, not real models.");
            return await CliRunner.ServeUntilStoppedAsync(c);
        }, ct));
        return serve;
    }
}
