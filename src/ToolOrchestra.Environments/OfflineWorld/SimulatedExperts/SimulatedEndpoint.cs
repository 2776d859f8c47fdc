using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>A tool offered in a chat request: its name and the aliases its <c>model</c> parameter lists.</summary>
public sealed record OfferedTool(string Name, IReadOnlyList<string> ModelChoices);

/// <summary>A tool call in a simulated reply.</summary>
public sealed record SimulatedToolCall(string Name, string ArgumentsJson);

/// <summary>What a simulated endpoint returns for one chat request: text and/or tool calls, usage, modelled seconds.</summary>
public sealed record SimulatedCompletion(
    string Model,
    string Content,
    IReadOnlyList<SimulatedToolCall> ToolCalls,
    long PromptTokens,
    long CompletionTokens,
    double LatencySeconds);

/// <summary>
/// The offline world behind a chat endpoint, shared by the in-process client (<see cref="SimulatedChatClient"/>) and
/// the HTTP server (<see cref="SimulatedExpertServer"/>), so both paths answer alike. The requested model name picks
/// the calibrated profile (price and speed). A request that offers the QA tools is answered as an orchestrator with
/// <see cref="HeuristicOrchestrator"/>; any other is answered as an expert by <see cref="SimulatedExpert"/>.
/// Every reply is simulated and says so.
/// </summary>
public sealed class SimulatedEndpoint
{
    private readonly World _world;
    private readonly ITokenCounter _tokens;
    private readonly Dictionary<string, SimulatedExpert> _experts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public SimulatedEndpoint(World world, ITokenCounter? tokens = null)
    {
        _world = world;
        _tokens = tokens ?? EstimatingTokenCounter.Instance;
    }

    public World World => _world;

    /// <summary>Model names this endpoint serves: every calibrated profile by id and by provider name.</summary>
    public static IReadOnlyList<string> ServedModels =>
        ExpertCalibration.Profiles.Concat(ExpertCalibration.Unseen).SelectMany(p => new[] { p.ModelId, p.ProviderName }).Distinct().ToList();

    public static bool Serves(string model) => ExpertCalibration.Find(model) is not null;

    /// <summary>Answers one chat request; an unknown model is a <see cref="UserError"/> listing the served ones.</summary>
    /// <param name="askedBefore">For an orchestrator request: how often its prompt was already asked in the same episode
    /// (and counts this one), so searches that find nothing end; null: never.</param>
    public SimulatedCompletion Complete(string model, IReadOnlyList<PromptMessage> messages, IReadOnlyList<OfferedTool> tools, int seed,
        Func<string, int>? askedBefore = null)
    {
        var expert = Expert(model);
        var prompt = string.Join("\n", messages.OrderBy(m => m.Role == "system" ? 0 : 1).Select(m => m.Content));
        var name = $"{expert.Profile.ModelId} (simulated)";
        if (HeuristicOrchestrator.Applies(tools))
        {
            var (call, reasoning) = HeuristicOrchestrator.Decide(prompt, tools, askedBefore?.Invoke(expert.Profile.ModelId + "\n" + prompt) ?? 0);
            var content = $"<think>(simulated {expert.Profile.ModelId}, heuristic orchestrator) {reasoning}</think>";
            var completion = _tokens.Count(content) + _tokens.Count(call.ArgumentsJson) + 10;
            return new SimulatedCompletion(name, content, [call], _tokens.Count(prompt), completion, expert.Profile.LatencyFor(completion));
        }
        var reply = expert.Respond(prompt, seed);
        return new SimulatedCompletion(name, reply.Content, [], reply.PromptTokens, reply.CompletionTokens, reply.LatencySeconds);
    }

    private SimulatedExpert Expert(string model)
    {
        lock (_gate)
        {
            if (_experts.TryGetValue(model, out var e)) return e;
            e = SimulatedExpert.ForModel(_world, model, _tokens)
                ?? throw new UserError($"the simulated endpoint has no profile for model '{model}'; served models: {string.Join(", ", ServedModels)}.");
            _experts[model] = e;
            return e;
        }
    }

    /// <summary>The aliases listed in a QA tool's <c>model</c> parameter description ("Choices: ['a', 'b']."), or its enum.</summary>
    public static IReadOnlyList<string> ModelChoices(JsonElement parametersSchema)
    {
        if (parametersSchema.ValueKind != JsonValueKind.Object
            || !parametersSchema.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object
            || !props.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            return [];
        if (model.TryGetProperty("enum", out var e) && e.ValueKind == JsonValueKind.Array)
            return e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList();
        if (!model.TryGetProperty("description", out var d) || d.ValueKind != JsonValueKind.String) return [];
        var text = d.GetString()!;
        var at = text.IndexOf("Choices: [", StringComparison.Ordinal);
        if (at < 0) return [];
        var end = text.IndexOf(']', at);
        if (end < 0) return [];
        return text[(at + "Choices: [".Length)..end].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim('\'', '"')).Where(s => s.Length > 0).ToList();
    }
}
