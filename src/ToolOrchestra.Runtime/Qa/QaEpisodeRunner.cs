using System.Text.Json;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Runtime.Episodes;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// The QA protocol's loop (reference §2–§3) over the <see cref="EpisodeCore"/>. Each turn the prompt is rebuilt from
/// the problem and the gathered context; the policy names a tool (and, for the QA tools, an alias); the tool runs;
/// <c>answer</c> ends the episode. Invalid output becomes an error observation (counted as a turn, limited by max
/// errors). Budgets are checked before every paid step and stop the episode gracefully. An orchestrator endpoint that
/// fails after its retries stops the run with <c>endpoint_error</c>; whatever happens, the trajectory is kept with a
/// stop reason.
/// </summary>
internal sealed class QaEpisodeRunner
{
    /// <summary>The legacy variant's system prompt (see <see cref="QaProtocolVariant"/> for the others).</summary>
    public const string SystemPrompt = "You are good at using tools.";
    private readonly Catalog _catalog;
    private readonly ModelClientFactory _experts;
    private readonly IQaPolicy _policy;
    private readonly IReadOnlyList<IOrchestratorTool> _tools;
    private readonly ITokenCounter _tokens;
    private readonly OrchestratorContextLimits _limits;
    private readonly TimeProvider _time;
    private readonly QaProtocolVariant _variant;
    // The offered tools depend only on the catalog and the preferences: built once per preferences, not per episode.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Preferences, QaToolset> _toolsets = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Preferences, QaToolset> _withoutSearch = new();

    /// <param name="extraTools">Tools offered beside the QA protocol's three (MCP tools, your own); each is one class.</param>
    /// <param name="variant">The protocol's shape (reference HLE, FRAMES, training (the default, <see cref="QaProtocolVariant.Default"/>), or legacy); <paramref name="limits"/> applies to legacy only.</param>
    public QaEpisodeRunner(Catalog catalog, ModelClientFactory experts, IQaPolicy policy, QaToolServices tools, ITokenCounter tokens,
        OrchestratorContextLimits? limits = null, TimeProvider? time = null, IEnumerable<IOrchestratorTool>? extraTools = null,
        QaProtocolVariant? variant = null)
    {
        _variant = variant ?? QaProtocolVariant.Default;
        _catalog = catalog;
        _experts = experts;
        _policy = policy;
        _tools = [.. tools.BuiltInTools(), .. extraTools ?? []];
        _tokens = tokens;
        _limits = limits ?? new();
        _time = time ?? TimeProvider.System;
    }

    public IQaPolicy Policy => _policy;

    public QaProtocolVariant Variant => _variant;

    public QaToolset ToolsetFor(Preferences preferences) => _toolsets.GetValue(preferences, p => new QaToolset(_catalog, p, _tools));

    /// <summary>Runs one episode; <paramref name="onTurn"/> sees the partial trajectory after every turn.</summary>
    public async Task<Trajectory> RunAsync(QaRunRequest request, Func<Trajectory, Task>? onTurn = null, CancellationToken ct = default)
    {
        var result = await RunAsync(request, EpisodeSinks.None, onTurn, ct).ConfigureAwait(false);
        return result.Trajectory;
    }

    /// <summary>Runs one episode reporting to <paramref name="sinks"/> (run store, events, logger).</summary>
    public async Task<OrchestrationResult> RunAsync(QaRunRequest request, EpisodeSinks sinks, Func<Trajectory, Task>? onTurn = null, CancellationToken ct = default)
    {
        var toolset = ToolsetFor(request.Preferences);
        var core = new EpisodeCore(request.Id, "qa", request.Problem, request.Preferences, request.Limits, _catalog, _policy.Name, _time, sinks);
        var state = new QaEpisodeState(request.Problem, request.Eid, new QaContext(_tokens), _experts, _tokens, _variant);
        try
        {
            await core.BeginAsync(ct).ConfigureAwait(false);
            while (core.NextTurn())
            {
                await RunTurnAsync(core, toolset, state, ct).ConfigureAwait(false);
                if (onTurn is not null) await onTurn(core.Snapshot()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            core.Finish(StopReason.Cancelled, "cancelled by the user");
        }
        catch (Exception e) when (e is UserError or IOException or UnauthorizedAccessException)
        {
            // The run store could not be written: what was gathered is still returned, with the reason.
            core.Finish(StopReason.Error, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A policy or tool bug: the run still ends with its trajectory and a reason; the stack trace goes to the log.
            core.Fail(e);
        }
        return await core.CompleteAsync().ConfigureAwait(false);
    }

    private async Task RunTurnAsync(EpisodeCore core, QaToolset toolset, QaEpisodeState state, CancellationToken ct)
    {
        var turn = core.Turn;
        var prompt = BuildPrompt(core, state);
        var observation = new QaObservation(turn, core.Problem, core.Preferences, state.Context, Offered(toolset, core.Preferences, state), prompt,
            core.Ledger.CostUsd, core.WallSeconds, core.Limits.BudgetUsd);
        var entriesBefore = core.Ledger.Count;
        state.Exchanges.Clear();
        var record = new TurnRecord(turn, prompt);

        using var budget = core.SecondsBudgetToken(ct);
        try
        {
            var decision = await _policy.DecideAsync(observation, core.Ledger, budget.Token).ConfigureAwait(false);
            record.RawOutput = decision.RawOutput;
            record.Reasoning = decision.Reasoning;
            var (chosen, error) = Choose(decision, core, toolset);
            record.Ignored = decision.Calls.Where(c => !ReferenceEquals(c, chosen?.Call))
                .Select(c => new ToolCallRecord(c.Name, c.ArgumentsJson)).ToList();
            if (chosen is null)
            {
                record.Error = error;
                record.Observation = $"Error: {error}";
                core.Reject(error!);
            }
            else
            {
                core.Accept();
                var model = chosen.Alias is null ? null : _catalog.ModelFor(chosen.Alias).Id;
                record.Call = new ToolCallRecord(chosen.Tool.Name, chosen.Call.ArgumentsJson, chosen.Alias, model);
                if (core.OverBudget()) record.Observation = "Not executed: the budget is spent.";
                else
                {
                    var output = await core.InvokeAsync(chosen.Tool, chosen.Arguments, chosen.Alias, [state], budget.Token).ConfigureAwait(false);
                    record.Observation = output.Observation;
                    if (output.IsError) record.Error = output.Observation;
                    // A tool outside the QA protocol tells its result through the context the prompt is rebuilt from.
                    if (chosen.Tool is not Tools.QaExpertTool && !output.IsError)
                        state.Context.AddDocuments([$"{chosen.Tool.Name} returned: {output.Observation}"]);
                }
            }
        }
        catch (BudgetExhaustedException e)
        {
            record.Error = e.Message;
            core.Finish(StopReason.BudgetUsd, e.Message);
        }
        catch (EndpointException e)
        {
            // The orchestrator's own endpoint failed after its retries: nothing more can be decided.
            record.Error = e.Message;
            core.Finish(StopReason.EndpointError, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
        {
            record.Error = "the seconds budget ran out during this turn";
            core.Finish(StopReason.BudgetSeconds, $"spent the {core.Limits.BudgetSeconds} s budget");
        }
        finally
        {
            await core.EndTurnAsync(record.ToTurn(core.Ledger.EntriesSince(entriesBefore), state.Exchanges), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The tools offered this turn: all of them, except that FRAMES stops offering <c>search</c> once documents are held
    /// (a call to it is still accepted, as in the reference, which validates against every tool).
    /// </summary>
    private QaToolset Offered(QaToolset toolset, Preferences preferences, QaEpisodeState state) =>
        _variant.RemoveSearchOnceDocuments && state.Context.Documents.Count > 0
            ? _withoutSearch.GetValue(preferences, p => new QaToolset(_catalog, p, _tools.Where(t => t.Name != QaTool.Search.Name())))
            : toolset;

    private IReadOnlyList<PromptMessage> BuildPrompt(EpisodeCore core, QaEpisodeState state) =>
        Prompt(_variant, core.Problem, state.Context, core.PreferencesText, core.LastError, _limits);

    /// <summary>The orchestrator's prompt for one turn: rebuilt from the problem and the gathered context every turn.</summary>
    public static IReadOnlyList<PromptMessage> Prompt(QaProtocolVariant variant, string problem, QaContext context,
        string? preferencesText = null, string? lastError = null, OrchestratorContextLimits? legacyLimits = null)
    {
        var shown = preferencesText is { } preferences ? $"{problem}\n\n{preferences}" : problem;
        var user = $"Problem: {shown}\n\n{context.ForOrchestrator(problem, variant, legacyLimits)}\n\n{variant.PromptTail}";
        // The reference resends the same prompt after a rejected call; saying why is ours, and legacy only.
        if (variant.ExplainRejections && lastError is { } error)
            user += $"\n\nYour previous output was rejected: {error}";
        return [new PromptMessage("system", variant.SystemPrompt), new PromptMessage("user", user)];
    }

    private sealed record Chosen(PolicyCall Call, IOrchestratorTool Tool, JsonElement Arguments, string? Alias);

    /// <summary>The first valid call of the turn (the reference executes only that one), or why there is none.</summary>
    private static (Chosen? Chosen, string? Error) Choose(PolicyDecision decision, EpisodeCore core, QaToolset toolset)
    {
        if (decision.Calls.Count == 0)
            return (null, decision.RawOutput.Trim().Length == 0
                ? "empty output; call one of the tools"
                : $"no tool call found; call one of: {string.Join(", ", toolset.Declarations.Select(d => d.Name))}");
        string? firstError = null;
        foreach (var call in decision.Calls)
        {
            var error = Validate(call, core, toolset, out var chosen);
            if (error is null) return (chosen, null);
            firstError ??= error;
        }
        return (null, firstError);
    }

    private static string? Validate(PolicyCall call, EpisodeCore core, QaToolset toolset, out Chosen? chosen)
    {
        chosen = null;
        if (call.Error is not null) return $"tool call is not valid JSON: {call.Error}";
        if (toolset.FindTool(call.Name) is not { } tool)
            return $"unknown tool '{call.Name}'; available tools: {string.Join(", ", toolset.Declarations.Select(d => d.Name))}";
        JsonElement args;
        try
        {
            using var doc = JsonDocument.Parse(call.ArgumentsJson);
            args = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return $"the arguments of '{call.Name}' are not valid JSON ({e.Message}); write a JSON object";
        }
        if (args.ValueKind != JsonValueKind.Object) return $"the arguments of '{call.Name}' must be a JSON object";
        string? alias = null;
        if (tool.AliasArgument is { } aliasArgument)
        {
            var choices = string.Join(", ", toolset.AliasesFor(tool.Name));
            alias = args.TryGetProperty(aliasArgument, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            if (alias is null) return $"'{call.Name}' needs a string argument \"{aliasArgument}\", one of: {choices}";
            if (!core.Authorize(alias, out var reason)) return $"{reason}; choose one of: {choices}";
            if (!toolset.AliasesFor(tool.Name).Contains(alias, StringComparer.Ordinal))
                return $"unknown alias '{alias}' for '{call.Name}'; choose one of: {choices}";
        }
        chosen = new Chosen(call, tool, args, alias);
        return null;
    }

    private sealed class TurnRecord(int turn, IReadOnlyList<PromptMessage> prompt)
    {
        public string RawOutput { get; set; } = "";
        public string? Reasoning { get; set; }
        public ToolCallRecord? Call { get; set; }
        public List<ToolCallRecord> Ignored { get; set; } = [];
        public string? Observation { get; set; }
        public string? Error { get; set; }

        public TrajectoryTurn ToTurn(IReadOnlyList<Core.Accounting.LedgerEntry> ledger, IReadOnlyList<ExpertExchange> experts) =>
            new(turn, prompt, RawOutput, Reasoning, Call, Ignored, Observation, Error, experts.ToList(), ledger);
    }
}
