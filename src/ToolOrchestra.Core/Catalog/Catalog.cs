namespace ToolOrchestra.Core.Catalog;

/// <summary>
/// The user's world in one file: the models behind endpoints, the aliases the orchestrator chooses between,
/// tool prices and limits. Loaded and validated by <see cref="CatalogLoader"/>; documented in the README and
/// in schemas/catalog.schema.json.
/// </summary>
public sealed record Catalog(
    OrchestratorSettings Orchestrator,
    IReadOnlyDictionary<string, ModelEntry> Models,
    IReadOnlyDictionary<string, AliasEntry> Aliases,
    ToolPrices ToolPrices,
    Limits Limits,
    string? SourcePath = null,
    IReadOnlyDictionary<string, ToolDescription>? ToolDescriptions = null)
{
    /// <summary>The catalog's wording for a tool's description, or null to use the built-in one.</summary>
    public ToolDescription? DescriptionFor(string tool) => ToolDescriptions?.GetValueOrDefault(tool);

    public ModelEntry OrchestratorModel => Models[Orchestrator.Model];

    /// <summary>The model behind an alias; throws a <see cref="UserError"/> naming the catalog when unknown.</summary>
    public ModelEntry ModelFor(string alias) =>
        Aliases.TryGetValue(alias, out var entry)
            ? Models[entry.Model]
            : throw new UserError($"{SourcePath ?? "catalog"}: unknown alias '{alias}'. Known aliases: {string.Join(", ", Aliases.Keys)}.");
}

/// <summary>
/// Which catalog model drives the episode, and how it is decoded. <see cref="Protocol"/> names the QA protocol
/// variant (hle, frames, train, legacy) when the catalog chooses one; the Runtime validates the name.
/// </summary>
public sealed record OrchestratorSettings(string Model, double Temperature = 1.0, int MaxOutputTokens = 12000, string? Protocol = null);

/// <summary>One model behind an OpenAI-compatible endpoint.</summary>
public sealed record ModelEntry(
    string Id,
    string Endpoint,
    string Name,
    Price Price,
    IReadOnlyList<string> Tags,
    string? ApiKeyEnv = null,
    ModelFamily Family = ModelFamily.Generic,
    double? Temperature = null,
    int? MaxOutputTokens = null,
    ExpertContextLimits? Context = null,
    ModelApi Api = ModelApi.Chat,
    string? Tokenizer = null,
    string? Profile = null)
{
    /// <summary>An in-process orchestrator: <see cref="Profile"/> is the full path of its catalog (no endpoint).</summary>
    public bool IsInProcessOrchestrator => Profile is not null;

    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase);

    /// <summary>Context limits for this model as an expert: the catalog's, else the reference's per-family defaults.</summary>
    public ExpertContextLimits ContextLimits => Context ?? ExpertContextLimits.DefaultFor(Family);
}

/// <summary>
/// How the endpoint is driven: <c>chat</c> (<c>/v1/chat/completions</c>, the server applies its template) or
/// <c>completions</c> (<c>/v1/completions</c>: we render the Qwen3 chat template with the model's tokenizer, so the
/// prompt is byte for byte what the model was trained on and token ids are known), or <c>orchestra</c> (another
/// orchestrator behind <c>orchestra serve</c>: chat completions whose calls are billed what its run reports, not
/// tokens × price, with nesting depth limited and cycles refused by the servers).
/// </summary>
public enum ModelApi { Chat, Completions, Orchestra }

/// <summary>Dollars per million tokens. <c>decimal</c> so totals are exact.</summary>
public sealed record Price(decimal InputPerMillion, decimal OutputPerMillion)
{
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
}

/// <summary>
/// An alias the orchestrator may name (<c>search-2</c>, <c>answer-math-1</c>, <c>expert-3</c>): the model behind it,
/// the average latency and capability blurb shown in the tool description.
/// </summary>
public sealed record AliasEntry(string Alias, string Model, double? LatencySeconds = null, string? Description = null, string? TableRow = null);

/// <summary>
/// How a QA tool describes itself to the orchestrator, so a catalog can reproduce a published wording exactly
/// (examples/catalog.paper.json reproduces the reference's tools.json). Null fields keep the built-in wording.
/// With <see cref="Style"/> <c>reference</c> each alias's description is a whole sentence written as is, followed by
/// <see cref="TableIntro"/> and a pipe table without outer pipes; <c>markdown</c> (default) writes "alias: blurb."
/// and a Markdown table. An alias's <c>table_row</c> replaces its computed row verbatim (prices charged stay the catalog's).
/// </summary>
public sealed record ToolDescription(string? Description = null, string? ModelLead = null, string? TableIntro = null, ToolDescriptionStyle Style = ToolDescriptionStyle.Markdown);

public enum ToolDescriptionStyle { Markdown, Reference }

/// <summary>Prices of the non-LLM tools (reference §4).</summary>
public sealed record ToolPrices(
    decimal CodePerSecond = 0.0000083m,
    decimal WebSearchPerCall = 0.01m,
    decimal WebExtractPerDoc = 0.002m,
    decimal LocalSearchPerCall = 0m,
    IReadOnlyDictionary<string, decimal>? PerTool = null);

/// <summary>Run limits; command-line options override them.</summary>
public sealed record Limits(
    int MaxTurns = 50,
    int MaxErrors = 10,
    double RequestTimeoutSeconds = 600,
    int MaxRetries = 3,
    decimal? BudgetUsd = null,
    double? BudgetSeconds = null);

/// <summary>Prompt conventions of a model family (reference §2.1: how experts are asked and how answers are read).</summary>
public enum ModelFamily
{
    /// <summary>GPT/Llama-style: thoughts in &lt;think&gt;, the exact answer in &lt;answer&gt; tags.</summary>
    Generic,
    /// <summary>Qwen chat models: answer within \boxed{}.</summary>
    Qwen,
    /// <summary>Qwen2.5-Math and other math models: answer within \boxed{}, short contexts.</summary>
    QwenMath,
    /// <summary>Code models (Qwen2.5-Coder): used to write code.</summary>
    QwenCoder,
    /// <summary>GPT-5 class: answer tags, large contexts.</summary>
    Gpt,
    /// <summary>Llama-style instruct models: answer tags.</summary>
    Llama,
}

/// <summary>
/// How much context an expert receives (reference §2.1): the code part keeps its last <see cref="CodeTokens"/>
/// tokens, the whole context its last <see cref="ContextTokens"/> minus the problem, documents are cut to
/// <see cref="DocChars"/> characters (null = full documents).
/// </summary>
public sealed record ExpertContextLimits(int CodeTokens, int ContextTokens, int? DocChars)
{
    public static ExpertContextLimits DefaultFor(ModelFamily family) => family switch
    {
        ModelFamily.Gpt => new(40000, 120000, null),
        ModelFamily.QwenMath => new(1000, 2000, 1000),
        ModelFamily.QwenCoder => new(16000, 24000, 1000),
        ModelFamily.Qwen => new(12000, 24000, 1000),
        ModelFamily.Llama => new(10000, 80000, null),
        _ => new(12000, 24000, null),
    };

    /// <summary>Infers the family from the provider's model name when the catalog does not say.</summary>
    public static ModelFamily InferFamily(string providerName)
    {
        var n = providerName.ToLowerInvariant();
        if (n.Contains("math")) return ModelFamily.QwenMath;
        if (n.Contains("coder")) return ModelFamily.QwenCoder;
        if (n.Contains("qwen") || n.Contains("orchestrator")) return ModelFamily.Qwen;
        if (n.StartsWith("gpt-") || n.StartsWith("o3") || n.StartsWith("o4") || n.Contains("/gpt-")) return ModelFamily.Gpt;
        if (n.Contains("llama")) return ModelFamily.Llama;
        return ModelFamily.Generic;
    }
}
