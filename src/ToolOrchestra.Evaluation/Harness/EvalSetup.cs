using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Evaluation.Harness;

/// <summary>
/// The paper's three setups for one model (Table 1): <c>direct</c> — the model answers alone, one chat call, no tools;
/// <c>basic</c> — search and code, every alias mapped to that model (the reference's <c>--basic_tools</c>);
/// <c>orchestrated</c> — that model orchestrating the full catalog.
/// </summary>
public enum EvalSetup { Direct, Basic, Orchestrated }

public static class EvalSetups
{
    public static EvalSetup Parse(string name) => name switch
    {
        "direct" => EvalSetup.Direct,
        "basic" => EvalSetup.Basic,
        "orchestrated" => EvalSetup.Orchestrated,
        _ => throw new UserError($"--setup must be direct (the model alone), basic (search + code, every alias mapped to the model) or orchestrated (the model orchestrating the catalog), not '{name}'."),
    };

    public static string Name(EvalSetup setup) => setup.ToString().ToLowerInvariant();

    /// <summary>
    /// The catalog the setup runs on: <paramref name="model"/> orchestrates; under <c>basic</c> every alias points at it
    /// too (prices and latencies then are the model's own). Models stay, so a judge alias still resolves.
    /// </summary>
    public static Catalog Derive(Catalog catalog, EvalSetup setup, string model)
    {
        if (!catalog.Models.ContainsKey(model))
            throw new UserError($"{catalog.SourcePath ?? "catalog"}: --orchestrator '{model}' is not a model of the catalog; give one of {string.Join(", ", catalog.Models.Keys.Order(StringComparer.Ordinal))}.");
        var orchestrated = catalog with { Orchestrator = catalog.Orchestrator with { Model = model } };
        return setup != EvalSetup.Basic ? orchestrated : orchestrated with
        {
            Aliases = catalog.Aliases.ToDictionary(kv => kv.Key, kv => kv.Value with { Model = model }, StringComparer.Ordinal),
        };
    }
}
