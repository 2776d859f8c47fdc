using ToolOrchestra.Core;
using ToolOrchestra.Core.Text;
using ToolOrchestra.Models;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>
/// What the QA protocol's tools share within an episode, handed to them through <see cref="ToolOrchestra.Tools.ToolContext.Feature{T}"/>:
/// the problem, the gathered context (documents, code), the experts' clients, and the expert exchanges of the current
/// turn (kept in the trajectory for audit).
/// </summary>
internal sealed class QaEpisodeState(string problem, string? eid, QaContext context, ModelClientFactory experts, ITokenCounter tokens,
    QaProtocolVariant? variant = null)
{
    public string Problem => problem;

    /// <summary>The per-question id that selects allowed documents and the <c>/retrieve</c> eid.</summary>
    public string? Eid => eid;

    public QaContext Context => context;
    public ModelClientFactory Experts => experts;
    public ITokenCounter Tokens => tokens;

    /// <summary>The protocol shape the tools follow (prompts, limits, reply reading).</summary>
    public QaProtocolVariant Variant { get; } = variant ?? QaProtocolVariant.Legacy;
    public List<ExpertExchange> Exchanges { get; } = [];
}
