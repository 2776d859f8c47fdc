using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>How the orchestrator's view marks a document cut to its character limit.</summary>
public enum DocEllipsis
{
    /// <summary>" ..." after cut documents only (legacy).</summary>
    WhenCut,
    /// <summary>" ..." after every document, cut or not (reference HLE).</summary>
    Always,
    /// <summary>Never marked (reference FRAMES and training).</summary>
    Never,
}

/// <summary>How a search's documents (in reverse retrieval order) join those already held.</summary>
public enum DocumentMerge
{
    /// <summary>Appended, skipping ones already held (legacy, reference eval).</summary>
    SkipHeld,
    /// <summary>Interleaved with the held ones by the training rollout's <c>merge_documents</c>.</summary>
    Interleave,
}

/// <summary>When the orchestrator's view puts <c>\npython code and execution outputs:\n</c> before the code.</summary>
public enum CodeHeaderRule { WhenCode, Always, Never }

/// <summary>What a query shorter than the minimum does.</summary>
public enum ShortQueryRule
{
    /// <summary>Search for the problem text instead (legacy, reference training).</summary>
    SearchProblem,
    /// <summary>Do not retrieve at all (reference HLE and FRAMES eval).</summary>
    Skip,
}

/// <summary>How one expert is asked under a variant: its context budget and its decoding.</summary>
public sealed record ExpertSettings(ExpertContextLimits Limits, double Temperature, int MaxTokens);

/// <summary>
/// One shape of the QA protocol, every constant in one place. The reference ships three that differ in small ways
/// the orchestrator does notice (docs/protocol-variants.md lists each with its source line): the HLE eval, the FRAMES
/// eval and the RL training rollout. <see cref="Legacy"/> is this project's original shape, kept byte for byte.
/// Reference variants reproduce even the reference's slips (HLE's stray quote, training's "approriate", the
/// <c>\boxed{}</c> reading up to the reply's last brace); our improvements live only in <see cref="Legacy"/>.
/// </summary>
public sealed record QaProtocolVariant
{
    public required string Name { get; init; }
    public required string SystemPrompt { get; init; }
    /// <summary>The user message ends with this (after the context and a blank line).</summary>
    public required string PromptTail { get; init; }
    public required int DocChars { get; init; }
    public required DocEllipsis Ellipsis { get; init; }
    public required int CodeTokens { get; init; }
    public required int ContextTokens { get; init; }
    /// <summary>The context budget is <see cref="ContextTokens"/> minus the problem's tokens (HLE) or not (FRAMES, training).</summary>
    public required bool ContextMinusProblem { get; init; }
    public required CodeHeaderRule CodeHeader { get; init; }
    /// <summary>
    /// The reference's assembly: the code part gets a <c>```\n</c> prefix whenever its kept text does not start with a
    /// fence; <c>Documents:\n</c> is added after the cut so it survives; code longer than the budget is shown alone.
    /// </summary>
    public required bool ReferenceAssembly { get; init; }
    /// <summary>
    /// The reference's reply reading: text after the last opening tag up to the next closing one, the whole reply when
    /// the tag is missing, untrimmed; <c>\boxed{</c> read up to the reply's last <c>}</c>.
    /// </summary>
    public required bool ReferenceParsing { get; init; }
    /// <summary>The search expert's instruction after <c>Question: {problem}\n</c>.</summary>
    public required string QueryInstruction { get; init; }
    /// <summary>Expert prompts use <c>context.strip() + "\n\n"</c> (reference) rather than the context as is.</summary>
    public required bool ExpertContextStripped { get; init; }
    /// <summary>Between the context and the problem in the answer prompt.</summary>
    public required string AnswerSeparator { get; init; }
    /// <summary>Qwen-family answer experts get the boxed instruction as a user suffix (training) instead of a system prompt.</summary>
    public required bool BoxedAsUserSuffix { get; init; }
    public required int MinQueryChars { get; init; }
    public required ShortQueryRule ShortQuery { get; init; }
    /// <summary>Documents per search; null takes the services' (command line) value.</summary>
    public required int? TopK { get; init; }
    /// <summary>After a rejected call, tell the orchestrator why (ours); the reference resends the same prompt.</summary>
    public required bool ExplainRejections { get; init; }
    /// <summary>How found documents join the held ones.</summary>
    public DocumentMerge Merge { get; init; } = DocumentMerge.SkipHeld;
    /// <summary>FRAMES: once any document is held, <c>search</c> is no longer offered (still accepted when called).</summary>
    public required bool RemoveSearchOnceDocuments { get; init; }
    /// <summary>Expert budgets are cut by the problem's tokens (eval) or not (training).</summary>
    public required bool ExpertContextMinusProblem { get; init; }
    /// <summary>Per tool and model family; a pair not listed uses the catalog's limits and decoding.</summary>
    public IReadOnlyDictionary<(QaTool Tool, ModelFamily Family), ExpertSettings> Experts { get; init; } =
        new Dictionary<(QaTool, ModelFamily), ExpertSettings>();

    public ExpertSettings? ExpertFor(QaTool tool, ModelFamily family) => Experts.GetValueOrDefault((tool, family));

    public const string BaseQueryInstruction = "Instead of directly answering the question, please write a query to search for a piece of relevant and missing information. The query should be a few key words about the information to search or a short sentence. Wrap the query within <query> and </query>.";

    /// <summary>This project's original protocol (before variants existed); unchanged so stored runs replay.</summary>
    public static readonly QaProtocolVariant Legacy = new()
    {
        Name = "legacy",
        SystemPrompt = "You are good at using tools.",
        PromptTail = "Choose an appropriate tool.",
        DocChars = 4000, Ellipsis = DocEllipsis.WhenCut,
        CodeTokens = 16000, ContextTokens = 24000, ContextMinusProblem = true,
        CodeHeader = CodeHeaderRule.WhenCode,
        ReferenceAssembly = false, ReferenceParsing = false,
        QueryInstruction = BaseQueryInstruction, ExpertContextStripped = false,
        AnswerSeparator = "\n\nProblem:\n", BoxedAsUserSuffix = false,
        MinQueryChars = 5, ShortQuery = ShortQueryRule.SearchProblem, TopK = null,
        ExplainRejections = true, RemoveSearchOnceDocuments = false, ExpertContextMinusProblem = true,
    };

    /// <summary><c>evaluation/eval_hle.py</c>.</summary>
    public static readonly QaProtocolVariant Hle = new()
    {
        Name = "hle",
        SystemPrompt = "You are good at using tools.",
        PromptTail = "Choose an appropriate tool.'",
        DocChars = 1200, Ellipsis = DocEllipsis.Always,
        CodeTokens = 12000, ContextTokens = 27000, ContextMinusProblem = true,
        CodeHeader = CodeHeaderRule.WhenCode,
        ReferenceAssembly = true, ReferenceParsing = true,
        QueryInstruction = BaseQueryInstruction, ExpertContextStripped = true,
        AnswerSeparator = "\n\nProblem:\n", BoxedAsUserSuffix = false,
        MinQueryChars = 5, ShortQuery = ShortQueryRule.Skip, TopK = 50,
        ExplainRejections = false, RemoveSearchOnceDocuments = false, ExpertContextMinusProblem = true,
        Experts = new Dictionary<(QaTool, ModelFamily), ExpertSettings>
        {
            [(QaTool.EnhanceReasoning, ModelFamily.Gpt)] = new(new(40000, 120000, null), 1.0, 40000),
            [(QaTool.EnhanceReasoning, ModelFamily.QwenCoder)] = new(new(16000, 24000, 1000), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.QwenMath)] = new(new(1000, 2000, 1000), 0.2, 2000),
            [(QaTool.Answer, ModelFamily.Llama)] = new(new(10000, 80000, null), 0.2, 40000),
            [(QaTool.Answer, ModelFamily.Qwen)] = new(new(12000, 24000, 1000), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.Gpt)] = new(new(40000, 120000, null), 1.0, 40000),
            [(QaTool.Search, ModelFamily.Qwen)] = new(new(12000, 24000, 1000), 0.2, 8000),
            [(QaTool.Search, ModelFamily.Gpt)] = new(new(40000, 120000, null), 1.0, 40000),
        },
    };

    /// <summary><c>evaluation/eval_frames.py</c>: Wikipedia queries, full documents for experts, larger GPT-5 contexts.</summary>
    public static readonly QaProtocolVariant Frames = Hle with
    {
        Name = "frames",
        PromptTail = "Choose an appropriate tool.",
        DocChars = 4000, Ellipsis = DocEllipsis.Never,
        CodeTokens = 12000, ContextTokens = 24000, ContextMinusProblem = false,
        CodeHeader = CodeHeaderRule.Always,
        QueryInstruction = "Instead of directly answering the question, please think hard and write a concise query to search Wikipedia. Wrap the query within <query> and </query>.",
        AnswerSeparator = "\n\n",
        MinQueryChars = 10, TopK = 150,
        RemoveSearchOnceDocuments = true,
        Experts = new Dictionary<(QaTool, ModelFamily), ExpertSettings>
        {
            [(QaTool.EnhanceReasoning, ModelFamily.Gpt)] = new(new(40000, 160000, null), 1.0, 40000),
            [(QaTool.EnhanceReasoning, ModelFamily.QwenCoder)] = new(new(16000, 24000, null), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.QwenMath)] = new(new(1000, 2000, null), 0.2, 2000),
            [(QaTool.Answer, ModelFamily.Llama)] = new(new(40000, 80000, null), 0.2, 40000),
            [(QaTool.Answer, ModelFamily.Qwen)] = new(new(12000, 24000, null), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.Gpt)] = new(new(40000, 160000, null), 1.0, 40000),
            [(QaTool.Search, ModelFamily.Qwen)] = new(new(12000, 24000, null), 0.2, 8000),
            [(QaTool.Search, ModelFamily.Gpt)] = new(new(40000, 160000, null), 1.0, 40000),
        },
    };

    /// <summary>
    /// <c>training/lead_agent/llm_agent/generation_quick3.py</c>: the distribution Orchestrator-8B was trained on.
    /// Expert budgets follow its <c>execute_predictions</c> (by model name; mapped here to families).
    /// </summary>
    public static readonly QaProtocolVariant Train = Hle with
    {
        Name = "train",
        SystemPrompt = "You are good at using tools. ",
        PromptTail = "Choose an approriate tool.",
        DocChars = 4000, Ellipsis = DocEllipsis.Never,
        CodeTokens = 16000, ContextTokens = 24000, ContextMinusProblem = false,
        CodeHeader = CodeHeaderRule.Never,
        AnswerSeparator = "\n\n", BoxedAsUserSuffix = true,
        MinQueryChars = 5, ShortQuery = ShortQueryRule.SearchProblem, TopK = 30,
        Merge = DocumentMerge.Interleave,
        ExpertContextMinusProblem = false,
        Experts = new Dictionary<(QaTool, ModelFamily), ExpertSettings>
        {
            [(QaTool.EnhanceReasoning, ModelFamily.Gpt)] = new(new(40000, 100000, null), 1.0, 28000),
            [(QaTool.EnhanceReasoning, ModelFamily.QwenCoder)] = new(new(16000, 24000, 200), 0.2, 8000),
            [(QaTool.EnhanceReasoning, ModelFamily.Llama)] = new(new(8000, 12000, null), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.QwenMath)] = new(new(1000, 2000, 500), 0.2, 2000),
            [(QaTool.Answer, ModelFamily.Qwen)] = new(new(16000, 24000, 4000), 0.2, 8000),
            [(QaTool.Answer, ModelFamily.Gpt)] = new(new(40000, 100000, null), 1.0, 28000),
            [(QaTool.Answer, ModelFamily.Llama)] = new(new(40000, 80000, null), 0.2, 40000),
            [(QaTool.Search, ModelFamily.Qwen)] = new(new(16000, 24000, 4000), 0.2, 8000),
            [(QaTool.Search, ModelFamily.Gpt)] = new(new(40000, 100000, null), 1.0, 28000),
            [(QaTool.Search, ModelFamily.Llama)] = new(new(40000, 80000, null), 0.2, 8000),
        },
    };

    public static IReadOnlyList<QaProtocolVariant> All { get; } = [Legacy, Hle, Frames, Train];

    /// <summary>What a run gets when nothing names a variant: <see cref="Train"/>, the distribution Orchestrator-8B was trained on.</summary>
    public static QaProtocolVariant Default => Train;

    /// <summary>The catalog's <c>orchestrator.protocol</c>, or null when it names none.</summary>
    public static QaProtocolVariant? FromCatalog(Catalog catalog)
    {
        if (catalog.Orchestrator.Protocol is not { } name) return null;
        try { return Parse(name); }
        catch (UserError e) { throw new UserError($"{catalog.SourcePath ?? "catalog"}: orchestrator.protocol: {e.Message}"); }
    }

    /// <summary>The variant named <paramref name="name"/> (case-insensitive); a <see cref="UserError"/> naming the choices otherwise.</summary>
    public static QaProtocolVariant Parse(string name) =>
        All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UserError($"unknown protocol '{name}'; use one of: {string.Join(", ", All.Select(v => v.Name))}.");
}
