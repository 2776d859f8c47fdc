namespace ToolOrchestra.Environments.Qa;

/// <summary>What exact matching decided: correct, wrong without appeal, or a near miss for the judge.</summary>
public enum MatchVerdict { Correct, Wrong, AskJudge }

/// <summary>
/// The reference's exact match (evaluation/eval_hle.py, eval_frames.py): a prediction that is empty or longer than 500
/// words (split on single spaces, as Python's <c>split(' ')</c>) is wrong; otherwise both sides are normalised the same
/// way, surrounding whitespace stripped and lower-cased, and compared. Nothing else is removed: a trailing period
/// is a near miss for the judge, on either side, exactly as the reference treats it.
/// </summary>
public static class AnswerMatch
{
    public const int MaxWords = 500;

    public static string Normalise(string text) => text.Trim().ToLowerInvariant();

    public static MatchVerdict Check(string? prediction, string gold)
    {
        if (prediction is null || prediction.Trim().Length == 0 || prediction.Split(' ').Length > MaxWords) return MatchVerdict.Wrong;
        return Normalise(prediction) == Normalise(gold) ? MatchVerdict.Correct : MatchVerdict.AskJudge;
    }
}
