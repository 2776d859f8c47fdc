using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Environments.Servers;
using ToolOrchestra.Testing;
using Xunit.Abstractions;

namespace ToolOrchestra.Environments.Tests.Servers;

/// <summary>
/// Many sessions in one process: 512 WebSockets each hold a running episode waiting for its action, all are served,
/// and closing them frees every slot. Reports the managed bytes per waiting session and the step overhead of a turn
/// that calls no expert (an invalid action: the engine's whole turn path without a model call).
/// </summary>
public sealed class EnvServerScaleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeOpenAiServer _fake = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("envscale-").FullName;

    public async Task InitializeAsync()
    {
        _fake = await FakeOpenAiServer.StartAsync();
        File.WriteAllText(Path.Combine(_dir, "catalog.json"), $$"""
        {
          "orchestrator": { "model": "orch" },
          "models": {
            "orch": { "endpoint": "{{_fake.BaseUrl}}", "name": "orch-8b", "price": { "input_per_million": 0.2, "output_per_million": 0.2 }, "family": "qwen" },
            "big": { "endpoint": "{{_fake.BaseUrl}}", "name": "big-qwen", "price": { "input_per_million": 1.25, "output_per_million": 10 }, "family": "qwen" }
          },
          "aliases": { "search-1": { "model": "big" }, "reasoner-1": { "model": "big" }, "answer-1": { "model": "big" } },
          "limits": { "max_retries": 0, "max_turns": 1000, "max_errors": 1000 }
        }
        """);
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(1, 200)]
    [InlineData(64, 10)]
    [InlineData(512, 2)]
    public async Task Sessions_each_hold_a_waiting_episode_and_closing_frees_them(int sessions, int steps)
    {
        var tasks = Enumerable.Range(0, 8).Select(i => new QaTask($"t{i}", $"Question {i}?", $"a{i}", new JsonObject())).ToList();
        await using var env = new QaEnvironment(CatalogLoader.Load(Path.Combine(_dir, "catalog.json")), tasks, o => { o.RunsDirectory = Path.Combine(_dir, "runs"); o.Code = false; });
        await using var server = await QaEnvServer.StartAsync(env, new EnvServerOptions(MaxSessions: sessions));
        var url = new Uri(server.BaseUrl.ToString().Replace("http://", "ws://") + "ws");

        var before = Managed();
        var sockets = new ClientWebSocket[sessions];
        await Parallel.ForAsync(0, sessions, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            sockets[i] = new ClientWebSocket();
            await sockets[i].ConnectAsync(url, ct);
            var first = await Exchange(sockets[i], """{"type": "reset", "data": {}}""");
            first["data"]!["observation"]!["turn"]!.GetValue<int>().Should().Be(1);
        });
        server.ActiveSessions.Should().Be(sessions);
        var perSession = (Managed() - before) / sessions;

        // Steps whose action is invalid: a full engine turn (prompt rebuilt, error observation, run store append), no model call.
        var latencies = new double[sessions * steps];
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, sessions, new ParallelOptions { MaxDegreeOfParallelism = sessions }, async (i, ct) =>
        {
            for (var s = 0; s < steps; s++)
            {
                var t = Stopwatch.GetTimestamp();
                var reply = await Exchange(sockets[i], """{"type": "step", "data": {"message": "no call"}}""");
                latencies[i * steps + s] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                reply["data"]!["observation"]!["last_result"]!["is_error"]!.GetValue<bool>().Should().BeTrue();
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        output.WriteLine($"sessions={sessions} " + (sessions >= 64 ? $"managed bytes per waiting session (client sockets included)={perSession:N0} " : "") +
                         $"steps/s={latencies.Length / seconds:N0} p50={latencies[latencies.Length / 2]:N2} ms p99={latencies[(int)(latencies.Length * 0.99)]:N2} ms");

        foreach (var socket in sockets)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type": "close"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (server.ActiveSessions > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        server.ActiveSessions.Should().Be(0);
        foreach (var socket in sockets) socket.Dispose();
    }

    private static long Managed()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<JsonNode> Exchange(ClientWebSocket socket, string message)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[256 * 1024];
        using var received = new MemoryStream();
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
            received.Write(buffer, 0, r.Count);
            if (r.EndOfMessage) return JsonNode.Parse(received.ToArray())!;
        }
    }
}
