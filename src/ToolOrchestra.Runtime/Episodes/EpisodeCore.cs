using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Telemetry;
using ToolOrchestra.Models;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Episodes;

/// <summary>Where an episode reports: the run store (one record per turn), an event listener, a logger.</summary>
internal sealed record EpisodeSinks(RunStore? Store = null, Action<OrchestrationEvent>? Events = null, ILogger? Logger = null)
{
    public static readonly EpisodeSinks None = new();
}

/// <summary>
/// What both protocol loops (QA, function calling) share for one episode: the limits, budgets and stop reasons, the
/// ledger, the hard-constraint check (<see cref="Authorize(string, out string?)"/>, the only place it is made), tool execution inside
/// <c>execute_tool</c> spans, events, and trajectory writing (a record per turn through the run store). The
/// <c>invoke_agent</c> span starts with the core, so create it on the loop's own async flow.
/// </summary>
internal sealed class EpisodeCore
{
    private readonly EpisodeSinks _sinks;
    private readonly ILogger _log;
    private readonly long _started;
    private readonly Activity? _span;
    private readonly List<TrajectoryTurn> _turns = [];
    private bool _begun;

    public EpisodeCore(string? id, string protocol, string problem, Preferences preferences, EpisodeLimits limits, Catalog catalog,
        string policy, TimeProvider? clock = null, EpisodeSinks? sinks = null)
    {
        Clock = clock ?? TimeProvider.System;
        Id = id ?? $"{Clock.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        Protocol = protocol;
        Problem = problem;
        Preferences = preferences;
        Limits = limits;
        Catalog = catalog;
        Policy = policy;
        _sinks = sinks ?? EpisodeSinks.None;
        _log = _sinks.Logger ?? NullLogger.Instance;
        _started = Clock.GetTimestamp();
        StartedAt = Clock.GetUtcNow();
        Ledger = new Ledger(OnRecorded, limits.BudgetUsd, limits.Account);
        _span = OrchestraTelemetry.Source.StartActivity($"{OrchestraTelemetry.Operations.InvokeAgent} {policy}", ActivityKind.Internal);
        _span?.SetTag(OrchestraTelemetry.Attributes.OperationName, OrchestraTelemetry.Operations.InvokeAgent);
        _span?.SetTag(OrchestraTelemetry.Attributes.AgentName, policy);
        _span?.SetTag(OrchestraTelemetry.Attributes.ConversationId, Id);
    }

    public string Id { get; }
    public string Protocol { get; }
    public string Problem { get; }
    public Preferences Preferences { get; }
    public EpisodeLimits Limits { get; }
    public Catalog Catalog { get; }
    public string Policy { get; }
    public TimeProvider Clock { get; }
    public DateTimeOffset StartedAt { get; }
    public Ledger Ledger { get; }
    public int Turn { get; private set; }
    public int Errors { get; private set; }
    public string? LastError { get; private set; }
    public string? Answer { get; private set; }
    public StopReason? Stop { get; private set; }
    public string? StopDetail { get; private set; }
    public string? Path { get; private set; }
    public IReadOnlyList<TrajectoryTurn> Turns => _turns;
    public double WallSeconds => Clock.GetElapsedTime(_started).TotalSeconds;

    /// <summary>The soft preferences in words, stated to the orchestrator; null when there are none.</summary>
    public string? PreferencesText => Preferences.Describe() is { Length: > 0 } s ? s : null;

    /// <summary>
    /// The hard constraints, enforced here and nowhere else: whether the user's preferences allow calling
    /// <paramref name="alias"/>. Both what is offered and what is executed go through this.
    /// </summary>
    public bool Authorize(string alias, out string? reason) => Authorize(Preferences, Catalog, alias, out reason);

    /// <inheritdoc cref="Authorize(string, out string?)"/>
    public static bool Authorize(Preferences preferences, Catalog catalog, string alias, out string? reason) =>
        preferences.Allows(alias, catalog, out reason);

    /// <summary>The aliases <paramref name="tool"/> may be offered with under these preferences (hard constraints applied).</summary>
    public static ToolOffer Offer(IOrchestratorTool tool, Catalog catalog, Preferences preferences) => new(catalog, preferences,
        catalog.Aliases.Values.Where(a => tool.Serves(a.Alias) && Authorize(preferences, catalog, a.Alias, out _)).OrderBy(a => a.Alias, StringComparer.Ordinal).ToList());

    /// <summary>Writes the start record; call once before the first turn.</summary>
    public async Task BeginAsync(CancellationToken ct)
    {
        _log.LogInformation("Episode {RunId} ({Protocol}, {Policy}) started", Id, Protocol, Policy);
        if (_sinks.Store is { } store) Path = await store.BeginAsync(Snapshot(), ct).ConfigureAwait(false);
        _begun = true;
    }

    /// <summary>Starts turn <see cref="Turn"/> + 1, or returns false (with the stop reason set) when a limit is reached.</summary>
    public bool NextTurn()
    {
        if (Stop is not null) return false;
        if (Turn >= Limits.MaxTurns) { Finish(StopReason.MaxTurns, $"reached {Limits.MaxTurns} turns"); return false; }
        if (OverBudget()) return false;
        Turn++;
        Emit(new TurnStarted(Id, Turn));
        return true;
    }

    /// <summary>Sets the stop reason and its detail, unless the episode already stopped (the first reason wins).</summary>
    public void Finish(StopReason reason, string? detail = null)
    {
        if (Stop is not null) return;
        Stop = reason;
        StopDetail = detail;
    }

    /// <summary>Ends the episode with <c>error</c> for an unexpected exception, logged with its stack trace.</summary>
    public void Fail(Exception e)
    {
        _log.LogError(e, "Episode {RunId} failed in turn {Turn}", Id, Turn);
        Finish(StopReason.Error, $"{e.GetType().Name}: {e.Message}");
    }

    public void SetAnswer(string answer, string? detail = null)
    {
        Answer = answer;
        Finish(StopReason.Answered, detail);
        Emit(new Answered(Id, Turn, answer));
    }

    /// <summary>Counts a turn without a valid call; at the limit the episode stops with <c>no_valid_call</c>.</summary>
    public void Reject(string error)
    {
        LastError = error;
        if (++Errors >= Limits.MaxErrors)
            Finish(StopReason.NoValidCall, $"{Errors} turns without a valid tool call (max errors {Limits.MaxErrors}); last: {error}");
    }

    public void Accept() => LastError = null;

    /// <summary>Whether a budget is spent; when it is, the stop reason is set.</summary>
    public bool OverBudget()
    {
        if (Limits.BudgetUsd is { } usd && Ledger.CostUsd >= usd)
            Finish(StopReason.BudgetUsd, $"spent ${Ledger.CostUsd.ToString(CultureInfo.InvariantCulture)} of the ${usd.ToString(CultureInfo.InvariantCulture)} budget");
        else if (Limits.BudgetSeconds is { } s && WallSeconds >= s)
            Finish(StopReason.BudgetSeconds, $"spent {WallSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s of the {s.ToString(CultureInfo.InvariantCulture)} s budget");
        else return false;
        return true;
    }

    /// <summary>A token that fires when the seconds budget runs out, so a slow call cannot overrun it.</summary>
    public CancellationTokenSource SecondsBudgetToken(CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (Limits.BudgetSeconds is { } s) cts.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.001, s - WallSeconds)));
        return cts;
    }

    /// <summary>
    /// Runs one tool call in an <c>execute_tool</c> span. The alias is authorised again here (a policy may name one it was
    /// never offered). An expert's endpoint failing, or a tool that cannot run on this machine, becomes a failed
    /// observation the orchestrator can read; it never ends the episode.
    /// </summary>
    public async Task<ToolOutput> InvokeAsync(IOrchestratorTool tool, JsonElement arguments, string? alias, IReadOnlyList<object> features, CancellationToken ct)
    {
        using var span = OrchestraTelemetry.Source.StartActivity($"{OrchestraTelemetry.Operations.ExecuteTool} {tool.Name}", ActivityKind.Internal);
        span?.SetTag(OrchestraTelemetry.Attributes.OperationName, OrchestraTelemetry.Operations.ExecuteTool);
        span?.SetTag(OrchestraTelemetry.Attributes.ToolName, tool.Name);
        span?.SetTag(OrchestraTelemetry.Attributes.Turn, Turn);
        if (alias is not null) span?.SetTag(OrchestraTelemetry.Attributes.Alias, alias);
        var before = Ledger.Count;
        ToolOutput output;
        if (alias is not null && !Authorize(alias, out var reason))
            output = ToolOutput.Failed($"Error: refused: {reason}.");
        else
        {
            try
            {
                output = await tool.InvokeAsync(new ToolInvocation(tool.Name, arguments, alias,
                    new ToolContext(Id, Turn, Ledger, Clock, Catalog, Preferences, features)), ct).ConfigureAwait(false);
            }
            catch (BudgetExhaustedException e)
            {
                Finish(StopReason.BudgetUsd, e.Message);
                output = ToolOutput.Failed($"Not executed: the budget is spent ({e.Message}).");
            }
            catch (EndpointException e)
            {
                output = ToolOutput.Failed(alias is null ? $"Error: {tool.Name} failed: {e.Message}" : $"Error: the expert {alias} failed: {e.Message}");
            }
            catch (UserError e)
            {
                output = ToolOutput.Failed($"Error: {tool.Name} could not run: {e.Message}");
            }
        }
        var cost = Ledger.EntriesSince(before).Sum(e => e.CostUsd);
        span?.SetTag(OrchestraTelemetry.Attributes.CostAmount, (double)cost);
        span?.SetTag(OrchestraTelemetry.Attributes.CostCurrency, "USD");
        if (output.IsError)
        {
            span?.SetStatus(ActivityStatusCode.Error, output.Observation);
            span?.SetTag(OrchestraTelemetry.Attributes.ErrorType, "tool_error");
            _log.LogWarning("Episode {RunId} turn {Turn}: {Tool} failed: {Observation}", Id, Turn, tool.Name, output.Observation);
        }
        Emit(new ToolObserved(Id, Turn, tool.Name, alias, output.Observation, output.IsError));
        if (output.FinalAnswer is { } answer) SetAnswer(answer, output.Detail);
        return output;
    }

    /// <summary>Keeps a finished turn: in the trajectory, in the run store, and tells listeners.</summary>
    public async Task EndTurnAsync(TrajectoryTurn turn, CancellationToken ct)
    {
        _turns.Add(turn);
        if (turn.Error is { } error && turn.Call is null)
            Emit(new ToolObserved(Id, turn.Turn, "(none)", null, turn.Observation ?? error, true));
        if (_sinks.Store is { } store && _begun) await store.AppendTurnAsync(Id, turn, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the episode: an episode that stopped for no recorded reason is marked <c>error</c>; the end record is written
    /// even when the caller was cancelled, the span is closed and listeners get the result.
    /// </summary>
    public async Task<OrchestrationResult> CompleteAsync()
    {
        Finish(StopReason.Error, "the episode ended without a stop reason");
        var trajectory = Snapshot();
        if (_sinks.Store is { } store && _begun)
        {
            try
            {
                await store.EndAsync(trajectory, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The result still reaches the caller; the stored run reads as interrupted.
                _log.LogError(e, "Episode {RunId}: the end record could not be written to {Path}", Id, Path);
            }
        }
        if (_span is not null)
        {
            _span.SetTag(OrchestraTelemetry.Attributes.StopReason, JsonNamingPolicy.SnakeCaseLower.ConvertName(trajectory.StopReason!.Value.ToString()));
            _span.SetTag(OrchestraTelemetry.Attributes.InputTokens, Ledger.InputTokens);
            _span.SetTag(OrchestraTelemetry.Attributes.OutputTokens, Ledger.OutputTokens);
            _span.SetTag(OrchestraTelemetry.Attributes.CostAmount, (double)trajectory.CostUsd);
            _span.SetTag(OrchestraTelemetry.Attributes.CostCurrency, "USD");
            if (trajectory.StopReason is StopReason.EndpointError or StopReason.Error) _span.SetStatus(ActivityStatusCode.Error, trajectory.StopDetail);
            _span.Stop();
        }
        _log.LogInformation("Episode {RunId} stopped: {StopReason} after {Turns} turns, ${CostUsd}", Id, trajectory.StopReason, _turns.Count, trajectory.CostUsd);
        var result = OrchestrationResult.From(trajectory, Path);
        Emit(new RunFinished(Id, Turn, result));
        return result;
    }

    public Trajectory Snapshot() => new(Id, Protocol, Problem, PreferencesText, _turns.ToList(), Answer, Stop, StopDetail,
        Ledger.CostUsd, Ledger.ToolLatencySeconds, WallSeconds, Ledger.Entries, StartedAt, Preferences, null, Policy);

    private void OnRecorded(LedgerEntry entry)
    {
        // Model calls are counted by the chat client's own telemetry; the other tools' dollars are counted here.
        if (entry.Kind is not (CallKind.Orchestrator or CallKind.Expert))
            OrchestraTelemetry.CostUsd.Add((double)entry.CostUsd, new KeyValuePair<string, object?>(OrchestraTelemetry.Attributes.CallKind, entry.Kind.ToString().ToLowerInvariant()));
        Emit(new CallMade(Id, entry.Turn, entry));
    }

    private void Emit(OrchestrationEvent e)
    {
        if (_sinks.Events is not { } listener) return;
        try
        {
            listener(e);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogWarning(ex, "An event listener failed on {Event}; the episode goes on", e.GetType().Name);
        }
    }
}
