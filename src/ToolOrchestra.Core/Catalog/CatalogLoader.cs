namespace ToolOrchestra.Core.Catalog;

/// <summary>
/// Loads and validates a catalog file. Its structure (which fields, their types, ranges and enumerations) is checked
/// against the catalog schema (<see cref="CatalogSchema"/>); what a schema cannot say is checked here: an alias or the
/// orchestrator names a declared model, an endpoint is an http(s) URL, a profile exists, completions has a tokenizer.
/// Every problem is reported as a <see cref="UserError"/> naming the file, the JSON path and what is expected, so a
/// user never sees a stack trace for a typo.
/// </summary>
public static class CatalogLoader
{
    public static Catalog Load(string path) => Parse(JsonFields.Load(path));

    public static Catalog Parse(JsonFields root)
    {
        CatalogSchema.Validate(root.File, root.Element);
        var models = new Dictionary<string, ModelEntry>(StringComparer.Ordinal);
        foreach (var (id, m) in root.Field("models").Properties())
            models[id] = ParseModel(id, m);

        var orchestratorField = root.Field("orchestrator");
        var orchestrator = new OrchestratorSettings(
            Model: orchestratorField.Field("model").String(),
            Temperature: orchestratorField.OptionalField("temperature")?.Double() ?? 1.0,
            MaxOutputTokens: orchestratorField.OptionalField("max_output_tokens")?.Int(1) ?? 12000,
            Protocol: orchestratorField.OptionalField("protocol")?.String());
        if (!models.ContainsKey(orchestrator.Model))
            throw orchestratorField.Field("model").Error(UnknownModel(orchestrator.Model, models));

        var aliases = new Dictionary<string, AliasEntry>(StringComparer.Ordinal);
        foreach (var (alias, a) in root.OptionalField("aliases")?.Properties() ?? [])
        {
            var entry = a.Element.ValueKind == System.Text.Json.JsonValueKind.String
                ? new AliasEntry(alias, a.String())
                : new AliasEntry(alias, a.Field("model").String(),
                    a.OptionalField("latency_s")?.Double(), a.OptionalField("description")?.String(), a.OptionalField("table_row")?.String());
            if (!models.ContainsKey(entry.Model))
                throw (a.Element.ValueKind == System.Text.Json.JsonValueKind.String ? a : a.Field("model")).Error(UnknownModel(entry.Model, models));
            aliases[alias] = entry;
        }

        var prices = root.OptionalField("tool_prices") is { } tp
            ? new ToolPrices(
                CodePerSecond: tp.OptionalField("code_per_second")?.Decimal() ?? 0.0000083m,
                WebSearchPerCall: tp.OptionalField("web_search_per_call")?.Decimal() ?? 0.01m,
                WebExtractPerDoc: tp.OptionalField("web_extract_per_doc")?.Decimal() ?? 0.002m,
                LocalSearchPerCall: tp.OptionalField("local_search_per_call")?.Decimal() ?? 0m,
                PerTool: tp.OptionalField("per_tool")?.Properties().ToDictionary(p => p.Name, p => p.Value.Decimal()))
            : new ToolPrices();

        var limits = root.OptionalField("limits") is { } l
            ? new Limits(
                MaxTurns: l.OptionalField("max_turns")?.Int(1) ?? 50,
                MaxErrors: l.OptionalField("max_errors")?.Int(1) ?? 10,
                RequestTimeoutSeconds: l.OptionalField("request_timeout_s")?.Double(0.01, 86400) ?? 600, // the range Polly's timeout accepts
                MaxRetries: l.OptionalField("max_retries")?.Int() ?? 3,
                BudgetUsd: l.OptionalField("budget_usd")?.Decimal(),
                BudgetSeconds: l.OptionalField("budget_s")?.Double())
            : new Limits();

        var descriptions = root.OptionalField("tool_descriptions")?.Properties().ToDictionary(p => p.Name, p =>
        {
            var d = p.Value;
            var style = d.OptionalField("style")?.String() == "reference" ? ToolDescriptionStyle.Reference : ToolDescriptionStyle.Markdown;
            return new ToolDescription(d.OptionalField("description")?.String(), d.OptionalField("model_lead")?.String(),
                d.OptionalField("table_intro")?.String(), style);
        }, StringComparer.Ordinal);

        return new Catalog(orchestrator, models, aliases, prices, limits, root.File, descriptions);
    }

    private static ModelEntry ParseModel(string id, JsonFields m)
    {
        var catalogDir = Path.GetDirectoryName(Path.GetFullPath(m.File)) ?? ".";
        // "profile": another catalog, run in this process as an orchestrator (recursive orchestration without a server).
        var profile = m.OptionalField("profile") is { } pf ? Path.GetFullPath(Path.Combine(catalogDir, pf.String())) : null;
        if (profile is not null && !File.Exists(profile))
            throw m.Field("profile").Error($"'{profile}' does not exist; \"profile\" is the path of another catalog, relative to this one.");
        var endpoint = profile is null ? m.Field("endpoint").String() : "";
        if (profile is null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            throw m.Field("endpoint").Error($"'{endpoint}' is not an http(s) URL; write e.g. \"http://127.0.0.1:8000/v1\".");
        var name = m.Field("name").String();
        var price = m.Field("price");
        // The schema's enumeration is the snake_case of ModelFamily's names (qwen_math → QwenMath).
        var family = m.OptionalField("family") is { } f
            ? Enum.Parse<ModelFamily>(f.String().Replace("_", ""), ignoreCase: true)
            : ExpertContextLimits.InferFamily(name);
        ExpertContextLimits? context = m.OptionalField("context") is { } c
            ? new ExpertContextLimits(c.Field("code_tokens").Int(1), c.Field("context_tokens").Int(1), c.OptionalField("doc_chars")?.Int(1))
            : null;
        var api = m.OptionalField("api") is { } apiField
            ? Enum.Parse<ModelApi>(apiField.String(), ignoreCase: true)
            : profile is null ? ModelApi.Chat : ModelApi.Orchestra;
        if (profile is not null && api != ModelApi.Orchestra)
            throw m.Field("api").Error("a model with \"profile\" is an orchestrator: its api is \"orchestra\".");
        if (api == ModelApi.Orchestra && m.OptionalField("family") is null)
            family = ModelFamily.Generic; // an orchestrator replies with its final answer, not a family's tags or \boxed{}
        var tokenizer = m.OptionalField("tokenizer") is { } tk
            ? Path.GetFullPath(Path.Combine(catalogDir, tk.String()))
            : null;
        if (api == ModelApi.Completions && tokenizer is null)
            throw m.Error("\"api\": \"completions\" needs \"tokenizer\": the path of the model's tokenizer.json (or its folder), relative to the catalog.");
        return new ModelEntry(
            Id: id,
            Endpoint: endpoint.TrimEnd('/'),
            Name: name,
            Price: new Price(price.Field("input_per_million").Decimal(), price.Field("output_per_million").Decimal()),
            Tags: m.OptionalField("tags")?.Strings() ?? [],
            ApiKeyEnv: m.OptionalField("api_key_env")?.String(),
            Family: family,
            Temperature: m.OptionalField("temperature")?.Double(),
            MaxOutputTokens: m.OptionalField("max_output_tokens")?.Int(1),
            Context: context,
            Api: api,
            Tokenizer: tokenizer,
            Profile: profile);
    }

    private static string UnknownModel(string model, IReadOnlyDictionary<string, ModelEntry> models) =>
        $"unknown model '{model}'; declare it under \"models\" or use one of: {string.Join(", ", models.Keys)}.";
}
