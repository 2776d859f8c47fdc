using System.CommandLine;
using ToolOrchestra.Runtime.Hosting;

namespace ToolOrchestra.Cli;

/// <summary>
/// The engine's options, declared once for every command that builds an engine (run, serve, eval run, rollout, train):
/// one name, one description and one default each, so commands cannot drift apart (the protocol's documents per search,
/// for one, is the protocol's everywhere unless <c>--top-k</c> is given). <see cref="Apply"/> copies what was given
/// into <see cref="OrchestraOptions"/>; what a command does not take, it leaves out of <see cref="Create"/>.
/// </summary>
internal sealed class EngineOptions
{
    public Option<string> Config { get; }
    public Option<string?> Index { get; } = new("--index") { Description = "Local BM25 index (orchestra index build) behind the search tool" };
    public Option<string?> Retriever { get; } = new("--retriever") { Description = "Base URL of a /retrieve service (the reference's API) behind the search tool" };
    public Option<bool> Web { get; } = new("--web") { Description = "Fall back to Tavily web search when retrieval finds fewer than 3 documents (needs TAVILY_API_KEY)" };
    public Option<int?> TopK { get; } = new("--top-k") { Description = "Documents per search (default: the protocol's: hle 50, frames 150, train and legacy 30)" };
    public Option<string?> AllowedIds { get; } = new("--allowed-ids") { Description = "Allowed document ids: a JSON list, or a map {question id: [ids]} (used with the question's id)" };
    public Option<string?> Tokenizer { get; } = new("--tokenizer") { Description = "Qwen3 tokenizer.json (or its folder): exact token counts and the reference's truncation; default: estimate" };
    public Option<bool> NoCode { get; } = new("--no-code") { Description = "Do not run expert-written code (enhance_reasoning answers 'not configured')" };
    public Option<double> CodeTimeout { get; } = new("--code-timeout") { Description = "Wall-clock limit per code execution, seconds", DefaultValueFactory = _ => 60 };
    public Option<bool> UnsafeNoSandbox { get; } = new("--unsafe-no-sandbox") { Description = "DANGER: run expert-written code without bubblewrap isolation" };
    public Option<string[]> Mcp { get; } = new("--mcp") { Description = "An MCP server whose tools the orchestrator may call: a command line (stdio) or an http(s) URL; repeatable. Priced by tool_prices.per_tool" };
    public Option<string?> Protocol { get; } = new("--protocol") { Description = "QA protocol shape: hle, frames or train reproduce the reference's prompts; legacy is the original (default: the catalog's orchestrator.protocol, else train)" };
    public Option<string?> Policy { get; } = new("--policy") { Description = "Weights of the small learned policy (orchestra demo or train writes policy.json): it orchestrates instead of the catalog's LLM orchestrator" };
    public Option<int?> MaxTurns { get; } = new("--max-turns") { Description = "Most turns an episode may take (default: the catalog's limits.max_turns, 50)" };
    public Option<decimal?> BudgetUsd { get; } = new("--budget-usd") { Description = "Stop an episode before a call could take its spend past this many dollars" };

    private EngineOptions(bool configRequired) =>
        Config = new("--config") { Description = "Catalog JSON file (models, aliases, prices, limits)", Required = configRequired };

    /// <summary>The group for one command; <paramref name="configRequired"/> is false where a built-in catalog stands in.</summary>
    public static EngineOptions Create(bool configRequired = true) => new(configRequired);

    /// <summary>Every option of the group, in the order help lists them.</summary>
    public IEnumerable<Option> All() =>
        [Config, Index, Retriever, Web, TopK, AllowedIds, Tokenizer, NoCode, CodeTimeout, UnsafeNoSandbox, Mcp, Protocol, Policy, MaxTurns, BudgetUsd];

    /// <summary>Adds the group's options to <paramref name="command"/>, leaving out <paramref name="except"/>.</summary>
    public void AddTo(Command command, params Option[] except)
    {
        foreach (var option in All().Except(except)) command.Options.Add(option);
    }

    /// <summary>
    /// Copies the given options into the engine's, refusing out-of-range numbers now, before a command prints or pays
    /// anything (a policy file is the command's to load: it names Training's type).
    /// </summary>
    public void Apply(ParseResult parse, OrchestraOptions o)
    {
        o.Index = parse.GetValue(Index);
        o.Retriever = parse.GetValue(Retriever);
        o.Web = parse.GetValue(Web);
        o.TopK = parse.GetValue(TopK) is < 1 and var k ? throw new Core.UserError($"--top-k must be at least 1, got {k}.") : parse.GetValue(TopK);
        o.AllowedIds = parse.GetValue(AllowedIds);
        o.Tokenizer = parse.GetValue(Tokenizer);
        o.Code = !parse.GetValue(NoCode);
        o.CodeTimeoutSeconds = parse.GetValue(CodeTimeout);
        o.UnsafeNoSandbox = parse.GetValue(UnsafeNoSandbox);
        o.McpServers.AddRange(parse.GetValue(Mcp) ?? []);
        o.Protocol = OptionChecks.Protocol(parse.GetValue(Protocol));
        o.MaxTurns = parse.GetValue(MaxTurns) is < 1 and var turns ? throw new Core.UserError($"--max-turns must be at least 1, got {turns}.") : parse.GetValue(MaxTurns);
        o.BudgetUsd = parse.GetValue(BudgetUsd) is <= 0 and var usd ? throw new Core.UserError($"--budget-usd must be above 0, got {usd}.") : parse.GetValue(BudgetUsd);
    }
}
