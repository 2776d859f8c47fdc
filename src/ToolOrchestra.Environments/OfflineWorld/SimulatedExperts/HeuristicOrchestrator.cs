using System.Text.Json;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>
/// What a simulated orchestrator model (e.g. the sim catalog's "Qwen3-8B (simulated)") does when asked to choose a QA
/// tool: a fixed rule of thumb read off the rebuilt prompt, not a model and not trained. Computation-looking problems
/// get code first; others get a search, a second search when the question chains two facts, code when it asks for
/// arithmetic over found facts; then an answer. It always picks the middle-priced alias of a tool ("*-2" when
/// offered), so it is neither the cheapest nor the strongest. Searches that find nothing new leave the rebuilt prompt as
/// it was: after <see cref="EmptySearches"/> of them it answers from what it has, as a real orchestrator would, instead
/// of searching until <c>max_turns</c> (a question outside the world). It lets <c>orchestra run</c> drive the whole QA
/// loop against <c>orchestra sim serve</c> without any model weights.
/// </summary>
public static partial class HeuristicOrchestrator
{
    /// <summary>Searches that added nothing before it gives up searching and answers.</summary>
    public const int EmptySearches = 3;

    public static bool Applies(IReadOnlyList<OfferedTool> tools) => tools.Any(t => t.Name == "answer");

    /// <summary>The call to make and a one-line reason, from the orchestrator prompt (problem, documents, code outputs).</summary>
    /// <param name="askedBefore">How often this episode already asked with this very prompt: each time, its call changed nothing.</param>
    public static (SimulatedToolCall Call, string Reasoning) Decide(string prompt, IReadOnlyList<OfferedTool> tools, int askedBefore = 0)
    {
        var problem = Problem(prompt);
        var documents = DocMarker().Matches(prompt).Count;
        var hasCode = prompt.Contains("```output", StringComparison.Ordinal);
        var computation = ComputationCue().IsMatch(problem) && !NameCue().IsMatch(problem);
        var chained = ChainCue().IsMatch(problem);
        var arithmetic = ArithmeticCue().IsMatch(problem);

        string tool, why;
        if (computation && !hasCode) (tool, why) = ("enhance_reasoning", "a computation: run code first");
        else if (!computation && documents == 0) (tool, why) = ("search", "facts are missing: search");
        else if (!computation && chained && documents < 6 && !hasCode) (tool, why) = ("search", "a chained question: search for the second fact");
        else if (!computation && arithmetic && !hasCode) (tool, why) = ("enhance_reasoning", "arithmetic over the found facts: run code");
        else (tool, why) = ("answer", "enough context: answer");
        if (tool == "search" && askedBefore >= EmptySearches)
            (tool, why) = ("answer", $"{askedBefore} searches found nothing new: answer from what is known");

        var offered = tools.FirstOrDefault(t => t.Name == tool && t.ModelChoices.Count > 0)
            ?? tools.First(t => t.Name == "answer");
        var alias = Middle(offered.ModelChoices);
        var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["model"] = alias });
        return (new SimulatedToolCall(offered.Name, arguments), $"{why} with {alias}");
    }

    private static string Middle(IReadOnlyList<string> choices)
    {
        if (choices.Count == 0) return "answer-1";
        var second = choices.FirstOrDefault(c => c.EndsWith("-2", StringComparison.Ordinal) && !c.Contains("math", StringComparison.Ordinal));
        return second ?? choices.OrderBy(c => c, StringComparer.Ordinal).ElementAt(choices.Count / 2);
    }

    /// <summary>The problem statement from "Problem: … " up to the first blank line.</summary>
    internal static string Problem(string prompt)
    {
        var at = prompt.IndexOf("Problem: ", StringComparison.Ordinal);
        var start = at < 0 ? 0 : at + "Problem: ".Length;
        var end = prompt.IndexOf("\n\n", start, StringComparison.Ordinal);
        return end < 0 ? prompt[start..] : prompt[start..end];
    }

    [GeneratedRegex(@"^Doc \d+: ", RegexOptions.Multiline)]
    private static partial Regex DocMarker();

    [GeneratedRegex(@"\b(compute|squared|prime|divisors?|divisible|remainder|factorial|greatest common)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ComputationCue();

    // Proper names of the fictional world: two capitalised words in a row after the first word.
    [GeneratedRegex(@"\s[A-Z][a-z]+ [A-Z][a-z]+")]
    private static partial Regex NameCue();

    [GeneratedRegex(@"\b(the founder of|the company that|the city where|the inventor of|combined|between the founding|birth of its founder)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ChainCue();

    [GeneratedRegex(@"\b(how many years|combined)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ArithmeticCue();
}
