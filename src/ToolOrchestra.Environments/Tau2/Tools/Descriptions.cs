namespace ToolOrchestra.Environments.Tau2;

/// <summary>Tool descriptions shared by several domains (upstream docstrings, as the agent sees them).</summary>
internal static class Descriptions
{
    public const string TransferToHumanAgents =
        "Transfer the user to a human agent, with a summary of the user's issue.\n\nOnly transfer if\n -  the user explicitly asks for a human agent\n -  given the policy and the available tools, you cannot solve the user's issue.";

    public const string Calculate = "Calculate the result of a mathematical expression.";

    public const string CalculateExpression =
        "The mathematical expression to calculate, such as '2 + 2'. The expression can contain numbers, operators (+, -, *, /), parentheses, and spaces.";
}
