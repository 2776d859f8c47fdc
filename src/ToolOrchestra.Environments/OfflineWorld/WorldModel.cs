using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>The kinds of question the offline world asks, and what solving them takes.</summary>
public enum TaskFamily
{
    /// <summary>One fact from the corpus: needs a search.</summary>
    Lookup,
    /// <summary>Two chained facts: needs two searches, the second written from what the first found.</summary>
    MultiHop,
    /// <summary>Arithmetic over facts from the corpus: needs search, then code.</summary>
    Arithmetic,
    /// <summary>Pure mathematics: needs code or a math expert, no search.</summary>
    Math,
    /// <summary>Real-world general knowledge a strong model knows without searching.</summary>
    Known,
}

// Entities of the fictional world. Years are plain integers; populations and head counts are exact.
public sealed record City(string Id, string Name, string Region, int Founded, int Population);
public sealed record Person(string Id, string Name, int Born, string BirthplaceId, string Occupation);
public sealed record Company(string Id, string Name, int Founded, string FounderId, string HeadquartersId, int Employees);
public sealed record Invention(string Id, string Name, int Year, string InventorId, string MakerId);

/// <summary>
/// One fact of the world, e.g. <c>company-007.founder</c> = "Mara Veldon". <see cref="Value"/> is the exact answer
/// text as documents write it ("1,234,567"); <see cref="Number"/> its value when numeric; <see cref="Sentence"/> how
/// documents state it.
/// </summary>
public sealed record Fact(string Id, string EntityId, string Attribute, string Value, long? Number, string Sentence);

/// <summary>
/// A corpus document, written to JSONL as <c>{"id","contents"}</c> (the reference's retrieval corpus format).
/// <see cref="FactIds"/> lists the world facts it states, so a simulated expert can tell whether its context holds
/// an answer; distractors (namesakes' news, unrelated events) state no task fact.
/// </summary>
public sealed record WorldDocument(string Id, string Title, string Contents, IReadOnlyList<string> FactIds, bool IsDistractor);

/// <summary>
/// One QA task of the world with its exact gold answer.
/// </summary>
/// <param name="Difficulty">1 (easy) to 3 (hard): namesakes competing in retrieval, longer chains, bigger numbers, rarer knowledge.</param>
/// <param name="AcceptedAnswers">Spellings that count as the gold answer (e.g. "1,234,567" and "1234567").</param>
/// <param name="FactIds">The facts an expert's context must hold to answer from documents, in hop order; empty for Math and Known.</param>
/// <param name="SearchQueries">What an ideal query writer would search for, one per hop.</param>
/// <param name="Solution">A self-contained Python program printing the gold answer (Arithmetic: from the facts' values; Math: the computation); null when no code applies.</param>
/// <param name="Preferences">The user's preferences for this task (reference pref_vec plus optional hard constraints).</param>
/// <param name="Split">"train" or "test" (held out).</param>
public sealed record WorldTask(
    string Id,
    TaskFamily Family,
    int Difficulty,
    string Question,
    string Answer,
    IReadOnlyList<string> AcceptedAnswers,
    IReadOnlyList<string> FactIds,
    IReadOnlyList<string> SearchQueries,
    string? Solution,
    Preferences Preferences,
    string PreferenceProfile,
    string Split)
{
    /// <summary>Case-insensitive exact match against the accepted spellings (the reference's first check before a judge).</summary>
    public bool IsCorrect(string? prediction)
    {
        if (string.IsNullOrWhiteSpace(prediction)) return false;
        var p = prediction.Trim().TrimEnd('.').Trim();
        return AcceptedAnswers.Any(a => string.Equals(a, p, StringComparison.OrdinalIgnoreCase));
    }
}
