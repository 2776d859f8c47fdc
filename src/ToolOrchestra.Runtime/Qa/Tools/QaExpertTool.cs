using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;
using ToolOrchestra.Tools;

namespace ToolOrchestra.Runtime.Qa.Tools;

/// <summary>
/// A QA-protocol tool (reference §2): one required <c>model</c> argument naming an alias of its family, whose
/// description lists the allowed aliases with their blurbs, prices and average latencies; the alias's expert does the work.
/// </summary>
internal abstract class QaExpertTool(QaTool kind) : IOrchestratorTool
{
    public QaTool Kind => kind;
    public string Name => kind.Name();
    public string? AliasArgument => "model";
    public bool Serves(string alias) => kind.Accepts(alias);

    protected abstract string Description { get; }
    protected abstract string ModelParameterLead { get; }

    /// <summary>The tool's aliases as the orchestrator is told about them (catalog values, else the reference's defaults).</summary>
    public static QaAction Action(QaTool tool, AliasEntry alias, Catalog catalog)
    {
        var defaults = QaAliasDefaults.ByAlias.TryGetValue(alias.Alias, out var d) ? d : ("", 0);
        return new QaAction(tool, alias.Alias, catalog.Models[alias.Model], alias.LatencySeconds ?? defaults.Item2, alias.Description ?? defaults.Item1);
    }

    public AIFunctionDeclaration? Declare(ToolOffer offer)
    {
        if (offer.Aliases.Count == 0) return null;
        var actions = offer.Aliases.Select(a => Action(kind, a, offer.Catalog)).ToList();
        var schema = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["model"] = new JsonObject { ["description"] = ModelDescription(offer, actions), ["type"] = "string" },
            },
            ["required"] = new JsonArray("model"),
            ["title"] = "parameters",
            ["type"] = "object",
        };
        var wording = offer.Catalog.DescriptionFor(Name);
        return AIFunctionFactory.CreateDeclaration(Name, wording?.Description ?? Description,
            JsonSerializer.SerializeToElement(schema, OrchestraJsonContext.Default.JsonNode));
    }

    public abstract Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct);

    private string ModelDescription(ToolOffer offer, IReadOnlyList<QaAction> actions)
    {
        var wording = offer.Catalog.DescriptionFor(Name);
        if (wording?.Style == ToolDescriptionStyle.Reference) return ReferenceModelDescription(offer, wording, actions);
        var sb = new StringBuilder(wording?.ModelLead ?? ModelParameterLead);
        sb.Append(" Choices: [").Append(string.Join(", ", actions.Select(a => $"'{a.Alias}'"))).Append("].");
        foreach (var a in actions.Where(a => a.Blurb.Length > 0))
            sb.Append(' ').Append(a.Alias).Append(": ").Append(a.Blurb).Append('.');
        sb.Append("\n| model | price per million input tokens | price per million output tokens | average latency |\n|---|---|---|---|");
        foreach (var a in actions)
            sb.Append("\n| ").Append(a.Alias)
              .Append(" | $").Append(Money(a.Model.Price.InputPerMillion))
              .Append(" | $").Append(Money(a.Model.Price.OutputPerMillion))
              .Append(" | ").Append(a.LatencySeconds.ToString("0.#", CultureInfo.InvariantCulture)).Append("s |");
        return sb.ToString();
    }

    /// <summary>The reference's shape: whole-sentence blurbs, an intro, a pipe table without outer pipes.</summary>
    private string ReferenceModelDescription(ToolOffer offer, ToolDescription wording, IReadOnlyList<QaAction> actions)
    {
        var sb = new StringBuilder(wording.ModelLead ?? ModelParameterLead);
        sb.Append(" Choices: [").Append(string.Join(", ", actions.Select(a => $"'{a.Alias}'"))).Append("].");
        foreach (var a in actions.Where(a => a.Blurb.Length > 0)) sb.Append(' ').Append(a.Blurb);
        sb.Append(' ').Append(wording.TableIntro ?? "")
          .Append("\nModel | price per million input tokens | price per million output tokens | average latency");
        foreach (var a in actions)
            sb.Append('\n').Append(offer.Catalog.Aliases[a.Alias].TableRow
                ?? $"{a.Alias} | ${Money(a.Model.Price.InputPerMillion)} | ${Money(a.Model.Price.OutputPerMillion)} | {a.LatencySeconds.ToString("0.#", CultureInfo.InvariantCulture)}s");
        return sb.ToString();
    }

    private static string Money(decimal d) => d.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>Asks the invocation's alias: one expert call, booked in the ledger and kept in the turn's exchanges.</summary>
    protected async Task<string> AskExpertAsync(ToolInvocation invocation, string? system, string user, CancellationToken ct)
    {
        var state = invocation.Context.Feature<QaEpisodeState>();
        var alias = invocation.Alias!;
        var model = invocation.Context.Catalog.ModelFor(alias);
        var (temperature, maxTokens) = state.Variant.ExpertFor(Kind, model.Family) is { } settings
            ? ((float)settings.Temperature, settings.MaxTokens)
            : ExpertPrompts.Decoding(model);
        var prompt = new List<PromptMessage>();
        if (system is not null) prompt.Add(new("system", system));
        prompt.Add(new("user", user));
        var options = new LedgerScope(invocation.Context.Ledger, invocation.Context.Turn, CallKind.Expert, Name, alias, invocation.Context.Clock)
            .Apply(new ChatOptions { Temperature = temperature, MaxOutputTokens = maxTokens });
        var response = await state.Experts.For(model.Id).GetResponseAsync(
            prompt.Select(p => new ChatMessage(p.Role == "system" ? ChatRole.System : ChatRole.User, p.Content)).ToList(), options, ct).ConfigureAwait(false);
        var raw = response.AdditionalProperties?.TryGetValue(HermesToolCallChatClient.RawContentKey, out var r) == true ? r as string ?? "" : response.Text;
        state.Exchanges.Add(new ExpertExchange(alias, model.Id, prompt, raw));
        return raw;
    }

    /// <summary>The gathered context as this alias's expert may see it (its own context limits).</summary>
    protected string ExpertContext(ToolInvocation invocation)
    {
        var state = invocation.Context.Feature<QaEpisodeState>();
        var model = invocation.Context.Catalog.ModelFor(invocation.Alias!);
        var limits = state.Variant.ExpertFor(Kind, model.Family)?.Limits ?? model.ContextLimits;
        return state.Context.ForExpert(state.Problem, limits, state.Variant);
    }
}
