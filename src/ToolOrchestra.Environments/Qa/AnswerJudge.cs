using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Models;

namespace ToolOrchestra.Environments.Qa;

/// <summary>
/// What the judge said about one answer, what it cost this time, whether the verdict came from the verdict cache, and
/// the real dollars paid for it (less than the cost when the call was replayed from the response cache).
/// </summary>
public sealed record JudgeOutcome(bool Correct, decimal CostUsd, bool Cached, string? Raw, decimal PaidUsd = 0);

/// <summary>
/// The LLM judge for near misses, with the reference's semantics: it sees the question, the student's answer and the
/// reference answer, is told to assume the reference is correct, and replies <c>&lt;correct&gt;True&lt;/correct&gt;</c> or
/// <c>…False…</c>; the verdict is the text after the last <c>&lt;correct&gt;</c> up to <c>&lt;/correct&gt;</c>, true only
/// when it reads "true" ignoring case (anything else, a missing tag included, is false). Decoded at temperature 1 as
/// the reference's gpt-5 judge. Verdicts are cached (the evaluation store, or memory in training) by (judge model, question, gold, prediction), so a rerun
/// or another run pays for each distinct question once; its dollars are the judge's, never the orchestrator's.
/// </summary>
public sealed class AnswerJudge(IChatClient client, ModelEntry model, string alias, IVerdictCache store)
{
    public string Model => model.Id;

    /// <summary>
    /// The judge every benchmark uses (QA's near misses, tau2's NL assertions): <paramref name="name"/> (an alias or a
    /// model id), else the catalog's <c>judge</c> alias, else none.
    /// </summary>
    public static (string Alias, string Model)? Resolve(string? name, Catalog catalog)
    {
        var alias = name ?? (catalog.Aliases.ContainsKey("judge") ? "judge" : null);
        if (alias is null) return null;
        return (alias, catalog.Aliases.TryGetValue(alias, out var a) ? a.Model
            : catalog.Models.ContainsKey(alias) ? alias
            : throw new UserError($"{catalog.SourcePath}: --judge '{alias}' is neither an alias nor a model of the catalog; add \"judge\": \"<model id>\" to $.aliases or name a model."));
    }

    public static string Prompt(string question, string gold, string prediction) =>
        $"Question: {question}\n\nStudent answer: {prediction}\n\nReference answer: {gold}\n\n" +
        "Take the reference answer as correct. If the student answer matches it, output <correct>True</correct>; " +
        "if it does not match, output <correct>False</correct>.";

    /// <summary>The reference's reading: <c>reply.split('&lt;correct&gt;')[-1].split('&lt;/correct&gt;')[0].lower() == 'true'</c>.</summary>
    public static bool Parse(string reply)
    {
        var at = reply.LastIndexOf("<correct>", StringComparison.Ordinal);
        var rest = at < 0 ? reply : reply[(at + "<correct>".Length)..];
        var end = rest.IndexOf("</correct>", StringComparison.Ordinal);
        return string.Equals(end < 0 ? rest : rest[..end], "true", StringComparison.OrdinalIgnoreCase);
    }

    public static string CacheKey(string judgeModel, string question, string gold, string prediction)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', judgeModel, question, gold, prediction)));
        return Convert.ToHexStringLower(bytes);
    }

    /// <param name="account">Money the judge's call must also fit (a training run's spend cap); null for none.</param>
    public async Task<JudgeOutcome> JudgeAsync(string question, string gold, string prediction, CancellationToken ct, ISpendAccount? account = null)
    {
        var key = CacheKey(model.Id, question, gold, prediction);
        if (await store.FindVerdictAsync(key, ct).ConfigureAwait(false) is { } cached)
            return new JudgeOutcome(cached.Correct, 0m, true, cached.Raw);
        var ledger = new Ledger(account: account);
        var options = new LedgerScope(ledger, 0, CallKind.Expert, "judge", alias).Apply(new ChatOptions { Temperature = 1f });
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt(question, gold, prediction))], options, ct).ConfigureAwait(false);
        var raw = response.Text;
        var correct = Parse(raw);
        await store.SaveVerdictAsync(new JudgeVerdict(key, correct, model.Id, ledger.CostUsd, raw), ct).ConfigureAwait(false);
        return new JudgeOutcome(correct, ledger.CostUsd, false, raw, ledger.PaidUsd);
    }
}
