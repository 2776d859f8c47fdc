using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// Runs one episode of the QA protocol (reference §2–§3). Each turn the prompt is rebuilt from the problem and the
/// gathered context; the policy names a tool and an alias; the alias's expert writes a query, writes code, or
/// answers; <c>answer</c> ends the episode. Invalid output becomes an error observation (counted as a turn, limited
/// by max errors). Budgets are checked before every paid step and stop the episode gracefully; the partial
/// trajectory is always returned and handed to <c>onTurn</c> after every turn so nothing is lost.
/// </summary>
public sealed class QaEpisodeRunner(
    Catalog catalog,
    ModelClientFactory experts,
    IQaPolicy policy,
    QaToolServices tools,
    ITokenCounter tokens,
    OrchestratorContextLimits? limits = null,
    TimeProvider? time = null)
{
    public const string SystemPrompt = "You are good at using tools.";
    private readonly OrchestratorContextLimits _limits = limits ?? new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // The offered tools depend only on the catalog and the preferences: built once per preferences, not per episode.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Preferences, QaToolset> _toolsets = new();

    public async Task<Trajectory> RunAsync(QaRunRequest request, Func<Trajectory, Task>? onTurn = null, CancellationToken ct = default)
    {
        var toolset = _toolsets.GetValue(request.Preferences, p => new QaToolset(catalog, p));
        var episode = new Episode(request, toolset, new QaContext(tokens), _time);
        try
        {
            for (var turn = 1; episode.Stop is null; turn++)
            {
                if (turn > request.MaxTurns) { episode.Finish(StopReason.MaxTurns, $"reached {request.MaxTurns} turns"); break; }
                if (episode.OverBudget()) break;
                await RunTurnAsync(episode, turn, ct).ConfigureAwait(false);
                if (onTurn is not null) await onTurn(episode.Snapshot()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            episode.Finish(StopReason.Cancelled, "cancelled by the user");
        }
        return episode.Snapshot();
    }

    private async Task RunTurnAsync(Episode episode, int turn, CancellationToken ct)
    {
        var request = episode.Request;
        var prompt = BuildPrompt(episode);
        var observation = new QaObservation(turn, request.Problem, request.Preferences, episode.Context, episode.Toolset,
            prompt, episode.Ledger.CostUsd, episode.WallSeconds);
        var entriesBefore = episode.Ledger.Count;
        var record = new TurnRecord(turn, prompt);

        using var budget = episode.SecondsBudgetToken(ct);
        try
        {
            var decision = await policy.DecideAsync(observation, episode.Ledger, budget.Token).ConfigureAwait(false);
            record.RawOutput = decision.RawOutput;
            record.Reasoning = decision.Reasoning;
            var (chosen, error) = Choose(decision, episode);
            record.Ignored = decision.Calls.Where(c => !ReferenceEquals(c, chosen?.Call))
                .Select(c => new ToolCallRecord(c.Name, c.ArgumentsJson)).ToList();
            if (chosen is null)
            {
                record.Error = error;
                record.Observation = $"Error: {error}";
                episode.LastError = error;
                if (++episode.Errors >= request.MaxErrors)
                    episode.Finish(StopReason.NoValidCall, $"{episode.Errors} turns without a valid tool call (max errors {request.MaxErrors}); last: {error}");
            }
            else
            {
                episode.LastError = null;
                record.Call = new ToolCallRecord(chosen.Action.Tool.Name(), chosen.Call.ArgumentsJson, chosen.Action.Alias, chosen.Action.Model.Id);
                if (!episode.OverBudget())
                    record.Observation = await ExecuteAsync(episode, turn, chosen.Action, record, budget.Token).ConfigureAwait(false);
                else
                    record.Observation = "Not executed: the budget is spent.";
            }
        }
        catch (EndpointException e)
        {
            record.Error = e.Message;
            episode.Finish(StopReason.EndpointError, e.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested && budget.IsCancellationRequested)
        {
            record.Error = "the seconds budget ran out during this turn";
            episode.Finish(StopReason.BudgetSeconds, $"spent the {request.BudgetSeconds} s budget");
        }
        finally
        {
            episode.Turns.Add(record.ToTurn(episode.Ledger.EntriesSince(entriesBefore)));
        }
    }

    private IReadOnlyList<PromptMessage> BuildPrompt(Episode episode)
    {
        var problem = episode.Request.Problem;
        var shown = episode.PreferencesText is { } preferences ? $"{problem}\n\n{preferences}" : problem;
        var user = $"Problem: {shown}\n\n{episode.Context.ForOrchestrator(problem, _limits)}\n\nChoose an appropriate tool.";
        if (episode.LastError is { } error)
            user += $"\n\nYour previous output was rejected: {error}";
        return [new PromptMessage("system", SystemPrompt), new PromptMessage("user", user)];
    }

    private sealed record Chosen(PolicyCall Call, QaAction Action);

    /// <summary>The first valid call of the turn (the reference executes only that one), or why there is none.</summary>
    private (Chosen? Chosen, string? Error) Choose(PolicyDecision decision, Episode episode)
    {
        if (decision.Calls.Count == 0)
            return (null, decision.RawOutput.Trim().Length == 0
                ? "empty output; call one of the tools"
                : $"no tool call found; call one of: {string.Join(", ", episode.Toolset.Declarations.Select(d => d.Name))}");
        string? firstError = null;
        foreach (var call in decision.Calls)
        {
            var error = Validate(call, episode, out var action);
            if (error is null) return (new Chosen(call, action!), null);
            firstError ??= error;
        }
        return (null, firstError);
    }

    private string? Validate(PolicyCall call, Episode episode, out QaAction? action)
    {
        action = null;
        if (call.Error is not null) return $"tool call is not valid JSON: {call.Error}";
        var offered = episode.Toolset.Declarations.Select(d => d.Name).ToList();
        if (QaTools.Parse(call.Name) is not { } tool || !offered.Contains(call.Name))
            return $"unknown tool '{call.Name}'; available tools: {string.Join(", ", offered)}";
        string? alias;
        try
        {
            using var args = JsonDocument.Parse(call.ArgumentsJson);
            alias = args.RootElement.ValueKind == JsonValueKind.Object && args.RootElement.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString() : null;
        }
        catch (JsonException) { alias = null; }
        var choices = string.Join(", ", episode.Toolset.AliasesFor(tool));
        if (alias is null) return $"'{call.Name}' needs a string argument \"model\", one of: {choices}";
        // Hard constraints are enforced here again, not only by what the tool description offers.
        if (!episode.Request.Preferences.Allows(alias, catalog, out var reason)) return $"{reason}; choose one of: {choices}";
        action = episode.Toolset.Find(tool, alias);
        return action is null ? $"unknown alias '{alias}' for '{call.Name}'; choose one of: {choices}" : null;
    }

    private async Task<string> ExecuteAsync(Episode episode, int turn, QaAction action, TurnRecord record, CancellationToken ct)
    {
        var problem = episode.Request.Problem;
        var context = episode.Context.ForExpert(problem, action.Model.ContextLimits);
        try
        {
            switch (action.Tool)
            {
                case QaTool.Search:
                {
                    if (tools.Retriever is null)
                        return "Tool not configured: search needs a retrieval index or a /retrieve service (orchestra run --index I.db or --retriever URL).";
                    var reply = await AskExpertAsync(episode, turn, action, null, ExpertPrompts.Query(context, problem), record, ct).ConfigureAwait(false);
                    var query = ExpertPrompts.ExtractQuery(reply, problem);
                    var started = _time.GetTimestamp();
                    var found = await tools.Retriever.RetrieveAsync(query, tools.TopK, episode.Request.Eid, ct).ConfigureAwait(false);
                    // The retriever prices itself (local per call, web per call and per extracted document); the seconds are
                    // the episode's clock, so a virtual-time episode stays reproducible.
                    episode.Ledger.Record(ToolLedger.Retrieval(turn, found with { Seconds = _time.GetElapsedTime(started).TotalSeconds }, "search", action.Alias));
                    if (found.Error is not null)
                    {
                        record.Error = found.Error;
                        return $"Query: {query}\nError: retrieval failed: {found.Error}";
                    }
                    // Reverse order, skipping documents already held (reference eval behaviour).
                    var added = episode.Context.AddDocuments(found.Documents.Reverse().Select(d => d.Contents));
                    return $"Query: {query}\nFound {found.Documents.Count} documents, {added} new; {episode.Context.Documents.Count} in context.";
                }
                case QaTool.EnhanceReasoning:
                {
                    if (tools.CodeRunner is null)
                        return "Tool not configured: enhance_reasoning needs the code sandbox (python3 under bubblewrap).";
                    var reply = await AskExpertAsync(episode, turn, action, null, ExpertPrompts.Code(context, problem), record, ct).ConfigureAwait(false);
                    if (ExpertPrompts.ExtractCode(reply) is not { } code) return "The expert wrote no ```python block; nothing was run.";
                    var result = await tools.CodeRunner.RunAsync(code, ct).ConfigureAwait(false);
                    episode.Ledger.Record(ToolLedger.Code(turn, result, catalog.ToolPrices, alias: action.Alias));
                    if (result.Stdout.Trim().Length > 0) episode.Context.AddCode(code, result.Stdout); // the reference keeps stdout only
                    return $"Exit code {result.ExitCode}{(result.TimedOut ? " (timed out)" : "")} after {result.Seconds.ToString("0.###", CultureInfo.InvariantCulture)} s.\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}";
                }
                default:
                {
                    var (system, user) = ExpertPrompts.Answer(context, problem, action.Model.Family);
                    var reply = await AskExpertAsync(episode, turn, action, system, user, record, ct).ConfigureAwait(false);
                    var extracted = ExpertPrompts.ExtractAnswer(reply, action.Model.Family);
                    var answer = extracted ?? ExpertPrompts.StripThinking(reply);
                    episode.Answer = answer;
                    episode.Finish(StopReason.Answered, extracted is null ? "the expert gave no tagged answer; its reply text is the answer" : null);
                    return $"Answer: {answer}";
                }
            }
        }
        catch (EndpointException e)
        {
            // An expert failing is a tool failure: the orchestrator sees it and may choose another alias.
            record.Error = e.Message;
            return $"Error: the expert {action.Alias} failed: {e.Message}";
        }
        catch (UserError e)
        {
            // A tool that cannot run here (sandbox missing, index unreadable) fails this call, not the run.
            record.Error = e.Message;
            return $"Error: {action.Tool.Name()} could not run: {e.Message}";
        }
    }

    private async Task<string> AskExpertAsync(Episode episode, int turn, QaAction action, string? system, string user, TurnRecord record, CancellationToken ct)
    {
        var (temperature, maxTokens) = ExpertPrompts.Decoding(action.Model);
        var prompt = new List<PromptMessage>();
        if (system is not null) prompt.Add(new("system", system));
        prompt.Add(new("user", user));
        var options = new LedgerScope(episode.Ledger, turn, CallKind.Expert, action.Tool.Name(), action.Alias)
            .Apply(new ChatOptions { Temperature = temperature, MaxOutputTokens = maxTokens });
        var response = await experts.For(action.Model.Id).GetResponseAsync(
            prompt.Select(p => new ChatMessage(p.Role == "system" ? ChatRole.System : ChatRole.User, p.Content)).ToList(), options, ct).ConfigureAwait(false);
        var raw = response.AdditionalProperties?.TryGetValue(HermesToolCallChatClient.RawContentKey, out var r) == true ? r as string ?? "" : response.Text;
        record.Experts.Add(new ExpertExchange(action.Alias, action.Model.Id, prompt, raw));
        return raw;
    }

    /// <summary>Mutable state of one episode; <see cref="Snapshot"/> turns it into the immutable trajectory.</summary>
    private sealed class Episode(QaRunRequest request, QaToolset toolset, QaContext context, TimeProvider time)
    {
        private readonly long _started = time.GetTimestamp();
        private readonly DateTimeOffset _startedAt = time.GetUtcNow();
        public QaRunRequest Request => request;
        /// <summary>The soft preferences in words, stated after the problem every turn; null when there are none.</summary>
        public string? PreferencesText { get; } = NullIfEmpty(request.Preferences.Describe());
        public QaToolset Toolset => toolset;
        public QaContext Context => context;
        public Ledger Ledger { get; } = new();
        public List<TrajectoryTurn> Turns { get; } = [];
        public string Id { get; } = request.Id ?? $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        public int Errors { get; set; }
        public string? LastError { get; set; }
        public string? Answer { get; set; }
        public StopReason? Stop { get; private set; }
        public string? StopDetail { get; private set; }
        public double WallSeconds => time.GetElapsedTime(_started).TotalSeconds;

        public void Finish(StopReason reason, string? detail)
        {
            Stop ??= reason;
            StopDetail ??= detail;
        }

        public bool OverBudget()
        {
            if (request.BudgetUsd is { } usd && Ledger.CostUsd >= usd)
                Finish(StopReason.BudgetUsd, $"spent ${Ledger.CostUsd.ToString(CultureInfo.InvariantCulture)} of the ${usd.ToString(CultureInfo.InvariantCulture)} budget");
            else if (request.BudgetSeconds is { } s && WallSeconds >= s)
                Finish(StopReason.BudgetSeconds, $"spent {WallSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s of the {s.ToString(CultureInfo.InvariantCulture)} s budget");
            else return false;
            return true;
        }

        /// <summary>A token that fires when the seconds budget runs out, so a slow call cannot overrun it.</summary>
        public CancellationTokenSource SecondsBudgetToken(CancellationToken ct)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (request.BudgetSeconds is { } s) cts.CancelAfter(TimeSpan.FromSeconds(Math.Max(0.001, s - WallSeconds)));
            return cts;
        }

        public Trajectory Snapshot() => new(Id, "qa", request.Problem, PreferencesText, Turns.ToList(),
            Answer, Stop, StopDetail, Ledger.CostUsd, Ledger.ToolLatencySeconds, WallSeconds, Ledger.Entries, _startedAt);

        private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    }

    private sealed class TurnRecord(int turn, IReadOnlyList<PromptMessage> prompt)
    {
        public string RawOutput { get; set; } = "";
        public string? Reasoning { get; set; }
        public ToolCallRecord? Call { get; set; }
        public List<ToolCallRecord> Ignored { get; set; } = [];
        public string? Observation { get; set; }
        public string? Error { get; set; }
        public List<ExpertExchange> Experts { get; } = [];

        public TrajectoryTurn ToTurn(IReadOnlyList<LedgerEntry> ledger) =>
            new(turn, prompt, RawOutput, Reasoning, Call, Ignored, Observation, Error, Experts, ledger);
    }
}
