using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Evaluation.Reports;

/// <summary>
/// Which model counts as "the strongest" when the report gives the share of steps that went to it (the paper's
/// "GPT-5 in about 40% of tau2 steps"). In order: the model named with <c>--strongest</c>; else the highest-priced
/// model of the run's catalog (output price per million tokens, then input price), the orchestrator's own model
/// excluded; else, when the catalog file cannot be read, the model with the highest observed dollars per token in
/// the run's calls. <see cref="How"/> says which rule chose it, so the report can print it.
/// </summary>
public sealed record StrongestModel(string? Model, string How)
{
    public static StrongestModel Choose(string? named, Catalog? catalog, IReadOnlyDictionary<string, (decimal Dollars, long Tokens)> observed)
    {
        if (named is not null) return new(named, "named with --strongest");
        if (catalog is not null)
        {
            var best = catalog.Models.Values.Where(m => m.Id != catalog.Orchestrator.Model)
                .OrderByDescending(m => m.Price.OutputPerMillion).ThenByDescending(m => m.Price.InputPerMillion).ThenBy(m => m.Id, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best is not null) return new(best.Id, $"highest-priced model of {catalog.SourcePath ?? "the catalog"}");
        }
        var priced = observed.Where(kv => kv.Value.Tokens > 0)
            .OrderByDescending(kv => kv.Value.Dollars / kv.Value.Tokens).ThenBy(kv => kv.Key, StringComparer.Ordinal).FirstOrDefault();
        return priced.Key is null
            ? new(null, "none: no catalog and no priced calls")
            : new(priced.Key, "highest observed dollars per token (catalog not readable)");
    }
}
