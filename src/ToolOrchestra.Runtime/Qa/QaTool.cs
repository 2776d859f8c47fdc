namespace ToolOrchestra.Runtime.Qa;

/// <summary>The three tools of the QA protocol and the alias prefixes each accepts (reference §2).</summary>
public enum QaTool { Search, EnhanceReasoning, Answer }

public static class QaTools
{
    public static readonly IReadOnlyList<QaTool> All = [QaTool.EnhanceReasoning, QaTool.Answer, QaTool.Search];

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

    public static string Description(this QaTool tool) => tool switch
    {
        QaTool.Search => "Search for missing information",
        QaTool.EnhanceReasoning => "tool to enhance answer model reasoning. analyze the problem, write code, execute it and return intermidiate results that will help solve the problem",
        _ => "give the final answer. Not allowed to call if documents is empty.",
    };

    public static string ModelParameterLead(this QaTool tool) => tool switch
    {
        QaTool.Search => "The model used to search for missing information.",
        QaTool.EnhanceReasoning => "The model used to reason.",
        _ => "The model used to answer.",
    };
}
