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

    /// <summary>Longer than any reply can take, however loaded the machine: only a hang reaches it, when <see cref="HangClock"/> says so.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);

    private enum Kind { Good, RateLimited, ServerError, Unavailable, Hang, MalformedJson, EmptyChoices, TruncatedBody, InvalidToolArguments }

    [Fact]
    public async Task Every_bad_reply_kind_at_20_percent_over_100_runs_crashes_nothing_loses_nothing_and_bills_only_successes()
    {
        var clock = new HangClock(AttemptTimeout);
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
                Kind.Hang => clock.Expire(FakeReply.Slow(TimeSpan.FromDays(1), good)),
                Kind.MalformedJson => FakeReply.Broken(FakeFault.MalformedJson),
                Kind.EmptyChoices => FakeReply.Broken(FakeFault.EmptyChoices),
                Kind.TruncatedBody => FakeReply.Broken(FakeFault.TruncatedBody),
                Kind.InvalidToolArguments => new FakeReply("<tool_call>\n{\"name\": \"answer\", \"arguments\": {\"model\": \n</tool_call>"),
                _ => good,
            };
        };
        await using var sp = Engine(o => o.Retry = new RetrySettings(3, AttemptTimeout, TimeSpan.Zero), s => s.UseTimeProvider(clock));
        var orchestrator = sp.GetRequiredService<IOrchestrator>();

        // One run at a time: a hang then expires the only attempt in flight, its own.
        var results = new List<OrchestrationResult>();
        for (var i = 0; i < 100; i++)
            results.Add(await orchestrator.RunAsync(new OrchestrationRequest($"Question {i}?") { Id = $"fault-{i:000}" }));

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

    /// <summary>
    /// The engine's clock, real except for the per-attempt timeout: that timer fires only when the fake server serves a
    /// hang. On a real clock a good reply on a loaded machine could outlast a short timeout (served and counted, never
    /// billed) and a hang could be answered before it (billed, never counted), so the billing check raced the machine.
    /// </summary>
    private sealed class HangClock(TimeSpan attemptTimeout) : TimeProvider
    {
        private readonly List<HeldTimer> _timers = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new HeldTimer(base.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), callback, state, attemptTimeout);
            timer.Change(dueTime, period);
            lock (_timers) _timers.Add(timer);
            return timer;
        }

        /// <summary>Times out the attempts in flight (one: runs go one at a time), then lets the server hang until the client leaves.</summary>
        public FakeReply Expire(FakeReply hang)
        {
            HeldTimer[] timers;
            lock (_timers) timers = [.. _timers];
            foreach (var t in timers) t.FireIfHeld();
            return hang;
        }

        /// <summary>
        /// A real timer, except that a due time equal to the attempt timeout holds it until <see cref="Expire"/> (the
        /// timeout's source may be created idle and armed later with <c>Change</c>, and Polly pools its sources).
        /// </summary>
        private sealed class HeldTimer(ITimer real, TimerCallback callback, object? state, TimeSpan attemptTimeout) : ITimer
        {
            private int _held;

            public void FireIfHeld()
            {
                if (Interlocked.Exchange(ref _held, 0) == 1) callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                var hold = dueTime == attemptTimeout;
                Volatile.Write(ref _held, hold ? 1 : 0);
                return hold ? real.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) : real.Change(dueTime, period);
            }

            public void Dispose()
            {
                Volatile.Write(ref _held, 0);
                real.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Volatile.Write(ref _held, 0);
                return real.DisposeAsync();
            }
        }
    }
}
