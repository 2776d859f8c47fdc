using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Server;

namespace ToolOrchestra.Cli.Tests;

/// <summary><c>orchestra serve</c> and <c>orchestra keys</c> as a user runs them, as child processes.</summary>
public sealed class ServeCommandTests : IAsyncLifetime
{
    private static readonly World World = World.Generate(4, WorldOptions.Small);
    private readonly string _dir = Directory.CreateTempSubdirectory("serve-cli-").FullName;
    private SimulatedExpertServer _experts = null!;
    private string Db => Path.Combine(_dir, "orchestra.db");
    private string Catalog => Path.Combine(_dir, "catalog.json");
    private string Index => Path.Combine(_dir, "world", WorldRetrieval.IndexFile);

    public async Task InitializeAsync()
    {
        _experts = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0, latencyScale: 0.5);
        File.WriteAllText(Catalog, SimulatedCatalog.Json(_experts.BaseUrl));
        WorldRetrieval.Build(World, Path.Combine(_dir, "world"));
    }

    public async Task DisposeAsync()
    {
        await _experts.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Keys_are_created_once_listed_without_secrets_and_revoked()
    {
        var created = await OrchestraProcess.RunAsync("keys", "create", "--store", Db, "--name", "alice", "--daily-usd", "1.5", "--rpm", "10", "--aliases", "answer-2,search-2", "--json");
        created.ExitCode.Should().Be(0, created.Stderr);
        var secret = JsonNode.Parse(created.Stdout)!["key"]!.GetValue<string>();
        secret.Should().StartWith("sk-orch-");

        var listed = await OrchestraProcess.RunAsync("keys", "list", "--store", Db, "--json");
        listed.ExitCode.Should().Be(0, listed.Stderr);
        listed.Stdout.Should().Contain("\"name\":\"alice\"").And.Contain("\"daily_usd\":1.5").And.Contain("answer-2").And.NotContain(secret);

        (await OrchestraProcess.RunAsync("keys", "create", "--store", Db, "--name", "alice")).Stderr.Should().Contain("already exists");
        (await OrchestraProcess.RunAsync("keys", "revoke", "--store", Db, "alice")).ExitCode.Should().Be(0);
        var again = await OrchestraProcess.RunAsync("keys", "revoke", "--store", Db, "alice");
        again.ExitCode.Should().Be(2);
        again.Stderr.Should().Contain("no active key 'alice'");
    }

    [Fact]
    public async Task Serving_beyond_loopback_without_keys_is_refused_with_the_fix()
    {
        var r = await OrchestraProcess.RunAsync("serve", "--config", Catalog, "--store", Path.Combine(_dir, "empty.db"), "--bind", "0.0.0.0", "--port", "0");
        r.ExitCode.Should().Be(2);
        r.Stderr.Should().Contain("requires keys").And.Contain("orchestra keys create");
        (await OrchestraProcess.RunAsync("serve", "--config", Catalog, "--bind", "example.com")).Stderr.Should().Contain("--bind 'example.com' is not an IP address");
    }

    [Fact]
    public async Task A_server_killed_mid_request_leaves_the_run_interrupted_with_what_it_spent()
    {
        using var process = OrchestraProcess.Start("serve", "--config", Catalog, "--store", Db, "--port", "0", "--index", Index, "--top-k", "5", "--no-code",
            "--runs-dir", Path.Combine(_dir, "runs"));
        var first = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
        var baseUrl = first.Split(" at ")[1].Split(' ')[0]; // "Serving orchestrator at http://127.0.0.1:PORT/v1 (…"
        using var http = new HttpClient();
        var body = new JsonObject
        {
            ["model"] = "orchestrator",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = World.TestTasks.First(t => t.Family == TaskFamily.MultiHop).Question }),
        };
        var request = http.PostAsync(baseUrl + "/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")));

        var store = StoreLocation.Parse(Db);
        var booked = 0L;
        var poll = Task.Run(async () =>
        {
            while (Interlocked.Read(ref booked) == 0)
            {
                await Task.Delay(20);
                try
                {
                    await using var conn = await store.OpenAsync();
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = "SELECT COUNT(*) FROM orchestra_calls";
                    Interlocked.Exchange(ref booked, Convert.ToInt64(await cmd.ExecuteScalarAsync()));
                }
                catch (Exception e) when (e is Core.UserError or System.Data.Common.DbException) { /* tables not there yet */ }
            }
        });
        await OrchestraProcess.KillWhenAsync(process, () => Interlocked.Read(ref booked) > 0); // SIGKILL: no cleanup runs
        await poll;
        await FluentActions.Awaiting(() => request).Should().ThrowAsync<HttpRequestException>();

        await using var restarted = await OrchestraServer.StartAsync(new ServerOptions
        {
            CatalogPath = Catalog, Store = store, Port = 0, RunsDirectory = Path.Combine(_dir, "runs"), Engine = o => { o.Index = Index; o.Code = false; },
        });

        restarted.InterruptedAtStart.Should().Be(1);
        await using var conn = await store.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT r.status, r.cost_pusd, (SELECT SUM(c.cost_pusd) FROM orchestra_calls c WHERE c.run_id = r.id), r.stop_detail FROM orchestra_runs r";
        await using var row = await cmd.ExecuteReaderAsync();
        (await row.ReadAsync()).Should().BeTrue();
        row.GetString(0).Should().Be("interrupted");
        row.GetInt64(1).Should().BePositive().And.Be(row.GetInt64(2), "what it spent is what its calls booked");
        row.GetString(3).Should().Contain("stopped mid-run");
        (await row.ReadAsync()).Should().BeFalse();
    }
}
