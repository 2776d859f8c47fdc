namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// The three built-in tools of the QA protocol and the alias families each serves (reference §2). Their behaviour lives
/// in the tool classes (<see cref="Tools.SearchTool"/>, <see cref="Tools.EnhanceReasoningTool"/>,
/// <see cref="Tools.AnswerTool"/>); this names them for policies that score per tool and alias.
/// </summary>
public enum QaTool { Search, EnhanceReasoning, Answer }

public static class QaTools
{
    public static string Name(this QaTool tool) => tool switch
    {
        QaTool.Search => "search",
        QaTool.EnhanceReasoning => "enhance_reasoning",
        _ => "answer",
    };

    public static QaTool? Parse(string name) => name switch
    {
        "search" => QaTool.Search,
        "enhance_reasoning" => QaTool.EnhanceReasoning,
        "answer" => QaTool.Answer,
        _ => null,
    };

    /// <summary>Which catalog aliases belong to a tool: <c>search-*</c>, <c>reasoner-*</c>, <c>answer-*</c> (incl. <c>answer-math-*</c>).</summary>
    public static bool Accepts(this QaTool tool, string alias) => tool switch
    {
        QaTool.Search => alias.StartsWith("search-", StringComparison.Ordinal),
        QaTool.EnhanceReasoning => alias.StartsWith("reasoner-", StringComparison.Ordinal),
        _ => alias.StartsWith("answer-", StringComparison.Ordinal),
    };
}
