using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>
/// Endpoints that fail as real ones do, through the whole engine: every bad-reply kind at 20% over 100 runs. No run
/// crashes, every run leaves a stored trajectory with a stop reason, and exactly the successful replies are billed.
/// </summary>
public sealed class FaultSuiteTests : EngineTest
{
    protected override string LimitsJson => """{ "max_retries": 3, "request_timeout_s": 3, "max_turns": 8, "max_errors": 4 }""";

    private enum Kind { Good, RateLimited, ServerError, Unavailable, Hang, MalformedJson, EmptyChoices, TruncatedBody, InvalidToolArguments }

    [Fact]
    public async Task Every_bad_reply_kind_at_20_percent_over_100_runs_crashes_nothing_loses_nothing_and_bills_only_successes()
    {
        var random = new Random(20);
        var gate = new Lock();
        var successes = 0;
        var served = new Dictionary<Kind, int>();
        Server.Fallback = request =>
        {
            Kind kind;
            bool search;
            lock (gate)
            {
                kind = random.NextDouble() < 0.2 ? (Kind)(1 + random.Next(8)) : Kind.Good;
                if (kind == Kind.InvalidToolArguments && request.Model != QaWorld.Orchestrator) kind = Kind.Good; // experts call no tools
                served[kind] = served.GetValueOrDefault(kind) + 1;
                search = random.Next(3) == 0;
                // A reply the client can use is billed: good ones, and tool calls whose arguments are broken (the
                // orchestrator's mistake, not the endpoint's: an error observation, and the turn counts).
                if (kind is Kind.Good or Kind.InvalidToolArguments) successes++;
            }
            var good = request.Model == QaWorld.Orchestrator
                ? FakeReply.Call(search ? "search" : "answer", new { model = search ? "search-2" : "answer-2" })
                : new FakeReply("\\boxed{42}");
            return kind switch
            {
                Kind.RateLimited => FakeReply.Error(429, retryAfterSeconds: 0),
                Kind.ServerError => FakeReply.Error(500),
                Kind.Unavailable => FakeReply.Error(503),
                Kind.Hang => FakeReply.Slow(TimeSpan.FromSeconds(4.5), good),
                Kind.MalformedJson => FakeReply.Broken(FakeFault.MalformedJson),
                Kind.EmptyChoices => FakeReply.Broken(FakeFault.EmptyChoices),
                Kind.TruncatedBody => FakeReply.Broken(FakeFault.TruncatedBody),
                Kind.InvalidToolArguments => new FakeReply("<tool_call>\n{\"name\": \"answer\", \"arguments\": {\"model\": \n</tool_call>"),
                _ => good,
            };
        };
        await using var sp = Engine(o => o.Retry = new RetrySettings(3, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(2)));
        var orchestrator = sp.GetRequiredService<IOrchestrator>();

        var results = new List<OrchestrationResult>();
        using var parallel = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            await parallel.WaitAsync();
            try
            {
                var r = await orchestrator.RunAsync(new OrchestrationRequest($"Question {i}?") { Id = $"fault-{i:000}" });
                lock (results) results.Add(r);
            }
            finally { parallel.Release(); }
        }));

        results.Should().HaveCount(100);
        served.Keys.Should().Contain(Enum.GetValues<Kind>(), "every fault kind occurred");
        foreach (var r in results)
        {
            var stored = RunStore.Load(r.TrajectoryPath!);
            stored.StopReason.Should().NotBeNull().And.Be(r.StopReason);
            stored.Turns.Should().HaveCount(r.Trajectory.Turns.Count);
        }
        results.Count(r => r.StopReason == StopReason.Answered).Should().BeGreaterThan(80);
        var billed = results.Sum(r => r.Calls.Count(c => c.Kind is CallKind.Orchestrator or CallKind.Expert));
        billed.Should().Be(successes, "a call is billed exactly when its reply was usable");
    }
}
