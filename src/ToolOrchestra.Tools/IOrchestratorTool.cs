using System.Text.Json;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;

namespace ToolOrchestra.Tools;

/// <summary>
/// A tool an orchestrator can call: <c>search</c>, <c>enhance_reasoning</c>, <c>answer</c>, <c>call_expert</c>, an MCP
/// server's tool, or one of yours. Adding a tool is one class plus one registration: the engine offers its
/// declaration, checks the call's arguments and hard constraints, runs it inside an <c>execute_tool</c> span and
/// writes the observation into the trajectory.
/// </summary>
public interface IOrchestratorTool
{
    /// <summary>The function name the orchestrator calls.</summary>
    string Name { get; }

    /// <summary>
    /// The argument that names a catalog alias (<c>model</c> for the QA tools, <c>expert</c> for <c>call_expert</c>),
    /// or null for a tool that calls no model. The engine checks that alias against the hard constraints before
    /// <see cref="InvokeAsync"/> runs, so no tool needs to.
    /// </summary>
    string? AliasArgument => null;

    /// <summary>Whether an alias belongs to this tool (e.g. <c>search-*</c> for <c>search</c>).</summary>
    bool Serves(string alias) => false;

    /// <summary>
    /// The declaration offered in an episode: description and JSON schema. <paramref name="offer"/> holds the aliases this
    /// tool may use once the hard constraints are applied; return null when the tool has nothing to offer then.
    /// </summary>
    AIFunctionDeclaration? Declare(ToolOffer offer);

    /// <summary>Runs one call. Failures the orchestrator should read come back as <see cref="ToolOutput.Failed"/>, not exceptions.</summary>
    Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct);
}

/// <summary>What a tool may offer in one episode: the catalog, the user's preferences and the aliases it is allowed.</summary>
public sealed record ToolOffer(Catalog Catalog, Preferences Preferences, IReadOnlyList<AliasEntry> Aliases);

/// <summary>
/// One call of a tool: its arguments as the orchestrator wrote them (a JSON object), the authorised alias when the tool
/// takes one, and the context it runs in.
/// </summary>
public sealed record ToolInvocation(string Name, JsonElement Arguments, string? Alias, ToolContext Context)
{
    /// <summary>The string argument <paramref name="name"/>, or null when it is absent or not a string.</summary>
    public string? String(string name) =>
        Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>
/// Where a call runs: the episode's ledger (hold a paid action's worst case on it first, then record what it cost), turn, clock (virtual in the offline world) and
/// catalog, plus protocol state a built-in tool needs (the QA protocol's gathered context), found by type.
/// </summary>
public sealed class ToolContext(string episodeId, int turn, Ledger ledger, TimeProvider clock, Catalog catalog, Preferences preferences,
    IReadOnlyList<object>? features = null)
{
    public string EpisodeId => episodeId;
    public int Turn => turn;
    public Ledger Ledger => ledger;
    public TimeProvider Clock => clock;
    public Catalog Catalog => catalog;
    public Preferences Preferences => preferences;

    /// <summary>Protocol state of type <typeparamref name="T"/>; throws when the tool runs under a protocol that has none.</summary>
    public T Feature<T>() where T : class =>
        features?.OfType<T>().FirstOrDefault() ?? throw new InvalidOperationException($"this protocol gives tools no {typeof(T).Name}.");
}

/// <summary>
/// What a call gave back: the observation text the orchestrator reads, whether it failed, and — for a tool that ends the
/// episode — the final answer.
/// </summary>
public sealed record ToolOutput(string Observation, bool IsError = false, string? FinalAnswer = null, string? Detail = null)
{
    public static ToolOutput Failed(string observation) => new(observation, IsError: true);
    public static ToolOutput Answer(string answer, string? detail = null) => new($"Answer: {answer}", FinalAnswer: answer, Detail: detail);
}
