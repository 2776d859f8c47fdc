using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Models;
using ToolOrchestra.Synthesis.Offline;

namespace ToolOrchestra.Synthesis.Llm;

/// <summary>
/// The reference's stages (schema and tools → records → tasks → evolve), in our own wording, through the catalog alias
/// <c>synth</c>. Every stage must answer JSON that the domain format accepts (the same parser the tau2 engine uses);
/// a reply that does not parse or validate is sent back with the error and asked again, up to
/// <see cref="MaxAttempts"/> times. Tasks then go to the same verifier as the offline backend's.
/// </summary>
public sealed class LlmBackend(IChatClient client) : ISynthesisBackend
{
    public const string Alias = "synth";
    public const int MaxAttempts = 3;
    /// <summary>Records per collection shown to the task stage: enough to pick real ids from.</summary>
    private const int SampleRecords = 6;

    public string Name => "llm";

    public static LlmBackend FromCatalog(Catalog catalog)
    {
        if (!catalog.Aliases.ContainsKey(Alias))
            throw new UserError($"{catalog.SourcePath ?? "catalog"}: $.aliases has no '{Alias}' alias; add \"{Alias}\": \"<model id>\" naming the model that writes domains and tasks.");
        return new LlmBackend(new ModelClientFactory(catalog).ForAlias(Alias));
    }

    public async Task<DomainDraft> DraftAsync(int index, string name, int seed, CancellationToken ct)
    {
        var theme = Themes.All[index % Themes.All.Count];
        var example = new DomainBlueprint(Themes.All[(index + 1) % Themes.All.Count], "example", new Random(seed)).DomainJson();
        // the reference's order: the schema (entities) first, then the tools over it; each stage's JSON is validated
        // by the domain format's own parser, the schema alone with no tools yet
        var (schemaJson, _) = await StageAsync("schema", LlmPrompts.Schema(name, theme.Name, example), node =>
        {
            var withoutTools = (JsonObject)node.DeepClone();
            withoutTools["tools"] = new JsonArray();
            return Named(DomainSpec.Parse(withoutTools, "domain.json"), name);
        }, ct).ConfigureAwait(false);
        var (toolsJson, spec) = await StageAsync("tools", LlmPrompts.Tools(schemaJson, example), node =>
            Named(DomainSpec.Parse(Merge(schemaJson, node), "domain.json"), name), ct).ConfigureAwait(false);
        var domainJson = Merge(schemaJson, toolsJson);
        var policy = LlmPrompts.Policy(spec);
        var (dbJson, _) = await StageAsync("records", LlmPrompts.Records(domainJson), node =>
            DeclarativeDomain.Create(spec, node, policy, ".", "db.json"), ct).ConfigureAwait(false);
        return new DomainDraft(domainJson, dbJson, policy, domain => new Source(this, domain, domainJson, dbJson));
    }

    private static DomainSpec Named(DomainSpec s, string name) =>
        s.Name == name ? s : throw new UserError($"domain.json: $.name is '{s.Name}'; it must be '{name}'.");

    /// <summary>The schema stage's object with the tools stage's "tools".</summary>
    private static JsonObject Merge(JsonObject schema, JsonObject tools)
    {
        var o = (JsonObject)schema.DeepClone();
        o["tools"] = tools["tools"]?.DeepClone();
        return o;
    }

    private sealed class Source(LlmBackend backend, Tau2Domain domain, JsonObject domainJson, JsonObject dbJson) : ITaskSource
    {
        private int _asked;

        public async Task<CandidateTask?> NextAsync(CancellationToken ct)
        {
            var prompt = LlmPrompts.Task(domainJson, Sample(dbJson), _asked++);
            var (_, task) = await backend.StageAsync("task", prompt, node => ReadTask(node, domain, 0), ct).ConfigureAwait(false);
            return task;
        }

        public async Task<CandidateTask?> EvolveAsync(CandidateTask task, CancellationToken ct)
        {
            var prompt = LlmPrompts.Evolve(domainJson, Sample(dbJson), TaskJson(task));
            var (_, harder) = await backend.StageAsync("evolve", prompt, node => ReadTask(node, domain, task.EvolveRound + 1), ct).ConfigureAwait(false);
            return harder;
        }
    }

    /// <summary>
    /// One stage: ask, parse the JSON object in the reply, validate it; on failure send the error back and ask again.
    /// </summary>
    private async Task<(JsonObject Json, T Value)> StageAsync<T>(string stage, string prompt, Func<JsonObject, T> validate, CancellationToken ct)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, LlmPrompts.System), new(ChatRole.User, prompt) };
        string? error = null;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var response = await client.GetResponseAsync(messages, new ChatOptions { Temperature = 0.7f }, ct).ConfigureAwait(false);
            var text = response.Text ?? "";
            try
            {
                var json = ExtractJson(text);
                return (json, validate(json));
            }
            catch (UserError e)
            {
                error = e.Message;
            }
            messages.Add(new ChatMessage(ChatRole.Assistant, text));
            messages.Add(new ChatMessage(ChatRole.User, LlmPrompts.Retry(error)));
        }
        throw new UserError($"the '{Alias}' model's {stage} stage failed validation {MaxAttempts} times; last error: {error}");
    }

    /// <summary>The JSON object of a reply: fenced, tagged or bare, from its first '{' to its last '}'.</summary>
    public static JsonObject ExtractJson(string text)
    {
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start) throw new UserError("the reply holds no JSON object; answer with one JSON object only.");
        try
        {
            return JsonNode.Parse(text[start..(end + 1)]) as JsonObject ?? throw new UserError("the reply is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new UserError($"the reply is not valid JSON ({e.Message}).");
        }
    }

    /// <summary>A task stage's JSON: structure, tool names and required arguments checked; the verifier does the rest.</summary>
    public static CandidateTask ReadTask(JsonObject o, Tau2Domain domain, int round)
    {
        var r = new Environments.Tau2.Data.JsonReader("task", "$", o);
        var tools = domain.CreateEnvironment().AgentTools;
        var actions = new List<GoldAction>();
        foreach (var a in r.Required("actions").Items())
        {
            var name = a.Required("name").String();
            var f = tools.Find(name);
            if (f is null || !f.IsTool) throw a.Required("name").Error($"'{name}' is not a tool of the domain; use one of {string.Join(", ", tools.Tools.Select(t => t.Name))}.");
            var args = a.Optional("arguments")?.Object() ?? [];
            foreach (var p in f.Parameters.Where(p => p.Required && !args.ContainsKey(p.Name)))
                throw a.Error($"argument '{p.Name}' of {name} is missing.");
            actions.Add(new GoldAction(name, (JsonObject)args.DeepClone()));
        }
        if (actions.Count == 0) throw r.Required("actions").Error("a task needs at least one action.");
        return new CandidateTask(
            r.OptionalString("goal") ?? "llm",
            r.Required("reason_for_call").String(),
            r.Required("known_info").String(),
            r.Required("task_instructions").String(),
            actions,
            r.Optional("communicate_info")?.Strings() ?? [],
            round);
    }

    private static JsonObject TaskJson(CandidateTask t) => new()
    {
        ["goal"] = t.Goal,
        ["reason_for_call"] = t.ReasonForCall,
        ["known_info"] = t.KnownInfo,
        ["task_instructions"] = t.TaskInstructions,
        ["actions"] = new JsonArray(t.Actions.Select(a => (JsonNode?)new JsonObject { ["name"] = a.Name, ["arguments"] = a.Arguments.DeepClone() }).ToArray()),
        ["communicate_info"] = new JsonArray(t.CommunicateInfo.Select(c => (JsonNode?)c).ToArray()),
    };

    private static JsonObject Sample(JsonObject db)
    {
        var o = new JsonObject();
        foreach (var (collection, records) in db)
        {
            var part = new JsonObject();
            foreach (var (k, v) in ((JsonObject?)records ?? []).Take(SampleRecords)) part[k] = v?.DeepClone();
            o[collection] = part;
        }
        return o;
    }
}
