using System.Text.RegularExpressions;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// What each tool asks its expert, and how the expert's reply is read (reference §2.1). Wording is kept as the
/// reference has it, typos included, because Orchestrator-8B's experts were prompted this way.
/// </summary>
public static partial class ExpertPrompts
{
    public const string BoxedSystem = "Please reason step by step, and put your final answer within \\boxed{}.";
    private const string GptAnswerSuffix = "\n\nTake a deep breath and think hard with high reasoning, wrap the thoughts within <think> and </think>, and wrap only the exact answer without any explanation within <answer> and </answer>.Output using the following format:\n<think>\n...\n</think>\n<answer>\n...\n</answer>";
    private const string TagAnswerSuffix = "\nWrap the thinking process and explanation between <think> and </think> and wrap only the exact answer without any explanation within <answer> and </answer>.";
    public const int MinQueryChars = 5;
    public const int MaxQueryChars = 390;

    public static string Code(string context, string problem) =>
        context.Trim() + "\n\n" + $"Question: {problem}\nInstead of directly answering the question, please write additional python code that will give intermidiate results after execution. Wrap the code within ```python and ```. The code should be self-contained with all the import and initialization.";

    public static string Query(string context, string problem) =>
        context + $"Question: {problem}\nInstead of directly answering the question, please write a query to search for a piece of relevant and missing information. The query should be a few key words about the information to search or a short sentence. Wrap the query within <query> and </query>.";

    /// <summary>The answer request: (system prompt or null, user prompt), by model family.</summary>
    public static (string? System, string User) Answer(string context, string problem, ModelFamily family)
    {
        var body = context + "\n\nProblem:\n" + problem;
        return family switch
        {
            ModelFamily.Qwen or ModelFamily.QwenMath or ModelFamily.QwenCoder => (BoxedSystem, body),
            ModelFamily.Gpt => (null, body + GptAnswerSuffix),
            _ => (null, body + TagAnswerSuffix),
        };
    }

    /// <summary>The code request: the same in every variant (context stripped, a blank line, the question).</summary>
    public static string Code(string context, string problem, QaProtocolVariant variant) => Code(context, problem);

    /// <summary>The query request: the reference strips the context and always puts a blank line before the question.</summary>
    public static string Query(string context, string problem, QaProtocolVariant variant) =>
        variant.ExpertContextStripped
            ? context.Trim() + "\n\n" + $"Question: {problem}\n{variant.QueryInstruction}"
            : Query(context, problem);

    public const string BoxedUserSuffix = "\nLet's think step by step and output the final answer within \\boxed{}.";

    /// <summary>The answer request under <paramref name="variant"/>: (system prompt or null, user prompt).</summary>
    public static (string? System, string User) Answer(string context, string problem, ModelFamily family, QaProtocolVariant variant)
    {
        if (!variant.ExpertContextStripped) return Answer(context, problem, family);
        var body = context.Trim() + variant.AnswerSeparator + problem;
        return family switch
        {
            ModelFamily.Qwen or ModelFamily.QwenMath when variant.BoxedAsUserSuffix => (null, body + BoxedUserSuffix),
            ModelFamily.Qwen or ModelFamily.QwenMath => (BoxedSystem, body),
            ModelFamily.Gpt when !variant.BoxedAsUserSuffix => (null, body + GptAnswerSuffix),
            _ => (null, body + TagAnswerSuffix),
        };
    }

    /// <summary>Decoding per family: GPT-5 class at temperature 1 with a large budget, served experts at 0.2.</summary>
    public static (float Temperature, int MaxTokens) Decoding(ModelEntry model) => (
        (float)(model.Temperature ?? (model.Family == ModelFamily.Gpt ? 1.0 : 0.2)),
        model.MaxOutputTokens ?? model.Family switch { ModelFamily.Gpt => 40000, ModelFamily.QwenMath => 2000, _ => 8000 });

    /// <summary>Code after the LAST <c>```python</c> fence up to the next fence; null when there is none.</summary>
    public static string? ExtractCode(string reply)
    {
        var start = reply.LastIndexOf("```python", StringComparison.Ordinal);
        if (start < 0) return null;
        start += "```python".Length;
        var end = reply.IndexOf("```", start, StringComparison.Ordinal);
        var code = (end < 0 ? reply[start..] : reply[start..end]).Trim('\n', '\r');
        return code.Trim().Length == 0 ? null : code;
    }

    /// <summary>Code as the variant reads it; the reference keeps the text after the last fence untrimmed (the whole reply without one).</summary>
    public static string? ExtractCode(string reply, QaProtocolVariant variant)
    {
        if (!variant.ReferenceParsing) return ExtractCode(reply);
        var code = After(reply, "```python", "```");
        return code.Length == 0 ? null : code;
    }

    /// <summary>
    /// The query as the variant reads it; null when the variant skips retrieval for a short query. The reference takes
    /// the text after the last <c>&lt;query&gt;</c> (the whole reply without one), untrimmed.
    /// </summary>
    public static string? ExtractQuery(string reply, string problem, QaProtocolVariant variant)
    {
        if (!variant.ReferenceParsing) return ExtractQuery(reply, problem);
        var query = After(reply, "<query>", "</query>");
        if (query.Length < variant.MinQueryChars)
        {
            if (variant.ShortQuery == ShortQueryRule.Skip) return null;
            query = problem;
        }
        return query.Length > MaxQueryChars ? query[..MaxQueryChars] : query;
    }

    /// <summary>
    /// The answer as the variant reads it. The reference: Qwen families take everything after the last <c>\boxed{</c>
    /// up to the reply's LAST <c>}</c> (empty without a box); the others the text after the last <c>&lt;answer&gt;</c>
    /// up to the next <c>&lt;/answer&gt;</c> (the whole reply without one), trimmed.
    /// </summary>
    public static string? ExtractAnswer(string reply, ModelFamily family, QaProtocolVariant variant)
    {
        if (!variant.ReferenceParsing) return ExtractAnswer(reply, family);
        if (family is ModelFamily.Qwen or ModelFamily.QwenMath)
        {
            var at = reply.LastIndexOf("\\boxed{", StringComparison.Ordinal);
            if (at < 0) return "";
            var rest = reply[(at + "\\boxed{".Length)..];
            var last = rest.LastIndexOf('}');
            return last < 0 ? "" : rest[..last].Trim();
        }
        return After(reply, "<answer>", "</answer>").Trim();
    }

    /// <summary>Python's <c>text.split(open)[-1].split(close)[0]</c>.</summary>
    private static string After(string text, string open, string close)
    {
        var at = text.LastIndexOf(open, StringComparison.Ordinal);
        var rest = at < 0 ? text : text[(at + open.Length)..];
        var end = rest.IndexOf(close, StringComparison.Ordinal);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The text of the last <c>&lt;query&gt;</c> block, or the problem when it is missing or too short.</summary>
    public static string ExtractQuery(string reply, string problem)
    {
        var query = LastBetween(reply, "<query>", "</query>")?.Trim();
        var chosen = query is { Length: >= MinQueryChars } ? query : problem;
        return chosen.Length > MaxQueryChars ? chosen[..MaxQueryChars] : chosen;
    }

    /// <summary>The answer by family: last <c>\boxed{…}</c> (balanced braces) or last <c>&lt;answer&gt;</c> block; null when absent.</summary>
    public static string? ExtractAnswer(string reply, ModelFamily family) =>
        family is ModelFamily.Qwen or ModelFamily.QwenMath or ModelFamily.QwenCoder
            ? LastBoxed(reply) ?? LastBetween(reply, "<answer>", "</answer>")?.Trim()
            : LastBetween(reply, "<answer>", "</answer>")?.Trim() ?? LastBoxed(reply);

    public static string? LastBoxed(string text)
    {
        var at = text.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (at < 0) return null;
        var start = at + "\\boxed{".Length;
        var depth = 1;
        for (var i = start; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return text[start..i].Trim();
        }
        return null;
    }

    private static string? LastBetween(string text, string open, string close)
    {
        var end = text.LastIndexOf(close, StringComparison.Ordinal);
        if (end < 0) return null;
        var start = text.LastIndexOf(open, end, StringComparison.Ordinal);
        return start < 0 ? null : text[(start + open.Length)..end];
    }

    /// <summary>Visible text of a reply: reasoning blocks removed, for answers given without tags.</summary>
    public static string StripThinking(string reply) => ThinkBlock().Replace(reply, "").Trim();

    [GeneratedRegex("<think>.*?</think>", RegexOptions.Singleline)]
    private static partial Regex ThinkBlock();
}
