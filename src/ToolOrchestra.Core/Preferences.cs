using System.Globalization;
using System.Text;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Core;

/// <summary>
/// The user's preferences: a weight per alias or tool plus weights for accuracy, cost and latency (the reference's
/// <c>pref_vec</c>, keyed the same way), and hard constraints. Hard constraints remove aliases from what the
/// orchestrator is offered and are enforced again when a call executes; soft weights are stated in words.
/// </summary>
public sealed record Preferences(
    IReadOnlyDictionary<string, double> Weights,
    IReadOnlyList<string> OnlyTags,
    IReadOnlyList<string> ExcludeAliases,
    string? Statement = null)
{
    public const string Accuracy = "accuracy", Cost = "cost", Latency = "latency";

    public static readonly Preferences None = new(new Dictionary<string, double>(), [], []);

    public double Weight(string key) => Weights.TryGetValue(key, out var w) ? w : 0;

    /// <summary>Whether the hard constraints allow calling this alias (checked at offer time and at execution).</summary>
    public bool Allows(string alias, Catalog.Catalog catalog, out string? reason)
    {
        reason = null;
        if (ExcludeAliases.Contains(alias, StringComparer.Ordinal))
        {
            reason = $"alias '{alias}' is excluded by the user's preferences (exclude_aliases)";
            return false;
        }
        if (OnlyTags.Count > 0 && catalog.Aliases.TryGetValue(alias, out var entry)
            && !OnlyTags.Any(t => catalog.Models[entry.Model].HasTag(t)))
        {
            reason = $"alias '{alias}' → model '{entry.Model}' lacks the required tags [{string.Join(", ", OnlyTags)}] (only_tags)";
            return false;
        }
        return true;
    }

    /// <summary>The soft preferences in natural language, appended to the problem as in the paper; empty when none.</summary>
    public string Describe()
    {
        if (Statement is not null) return Statement;
        var parts = new List<string>();
        void Objective(string key, string words)
        {
            var w = Weight(key);
            if (w > 0) parts.Add($"{words} (weight {w.ToString("0.##", CultureInfo.InvariantCulture)})");
        }
        Objective(Accuracy, "answer correctly");
        Objective(Cost, "keep the dollar cost low");
        Objective(Latency, "keep the latency low");
        var tools = Weights.Where(kv => kv.Key is not (Accuracy or Cost or Latency) && kv.Value != 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        if (parts.Count > 0) sb.Append("The user wants you to ").Append(string.Join(", ", parts)).Append('.');
        var liked = tools.Where(t => t.Value > 0).Select(t => t.Key).ToList();
        var disliked = tools.Where(t => t.Value < 0).Select(t => t.Key).ToList();
        if (liked.Count > 0) sb.Append(sb.Length > 0 ? " " : "").Append("Prefer using ").Append(string.Join(", ", liked)).Append('.');
        if (disliked.Count > 0) sb.Append(sb.Length > 0 ? " " : "").Append("Avoid using ").Append(string.Join(", ", disliked)).Append('.');
        return sb.ToString();
    }

    /// <summary>Reads a preferences file; see <see cref="Read"/>.</summary>
    public static Preferences Load(string path) => Read(JsonFields.Load(path));

    /// <summary>
    /// The one preferences format: <c>weights</c> (or the reference's <c>pref_vec</c>, the same map), <c>only_tags</c>,
    /// <c>exclude_aliases</c>, <c>statement</c>. A bare <c>pref_vec</c> map read from a task line goes through
    /// <see cref="FromPrefVec"/>.
    /// </summary>
    public static Preferences Read(JsonFields fields)
    {
        var root = fields.Object();
        foreach (var (name, field) in root.Properties())
            if (name is not ("weights" or "pref_vec" or "only_tags" or "exclude_aliases" or "statement"))
                throw field.Error("unknown field; preferences have weights (or pref_vec), only_tags, exclude_aliases and statement.");
        if (root.Has("weights") && root.Has("pref_vec"))
            throw root.Error("give either weights or pref_vec (the same map), not both.");
        var weights = root.OptionalField("weights") ?? root.OptionalField("pref_vec");
        return new Preferences(weights is { } w ? FromPrefVec(w).Weights : new Dictionary<string, double>(),
            root.OptionalField("only_tags")?.Strings() ?? [],
            root.OptionalField("exclude_aliases")?.Strings() ?? [],
            root.OptionalField("statement")?.String());
    }

    /// <summary>The reference's <c>pref_vec</c> (a map of alias or objective to weight) as soft preferences.</summary>
    public static Preferences FromPrefVec(JsonFields prefVec) => new(
        prefVec.Object().Properties().ToDictionary(p => p.Name, p => p.Value.Double(min: double.MinValue)), [], []);

    /// <summary>
    /// Refuses weights and exclusions naming an alias the catalog lacks (a typo would silently do nothing) and
    /// hard constraints that leave nothing to call.
    /// </summary>
    public Preferences ValidateAgainst(Catalog.Catalog catalog, string where)
    {
        foreach (var key in Weights.Keys.Concat(ExcludeAliases))
            if (key is not (Accuracy or Cost or Latency) && !catalog.Aliases.ContainsKey(key))
                throw new UserError($"{where}: '{key}' is not an alias of {catalog.SourcePath ?? "the catalog"}; weights name accuracy, cost, latency or an alias ({string.Join(", ", catalog.Aliases.Keys.Order(StringComparer.Ordinal))}).");
        return this;
    }
}
