using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Runtime.FunctionCalling;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Tools;
using ToolOrchestra.Tools.Mcp;

namespace ToolOrchestra.Runtime;

/// <summary>
/// The engine behind <see cref="IOrchestrator"/>: the QA protocol's loop (one per protocol variant a request asks for)
/// with the catalog's experts, the configured search and code services, registered tools and the tools of MCP servers
/// (connected on first use, closed on disposal), and function-calling conversations over the same model clients,
/// writing every run to the run store. One instance serves concurrent runs.
/// </summary>
internal sealed class Orchestrator : IOrchestrator, IAsyncDisposable
{
    private readonly Catalog _catalog;
    private readonly Func<IReadOnlyList<IOrchestratorTool>, QaProtocolVariant?, QaEpisodeRunner> _runnerFor;
    private readonly ModelClientFactory _models;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IOrchestratorTool> _tools;
    private readonly IReadOnlyList<McpServerSpec> _mcp;
    private readonly RunStore? _store;
    private readonly EpisodeLimits _defaults;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private List<McpToolSource>? _sources;
    private IReadOnlyList<IOrchestratorTool>? _extraTools;
    private QaEpisodeRunner? _defaultRunner;
    // A runner per variant instance a request names (the built-in ones, or a user's own, dropped with it).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<QaProtocolVariant, QaEpisodeRunner> _runners = new();

    /// <param name="runnerFor">Builds the QA loop given every extra tool (registered ones, then MCP ones) and the request's variant (null: the engine's).</param>
    public Orchestrator(Catalog catalog, Func<IReadOnlyList<IOrchestratorTool>, QaProtocolVariant?, QaEpisodeRunner> runnerFor, ModelClientFactory models,
        IEnumerable<IOrchestratorTool> tools, IEnumerable<McpServerSpec> mcpServers, RunStore? store, EpisodeLimits defaults, TimeProvider time,
        ILoggerFactory? logs = null)
    {
        _catalog = catalog;
        _runnerFor = runnerFor;
        _models = models;
        _time = time;
        _tools = tools.ToList();
        _mcp = mcpServers.ToList();
        _store = store;
        _defaults = defaults;
        _log = logs?.CreateLogger<Orchestrator>() ?? NullLogger<Orchestrator>.Instance;
    }

    public Catalog Catalog => _catalog;

    public Task<OrchestrationResult> RunAsync(OrchestrationRequest request, CancellationToken ct = default) => RunAsync(request, null, ct);

    public async IAsyncEnumerable<OrchestrationEvent> RunEventsAsync(OrchestrationRequest request, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var events = Channel.CreateUnbounded<OrchestrationEvent>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = Task.Run(async () =>
        {
            try { await RunAsync(request, e => events.Writer.TryWrite(e), stop.Token).ConfigureAwait(false); }
            finally { events.Writer.TryComplete(); }
        }, CancellationToken.None);
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return e;
        }
        finally
        {
            // A reader that stops early cancels the run; the run still ends with its trajectory stored.
            if (!run.IsCompleted) await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }
    }

    private async Task<OrchestrationResult> RunAsync(OrchestrationRequest request, Action<OrchestrationEvent>? events, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Problem)) throw new UserError("the problem is empty; ask a question.");
        var limits = new EpisodeLimits(
            request.MaxTurns ?? _defaults.MaxTurns,
            request.MaxErrors ?? _defaults.MaxErrors,
            Narrower(request.BudgetUsd, _defaults.BudgetUsd),
            Narrower(request.BudgetSeconds, _defaults.BudgetSeconds)).Validate();
        request.Preferences.ValidateAgainst(_catalog, "preferences");
        var runner = await RunnerAsync(request.Protocol, ct).ConfigureAwait(false);
        var qa = new QaRunRequest(request.Problem, request.Preferences, limits.MaxTurns, limits.MaxErrors, limits.BudgetUsd, limits.BudgetSeconds, request.Eid, request.Id, request.Account);
        using var seed = EpisodeSeedChatClient.Enter(request.Seed);
        return await runner.RunAsync(qa, new EpisodeSinks(_store, events, _log), null, ct).ConfigureAwait(false);
    }

    public FunctionCallingEpisode StartConversation(FunctionCallingRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Problem)) throw new UserError("the conversation's problem (what the episode is about) is empty.");
        request.Preferences.ValidateAgainst(_catalog, "preferences");
        // The environment drives a conversation's turns (tau2's max steps and errors); budgets still bound it.
        var limits = new EpisodeLimits(request.MaxTurns ?? int.MaxValue, request.MaxErrors ?? int.MaxValue,
            Narrower(request.BudgetUsd, _defaults.BudgetUsd), Narrower(request.BudgetSeconds, _defaults.BudgetSeconds), request.Account).Validate();
        return new FunctionCallingOrchestrator(_models, request.Setup)
            .Begin(request.Id, request.Problem, request.Preferences, limits, new EpisodeSinks(_store, null, _log), _time);
    }

    private static T? Narrower<T>(T? asked, T? allowed) where T : struct, IComparable<T> =>
        asked is { } a && allowed is { } b ? (a.CompareTo(b) < 0 ? a : b) : asked ?? allowed;

    private async Task<QaEpisodeRunner> RunnerAsync(QaProtocolVariant? variant, CancellationToken ct)
    {
        if (variant is null && _defaultRunner is { } ready) return ready;
        var extra = _extraTools ?? await ConnectAsync(ct).ConfigureAwait(false);
        return variant is null ? _defaultRunner ??= _runnerFor(extra, null) : _runners.GetValue(variant, v => _runnerFor(extra, v));
    }

    /// <summary>Connects the MCP servers once; their tools join the registered ones.</summary>
    private async Task<IReadOnlyList<IOrchestratorTool>> ConnectAsync(CancellationToken ct)
    {
        await _connect.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_extraTools is not null) return _extraTools;
            _sources = [];
            foreach (var spec in _mcp)
            {
                _log.LogInformation("Connecting to MCP server {Server}", spec.Name);
                _sources.Add(await McpToolSource.ConnectAsync(spec, _catalog.ToolPrices, ct: ct).ConfigureAwait(false));
            }
            return _extraTools = [.. _tools, .. _sources.SelectMany(McpOrchestratorTool.All)];
        }
        finally
        {
            _connect.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources ?? []) await source.DisposeAsync().ConfigureAwait(false);
        _connect.Dispose();
    }
}
