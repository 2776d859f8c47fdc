using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Models.Tests.Wire;

/// <summary>Logging at its most verbose shows every attempt, and never the API key.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync()
    {
        await TestCatalog.WarmUpAsync();
        _server = await FakeOpenAiServer.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Trace_logs_name_each_attempt_but_never_the_api_key()
    {
        const string key = "sk-test-never-logged-4711";
        var env = $"TOOLORCHESTRA_TEST_KEY_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(env, key);
        try
        {
            var logs = new CapturingLoggerFactory();
            var model = TestCatalog.Model(_server.BaseUrl) with { ApiKeyEnv = env };
            _server.Script("provider/m", FakeReply.Error(500), new FakeReply("ok"));
            var options = new LedgerScope(new Ledger(), 1, CallKind.Expert, "answer", "answer-1", TimeProvider.System).Apply(new ChatOptions());

            await TestCatalog.Factory(_server.BaseUrl, logging: logs, model: model).For("m").GetResponseAsync(TestCatalog.Question, options);

            _server.Requests.Should().OnlyContain(r => r.Authorization == $"Bearer {key}");
            logs.Lines.Should().Contain(l => l.Contains("HTTP 500")).And.Contain(l => l.Contains("completed", StringComparison.OrdinalIgnoreCase));
            logs.Lines.Should().NotContain(l => l.Contains(key));
        }
        finally
        {
            Environment.SetEnvironmentVariable(env, null);
        }
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyList<string> Lines => _lines.ToArray();
        public ILogger CreateLogger(string categoryName) => this;
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue($"{logLevel} {formatter(state, exception)} {exception}");
    }
}
