using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Server.Tests;

public sealed class ChatCompletionsTests : ServerWorld
{
    [Fact]
    public async Task A_completion_answers_with_usage_summing_every_call_and_the_run_recorded_with_its_exact_spend()
    {
        using var response = await PostAsync(Body(Question()));

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await JsonAsync(response);
        json["object"]!.GetValue<string>().Should().Be("chat.completion");
        json["model"]!.GetValue<string>().Should().Be("orchestrator");
        json["choices"]![0]!["message"]!["content"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        json["choices"]![0]!["finish_reason"]!.GetValue<string>().Should().Be("stop");
        var orchestra = json["orchestra"]!;
        orchestra["stop_reason"]!.GetValue<string>().Should().Be("answered");
        var runId = orchestra["run_id"]!.GetValue<string>();
        json["id"]!.GetValue<string>().Should().Be("chatcmpl-" + runId);
        var calls = orchestra["calls"]!.AsObject();
        calls.Should().ContainKey("orchestrator");
        calls.Select(c => c.Key).Should().Contain(k => k.StartsWith("answer-"));

        // The store holds the run, its calls, and spend equal to the ledger, to the last digit.
        (await ScalarAsync("SELECT status FROM orchestra_runs WHERE id = @id", ("@id", runId))).Should().Be("completed");
        var runPico = Convert.ToInt64(await ScalarAsync("SELECT cost_pusd FROM orchestra_runs WHERE id = @id", ("@id", runId)));
        var callsPico = Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_calls WHERE run_id = @id", ("@id", runId)));
        callsPico.Should().Be(runPico);
        Money.FromPico(runPico).Should().Be(orchestra["cost_usd"]!.GetValue<decimal>());
        orchestra["cost_usd"]!.GetValue<decimal>().Should().BePositive();
        var tokens = Convert.ToInt64(await ScalarAsync("SELECT SUM(input_tokens + output_tokens) FROM orchestra_calls WHERE run_id = @id", ("@id", runId)));
        json["usage"]!["total_tokens"]!.GetValue<long>().Should().Be(tokens);
        json["usage"]!["prompt_tokens"]!.GetValue<long>().Should().BePositive();
        // Every booked entry is a model call or, counted apart, a tool execution.
        Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM orchestra_calls WHERE run_id = @id", ("@id", runId)))
            .Should().Be(calls.Concat(orchestra["tool_executions"]!.AsObject()).Sum(c => c.Value!.GetValue<int>()));
        File.Exists(Path.Combine(Dir, "runs", runId + ".jsonl")).Should().BeTrue("the engine's trajectory file is kept too");
    }

    [Fact]
    public async Task Earlier_messages_reach_the_orchestrator_as_context_and_models_lists_the_profile()
    {
        var body = Body(Question());
        body["messages"]!.AsArray().Insert(0, new JsonObject { ["role"] = "system", ["content"] = "be brief" });
        body["messages"]!.AsArray().Insert(1, new JsonObject { ["role"] = "user", ["content"] = "I study the offline world." });
        body["messages"]!.AsArray().Insert(2, new JsonObject { ["role"] = "assistant", ["content"] = "Ask away." });
        using var response = await PostAsync(body);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var runId = (await JsonAsync(response))["orchestra"]!["run_id"]!.GetValue<string>();
        var problem = (string)(await ScalarAsync("SELECT problem FROM orchestra_runs WHERE id = @id", ("@id", runId)))!;
        problem.Should().StartWith("Conversation so far:\nuser: I study the offline world.\nassistant: Ask away.").And.EndWith(Question()).And.NotContain("be brief");

        var models = JsonNode.Parse(await Http.GetStringAsync(new Uri(BaseAddress, "v1/models")))!;
        models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).Should().Equal("orchestrator");
        models["data"]![0]!["orchestra"]!["aliases"]!.AsArray().Should().Contain(a => a!.GetValue<string>() == "answer-1");
    }

    [Fact]
    public async Task Bad_requests_get_openai_style_errors_naming_the_fix()
    {
        async Task<(HttpStatusCode, JsonObject)> Send(HttpRequestMessage request)
        {
            using var r = await Http.SendAsync(request);
            return (r.StatusCode, await JsonAsync(r));
        }
        HttpRequestMessage Post(string body, string contentType = "application/json", string? host = null)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseAddress, "v1/chat/completions")) { Content = new StringContent(body, Encoding.UTF8) };
            m.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            if (host is not null) m.Headers.Host = host;
            return m;
        }

        var (status, error) = await Send(Post("{not json"));
        status.Should().Be(HttpStatusCode.BadRequest);
        error["error"]!["message"]!.GetValue<string>().Should().Contain("not JSON");
        error["error"]!["type"]!.GetValue<string>().Should().Be("invalid_request_error");

        (status, error) = await Send(Post(Body(Question(), model: "gpt-9").ToJsonString()));
        status.Should().Be(HttpStatusCode.NotFound);
        error["error"]!["code"]!.GetValue<string>().Should().Be("model_not_found");
        error["error"]!["message"]!.GetValue<string>().Should().Contain("orchestrator");

        (status, error) = await Send(Post("""{"model":"orchestrator","messages":[{"role":"assistant","content":"hi"}]}"""));
        status.Should().Be(HttpStatusCode.BadRequest);
        error["error"]!["message"]!.GetValue<string>().Should().Contain("no user message");

        (status, error) = await Send(Post(Body(Question(), orchestra: new JsonObject { ["budget"] = 1 }).ToJsonString()));
        status.Should().Be(HttpStatusCode.BadRequest);
        error["error"]!["message"]!.GetValue<string>().Should().Contain("orchestra.budget").And.Contain("budget_usd");

        (status, error) = await Send(Post(Body(Question(), orchestra: new JsonObject { ["preferences"] = new JsonObject { ["exclude_aliases"] = new JsonArray("answer-99") } }).ToJsonString()));
        status.Should().Be(HttpStatusCode.BadRequest);
        error["error"]!["message"]!.GetValue<string>().Should().Contain("'answer-99' is not an alias");

        // A page in the user's browser: a foreign Host (DNS rebinding) or a text/plain "simple" request never reaches the engine.
        (status, error) = await Send(Post(Body(Question()).ToJsonString(), host: "attacker.example"));
        status.Should().Be(HttpStatusCode.Forbidden);
        error["error"]!["code"]!.GetValue<string>().Should().Be("host_not_allowed");
        (status, _) = await Send(Post(Body(Question()).ToJsonString(), contentType: "text/plain"));
        status.Should().Be(HttpStatusCode.UnsupportedMediaType);

        // One oversized request is refused before it is read.
        // With Expect: 100-continue (what a careful client sends) the body never leaves the client; without it the
        // server's early 413 can race the upload and reach the client as a reset instead of a reply.
        var huge = Post(Body(new string('x', 2 << 20)).ToJsonString());
        huge.Headers.ExpectContinue = true;
        (status, error) = await Send(huge);
        status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        error["error"]!["code"]!.GetValue<string>().Should().Be("request_too_large");

        (status, _) = await Send(new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, "v1/nothing")));
        status.Should().Be(HttpStatusCode.NotFound);
        Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM orchestra_runs WHERE status = 'running' OR status = 'completed'")).Should().Be(0);
    }

    [Fact]
    public async Task Once_a_key_exists_requests_need_a_valid_unrevoked_key_and_the_runs_carry_it()
    {
        var alice = await CreateKeyAsync("alice");
        var revoked = await CreateKeyAsync("mallory");
        (await Server.Keys.RevokeAsync("mallory")).Should().BeTrue();

        using (var none = await PostAsync(Body(Question())))
        {
            none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await JsonAsync(none))["error"]!["code"]!.GetValue<string>().Should().Be("invalid_api_key");
        }
        using (var wrong = await PostAsync(Body(Question()), "sk-orch-guess"))
            wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using (var old = await PostAsync(Body(Question()), revoked.Secret))
        {
            old.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await JsonAsync(old))["error"]!["message"]!.GetValue<string>().Should().Contain("revoked");
        }
        using (var models = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, "v1/models")))
            (await Http.SendAsync(models)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var ok = await PostAsync(Body(Question()), alice.Secret);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        var runId = (await JsonAsync(ok))["orchestra"]!["run_id"]!.GetValue<string>();
        (await ScalarAsync("SELECT key_name FROM orchestra_runs WHERE id = @id", ("@id", runId))).Should().Be("alice");

        // Only hashes are stored.
        var stored = string.Concat(Directory.GetFiles(Dir, "orchestra.db*").Select(f => Encoding.ASCII.GetString(File.ReadAllBytes(f))));
        stored.Should().NotContain(alice.Secret).And.Contain(KeyStore.Hash(alice.Secret));
    }

    [Fact]
    public async Task A_key_over_its_budget_gets_429_and_its_spend_in_the_store_is_the_sum_of_its_runs_ledgers()
    {
        var key = await CreateKeyAsync("roomy", new KeyLimits(DailyUsd: 5m));
        var costs = new List<decimal>();
        for (var i = 0; i < 3; i++)
        {
            using var r = await PostAsync(Body(Question(i)), key.Secret);
            r.StatusCode.Should().Be(HttpStatusCode.OK);
            costs.Add((await JsonAsync(r))["orchestra"]!["cost_usd"]!.GetValue<decimal>());
        }
        var (today, total) = await Server.Keys.SpendAsync(key.Key.Id);
        today.Should().Be(costs.Sum()).And.Be(total);
        Money.FromPico(Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_runs WHERE key_id = @k", ("@k", key.Key.Id)))).Should().Be(costs.Sum());

        // A daily budget below the first call's worst case: refused before anything is sent, retry at 00:00 UTC.
        var tight = await CreateKeyAsync("tight", new KeyLimits(DailyUsd: 0.000001m));
        using var refused = await PostAsync(Body(Question()), tight.Secret);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var json = await JsonAsync(refused);
        json["error"]!["code"]!.GetValue<string>().Should().Be("insufficient_quota");
        json["error"]!["message"]!.GetValue<string>().Should().Contain("worst case");
        refused.Headers.RetryAfter!.Delta!.Value.Should().BeCloseTo(
            DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1) - DateTimeOffset.UtcNow.UtcDateTime, TimeSpan.FromMinutes(1));
        (await Server.Keys.SpendAsync(tight.Key.Id)).Total.Should().Be(0);
    }

    [Fact]
    public async Task Rate_limits_and_allowed_aliases_of_a_key_are_enforced()
    {
        var limited = await CreateKeyAsync("one-a-minute", new KeyLimits(RequestsPerMinute: 1));
        using (var first = await PostAsync(Body(Question()), limited.Secret)) first.StatusCode.Should().Be(HttpStatusCode.OK);
        using (var second = await PostAsync(Body(Question()), limited.Secret))
        {
            second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
            (await JsonAsync(second))["error"]!["message"]!.GetValue<string>().Should().Contain("1 requests per minute");
        }

        var narrow = await CreateKeyAsync("local-only", new KeyLimits(Aliases: ["search-2", "reasoner-2", "answer-2"]));
        using (var refused = await PostAsync(Body(Question(), orchestra: new JsonObject { ["allowed_aliases"] = new JsonArray("answer-1") }), narrow.Secret))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await JsonAsync(refused))["error"]!["message"]!.GetValue<string>().Should().Contain("may not use alias 'answer-1'").And.Contain("answer-2");
        }
        using var ok = await PostAsync(Body(Question()), narrow.Secret);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        var calls = (await JsonAsync(ok))["orchestra"]!["calls"]!.AsObject().Select(c => c.Key).ToList();
        calls.Where(c => c.Contains('-')).Should().NotBeEmpty().And.OnlyContain(a => a.EndsWith("-2"), "the key's aliases are the only ones offered");
    }

    [Fact]
    public async Task A_keys_preferences_are_defaults_whose_hard_constraints_a_request_can_only_narrow()
    {
        var catalog = Server.Profiles["orchestrator"].Catalog;
        var local = catalog.Aliases.Keys.Where(a => catalog.ModelFor(a).HasTag("local")).ToHashSet();
        var key = await CreateKeyAsync("local-team", new KeyLimits(PreferencesJson: """{"only_tags": ["local"], "weights": {"cost": 1}}"""));
        var proprietary = catalog.Aliases.Keys.First(a => a.StartsWith("answer-") && !local.Contains(a));

        using (var widen = await PostAsync(Body(Question(), orchestra: new JsonObject { ["allowed_aliases"] = new JsonArray(proprietary) }), key.Secret))
            widen.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a request cannot reach past its key's hard constraints");
        using (var disjoint = await PostAsync(Body(Question(), orchestra: new JsonObject { ["preferences"] = new JsonObject { ["only_tags"] = new JsonArray("proprietary") } }), key.Secret))
        {
            disjoint.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await JsonAsync(disjoint))["error"]!["code"]!.GetValue<string>().Should().Be("no_alias_allowed");
        }

        using var ok = await PostAsync(Body(Question()), key.Secret);
        ok.StatusCode.Should().Be(HttpStatusCode.OK);
        var called = (await JsonAsync(ok))["orchestra"]!["calls"]!.AsObject().Select(c => c.Key).Where(catalog.Aliases.ContainsKey).ToList();
        called.Should().NotBeEmpty().And.OnlyContain(a => local.Contains(a));
    }
}
