using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Qa;
using ToolOrchestra.Environments.Servers;
using ToolOrchestra.Runtime;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Environments.Tests.Servers;

/// <summary>
/// <c>orchestra env serve</c> driven by a client written from OpenEnv's protocol alone (ClientWebSocket and HttpClient
/// speaking JSON), over experts on the fake OpenAI-compatible server: episodes end with a reward, invalid actions are
/// error observations, malformed messages protocol errors with their codes, sessions are capped and time out.
/// </summary>
public sealed partial class EnvServerTests : IAsyncLifetime
{
    private FakeOpenAiServer _fake = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("envserve-").FullName;
    private string CatalogPath => Path.Combine(_dir, "catalog.json");
    private string RunsDir => Path.Combine(_dir, "runs");
    private readonly List<IAsyncDisposable> _owned = [];

    private static readonly QaTask[] Tasks = Enumerable.Range(0, 20)
        .Select(i => new QaTask($"t{i}", $"What is the code word number {i}?", $"word-{i}", new JsonObject())).ToArray();

    [GeneratedRegex(@"code word number (\d+)")]
    private static partial Regex Question();

    public async Task InitializeAsync()
    {
        _fake = await FakeOpenAiServer.StartAsync();
        // The expert answers every question it recognises with its code word (Qwen family: \boxed{…}).
        _fake.Fallback = r => Question().Match(r.Messages.ToJsonString()) is { Success: true } m
            ? new FakeReply($"Thinking done. \\boxed{{word-{m.Groups[1].Value}}}", PromptTokens: 300, CompletionTokens: 40)
            : new FakeReply("no idea");
        File.WriteAllText(CatalogPath, $$"""
        {
          "orchestrator": { "model": "orch" },
          "models": {
            "orch": { "endpoint": "{{_fake.BaseUrl}}", "name": "orch-8b", "price": { "input_per_million": 0.2, "output_per_million": 0.2 }, "tags": ["local"], "family": "qwen" },
            "big": { "endpoint": "{{_fake.BaseUrl}}", "name": "big-qwen", "price": { "input_per_million": 1.25, "output_per_million": 10 }, "tags": ["proprietary"], "family": "qwen" }
          },
          "aliases": { "search-1": { "model": "big" }, "reasoner-1": { "model": "big" }, "answer-1": { "model": "big" } },
          "limits": { "max_retries": 0, "request_timeout_s": 30 }
        }
        """);
    }

    public async Task DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned)) await d.DisposeAsync();
        await _fake.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task<Uri> StartAsync(int maxSessions = 64, TimeSpan? timeout = null, WebGuard? guard = null)
    {
        var env = new QaEnvironment(CatalogLoader.Load(CatalogPath), Tasks, o => { o.RunsDirectory = RunsDir; o.Code = false; });
        _owned.Add(env);
        var server = await QaEnvServer.StartAsync(env, new EnvServerOptions(maxSessions, timeout) { Guard = guard ?? WebGuard.Default });
        _owned.Add(server);
        return server.BaseUrl;
    }

    private const string AnswerCall = "<think>I know this.</think>\n<tool_call>\n{\"name\": \"answer\", \"arguments\": {\"model\": \"answer-1\"}}\n</tool_call>";

    [Fact]
    public async Task Sixteen_concurrent_episodes_over_ws_each_end_done_with_a_numeric_reward_and_are_stored()
    {
        var url = await StartAsync();
        var episodes = Enumerable.Range(0, 16).Select(async i =>
        {
            await using var ws = await Client.ConnectAsync(url);
            var first = await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = $"t{i}", ["seed"] = i } });
            first["type"]!.GetValue<string>().Should().Be("observation");
            first["data"]!["done"]!.GetValue<bool>().Should().BeFalse();
            var obs = first["data"]!["observation"]!;
            obs["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()).Should().Equal("system", "user");
            obs["messages"]![1]!["content"]!.GetValue<string>().Should().Contain($"code word number {i}?");
            obs["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).Should().Contain("answer");
            // Half send raw assistant text, half structured calls.
            JsonObject action = i % 2 == 0
                ? new JsonObject { ["message"] = AnswerCall }
                : new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["name"] = "answer", ["arguments"] = new JsonObject { ["model"] = "answer-1" } }) };
            var end = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = action });
            var state = await ws.SendAsync(new JsonObject { ["type"] = "state" });
            await ws.CloseAsync();
            return (end, state);
        }).ToList();
        var results = await Task.WhenAll(episodes);
        foreach (var (i, (end, state)) in results.Select((r, i) => (i, r)))
        {
            end["data"]!["done"]!.GetValue<bool>().Should().BeTrue();
            end["data"]!["reward"]!.GetValue<double>().Should().Be(1.0);
            var o = end["data"]!["observation"]!;
            o["answer"]!.GetValue<string>().Should().Be($"word-{i}");
            o["metadata"]!["cost_usd"]!.GetValue<decimal>().Should().BeGreaterThan(0);
            o["metadata"]!["calls_per_alias"]!["answer-1"]!.GetValue<int>().Should().Be(1);
            state["type"]!.GetValue<string>().Should().Be("state");
            state["data"]!["step_count"]!.GetValue<int>().Should().Be(1);
            state["data"]!["done"]!.GetValue<bool>().Should().BeTrue();
            // The episode is a stored run with its judged outcome, which `orchestra reward` re-scores.
            var stored = RunStore.Load(o["metadata"]!["trajectory"]!.GetValue<string>());
            stored.Outcome!.Correct.Should().BeTrue();
            stored.Outcome.TaskId.Should().Be($"t{i}");
            stored.Preferences.Should().NotBeNull();
            stored.CostUsd.Should().Be(o["metadata"]!["cost_usd"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task The_first_observation_is_the_exact_request_the_LLM_orchestrator_is_sent()
    {
        // What `orchestra run` sends: the engine with its LLM orchestrator on the fake server.
        _fake.Script("orch-8b", FakeReply.Call("answer", new { model = "answer-1" }));
        var services = new ServiceCollection().AddToolOrchestra(CatalogPath, o => { o.RunsDirectory = null; o.Code = false; }).Services.BuildServiceProvider();
        await using (services)
            await services.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest(Tasks[3].Question));
        var sent = _fake.Requests.First(r => r.Model == "orch-8b");

        var url = await StartAsync();
        await using var ws = await Client.ConnectAsync(url);
        var obs = (await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t3" } }))["data"]!["observation"]!;
        JsonNode.DeepEquals(obs["messages"], sent.Messages).Should().BeTrue($"env: {obs["messages"]!.ToJsonString()}\nrun: {sent.Messages.ToJsonString()}");
        JsonNode.DeepEquals(obs["tools"], JsonNode.Parse(sent.ToolsJson)).Should().BeTrue();
    }

    [Fact]
    public async Task An_invalid_action_is_an_error_observation_that_counts_as_a_turn()
    {
        var url = await StartAsync();
        await using var ws = await Client.ConnectAsync(url);
        await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t1" } });
        var bad = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = "The answer is probably 4." } });
        bad["type"]!.GetValue<string>().Should().Be("observation");
        bad["data"]!["done"]!.GetValue<bool>().Should().BeFalse();
        var obs = bad["data"]!["observation"]!;
        obs["turn"]!.GetValue<int>().Should().Be(2);
        obs["last_result"]!["is_error"]!.GetValue<bool>().Should().BeTrue();
        obs["last_result"]!["content"]!.GetValue<string>().Should().Contain("no tool call found");
        var unknown = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["name"] = "answer", ["arguments"] = new JsonObject { ["model"] = "answer-9" } }) } });
        unknown["data"]!["observation"]!["last_result"]!["is_error"]!.GetValue<bool>().Should().BeTrue();
        unknown["data"]!["observation"]!["turn"]!.GetValue<int>().Should().Be(3);
        var end = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = AnswerCall } });
        end["data"]!["done"]!.GetValue<bool>().Should().BeTrue();
        end["data"]!["observation"]!["metadata"]!["turns"]!.GetValue<int>().Should().Be(3);
        var after = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = AnswerCall } });
        after["data"]!["code"]!.GetValue<string>().Should().Be("EXECUTION_ERROR");
    }

    [Fact]
    public async Task Malformed_messages_are_protocol_errors_with_their_codes_and_the_session_goes_on()
    {
        var url = await StartAsync();
        await using var ws = await Client.ConnectAsync(url);
        (await ws.SendRawAsync("{not json"))["data"]!["code"]!.GetValue<string>().Should().Be("INVALID_JSON");
        (await ws.SendRawAsync("""{"type": "dance"}"""))["data"]!["code"]!.GetValue<string>().Should().Be("UNKNOWN_TYPE");
        (await ws.SendRawAsync("""{"type": "step"}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        (await ws.SendRawAsync("""{"type": "reset", "data": {}, "extra": 1}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        (await ws.SendRawAsync("""{"type": "step", "data": {"message": "x"}}"""))["data"]!["code"]!.GetValue<string>().Should().Be("EXECUTION_ERROR");
        (await ws.SendRawAsync("""{"type": "reset", "data": {"task_id": "nope"}}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        (await ws.SendRawAsync("""{"type": "reset", "data": {"preferences": {"weights": {"speed": 1}}}}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t2" } });
        (await ws.SendRawAsync("""{"type": "step", "data": {"message": "a", "tool_calls": []}}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        (await ws.SendRawAsync("""{"type": "step", "data": {"act": 1}}"""))["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        var end = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = AnswerCall } });
        end["data"]!["done"]!.GetValue<bool>().Should().BeTrue();
        end["data"]!["observation"]!["turn"]!.GetValue<int>().Should().Be(1, "protocol errors are not turns");
    }

    [Fact]
    public async Task A_reset_during_an_episode_stores_the_old_one_as_cancelled_and_starts_afresh()
    {
        var url = await StartAsync();
        await using var ws = await Client.ConnectAsync(url);
        var first = await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t8" } });
        var again = await ws.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t9", ["group_id"] = "g" } });
        again["data"]!["observation"]!["turn"]!.GetValue<int>().Should().Be(1);
        var old = RunStore.Load(Path.Combine(RunsDir, $"{first["data"]!["observation"]!["run_id"]!.GetValue<string>()}.jsonl"));
        old.StopReason.Should().Be(StopReason.Cancelled);
        var end = await ws.SendAsync(new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = AnswerCall } });
        end["data"]!["observation"]!["answer"]!.GetValue<string>().Should().Be("word-9");
        end["data"]!["observation"]!["metadata"]!["group_id"]!.GetValue<string>().Should().Be("g");
    }

    [Fact]
    public async Task A_message_over_the_size_cap_is_refused_and_the_socket_closed()
    {
        var url = await StartAsync();
        await using var ws = await Client.ConnectAsync(url);
        var huge = new JsonObject { ["type"] = "step", ["data"] = new JsonObject { ["message"] = new string('x', (1 << 20) + 10) } }.ToJsonString();
        var reply = await ws.SendRawAsync(huge);
        reply["data"]!["code"]!.GetValue<string>().Should().Be("VALIDATION_ERROR");
        reply["data"]!["message"]!.GetValue<string>().Should().Contain("larger than");
        (await ws.ReceiveAsync()).Should().BeNull();
    }

    [Fact]
    public async Task With_a_key_every_request_and_websocket_upgrade_needs_it_but_health()
    {
        var url = await StartAsync(guard: new WebGuard { ApiKey = "env-test-key", OpenPaths = ["/health"] });
        using var http = new HttpClient { BaseAddress = url };
        (await http.GetAsync("health")).IsSuccessStatusCode.Should().BeTrue();
        ((int)(await http.GetAsync("schema")).StatusCode).Should().Be(401);
        ((int)(await http.PostAsJsonAsync("reset", new JsonObject())).StatusCode).Should().Be(401);
        var refused = new ClientWebSocket();
        var connect = () => refused.ConnectAsync(new Uri(url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        using var keyed = new ClientWebSocket();
        keyed.Options.SetRequestHeader("Authorization", "Bearer env-test-key");
        await keyed.ConnectAsync(new Uri(url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None);
        await using var client = new Client(keyed);
        (await client.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t4" } }))["type"]!.GetValue<string>().Should().Be("observation");
    }

    [Fact]
    public async Task Schema_health_and_metadata_describe_the_environment()
    {
        var url = await StartAsync();
        using var http = new HttpClient { BaseAddress = url };
        var schema = JsonNode.Parse(await http.GetStringAsync("schema"))!;
        foreach (var part in new[] { "action", "observation", "state" })
            schema[part]!["type"]!.GetValue<string>().Should().Be("object");
        schema["action"]!["properties"]!.AsObject().Select(p => p.Key).Should().Contain(["message", "tool_calls"]);
        schema["observation"]!["properties"]!.AsObject().Select(p => p.Key).Should().Contain(["messages", "tools"]);
        schema["state"]!["properties"]!.AsObject().Select(p => p.Key).Should().Contain("step_count");
        JsonNode.Parse(await http.GetStringAsync("health"))!["status"]!.GetValue<string>().Should().Be("healthy");
        JsonNode.Parse(await http.GetStringAsync("metadata"))!["name"]!.GetValue<string>().Should().NotBeEmpty();
    }

    [Fact]
    public async Task Beyond_max_sessions_a_websocket_is_answered_CAPACITY_REACHED_and_a_closed_one_frees_its_slot()
    {
        var url = await StartAsync(maxSessions: 2);
        await using var a = await Client.ConnectAsync(url);
        await using var b = await Client.ConnectAsync(url);
        await a.SendAsync(new JsonObject { ["type"] = "state" });
        await b.SendAsync(new JsonObject { ["type"] = "state" });
        await using (var c = await Client.ConnectAsync(url))
        {
            var refusal = await c.ReceiveAsync();
            refusal!["type"]!.GetValue<string>().Should().Be("error");
            refusal["data"]!["code"]!.GetValue<string>().Should().Be("CAPACITY_REACHED");
            refusal["data"]!["max_sessions"]!.GetValue<int>().Should().Be(2);
            (await c.ReceiveAsync()).Should().BeNull("the server closes the refused socket");
        }
        await a.CloseAsync();
        (await a.ReceiveAsync()).Should().BeNull();
        await using var d = await Client.ConnectWhenFreeAsync(url);
        (await d.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t0" } }))["type"]!.GetValue<string>().Should().Be("observation");
    }

    [Fact]
    public async Task An_idle_session_times_out_and_frees_its_slot_and_its_episode_is_stored_as_cancelled()
    {
        var url = await StartAsync(maxSessions: 1, timeout: TimeSpan.FromMilliseconds(300));
        await using var idle = await Client.ConnectAsync(url);
        var first = await idle.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t5" } });
        var runId = first["data"]!["observation"]!["run_id"]!.GetValue<string>();
        (await idle.ReceiveAsync(TimeSpan.FromSeconds(10))).Should().BeNull("the server closes the idle session");
        await using var next = await Client.ConnectWhenFreeAsync(url);
        var reset = await next.SendAsync(new JsonObject { ["type"] = "reset", ["data"] = new JsonObject { ["task_id"] = "t6" } });
        reset["type"]!.GetValue<string>().Should().Be("observation");
        var stored = RunStore.Load(Path.Combine(RunsDir, $"{runId}.jsonl"));
        stored.StopReason.Should().Be(StopReason.Cancelled);
    }

    [Fact]
    public async Task Plain_http_reset_step_and_state_drive_one_session()
    {
        var url = await StartAsync();
        using var http = new HttpClient { BaseAddress = url };
        var reset = await Post(http, "reset", new JsonObject { ["task_id"] = "t7" });
        reset["done"]!.GetValue<bool>().Should().BeFalse();
        reset["observation"]!["messages"]!.AsArray().Count.Should().Be(2);
        var bad = await Post(http, "step", new JsonObject { ["action"] = new JsonObject { ["message"] = "" } });
        bad["observation"]!["last_result"]!["content"]!.GetValue<string>().Should().Contain("empty output");
        var end = await Post(http, "step", new JsonObject { ["action"] = new JsonObject { ["message"] = AnswerCall } });
        end["done"]!.GetValue<bool>().Should().BeTrue();
        end["reward"]!.GetValue<double>().Should().Be(1.0);
        var state = JsonNode.Parse(await http.GetStringAsync("state"))!;
        state["step_count"]!.GetValue<int>().Should().Be(2);
        state["task_id"]!.GetValue<string>().Should().Be("t7");
        var invalid = await http.PostAsJsonAsync("step", new JsonObject { ["action"] = new JsonObject { ["nope"] = 1 } });
        ((int)invalid.StatusCode).Should().Be(422);
    }

    private static async Task<JsonNode> Post(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>An OpenEnv WebSocket client from the protocol: one JSON text message out, one back.</summary>
    private sealed class Client(ClientWebSocket socket) : IAsyncDisposable
    {
        public static async Task<Client> ConnectAsync(Uri url)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None);
            return new Client(socket);
        }

        /// <summary>Connects once the server has freed a slot (its bookkeeping ends just after the close).</summary>
        public static async Task<Client> ConnectWhenFreeAsync(Uri url)
        {
            for (var attempt = 0; ; attempt++)
            {
                var client = await ConnectAsync(url);
                if (await client.ProbeAsync() is not null) return client;
                await client.DisposeAsync();
                if (attempt > 50) throw new TimeoutException("no slot was freed");
                await Task.Delay(50);
            }
        }

        public Task<JsonNode> SendAsync(JsonObject message) => SendRawAsync(message.ToJsonString());

        /// <summary>The state reply, or null when the server refused the session (CAPACITY_REACHED) or closed it.</summary>
        private async Task<JsonNode?> ProbeAsync()
        {
            try { await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type": "state"}"""), WebSocketMessageType.Text, true, CancellationToken.None); }
            catch (WebSocketException) { return null; }
            var reply = await ReceiveAsync();
            return reply?["type"]?.GetValue<string>() == "state" ? reply : null;
        }

        public async Task<JsonNode> SendRawAsync(string text)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            return await ReceiveAsync() ?? throw new InvalidOperationException("the server closed the session");
        }

        /// <summary>The next message, or null once the server closed (or dropped) the socket.</summary>
        public async Task<JsonNode?> ReceiveAsync(TimeSpan? within = null)
        {
            using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var r = await socket.ReceiveAsync(buffer, cts.Token);
                    if (r.MessageType == WebSocketMessageType.Close) return null;
                    message.Write(buffer, 0, r.Count);
                    if (r.EndOfMessage) return JsonNode.Parse(message.ToArray());
                }
            }
            catch (WebSocketException)
            {
                return null;
            }
        }

        public async Task CloseAsync()
        {
            if (socket.State == WebSocketState.Open)
                await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type": "close"}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
