using System.Text;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Runtime.Qa;

/// <summary>Code an expert wrote and what it printed.</summary>
public sealed record CodeBlock(string Code, string Output);

/// <summary>How much context the orchestrator sees each turn (reference §3; defaults are the training settings).</summary>
public sealed record OrchestratorContextLimits(int DocChars = 4000, int CodeTokens = 16000, int ContextTokens = 24000);

/// <summary>
/// What an episode has gathered: retrieved documents (no duplicates) and code with its outputs. Renders the context
/// string for the orchestrator and, with the expert's own limits, for each expert: documents cut to a number of
/// characters, the code part cut to its last N tokens (marked with a leading fence when cut), the whole cut to
/// its last (limit − tokens of the problem) tokens.
/// </summary>
public sealed class QaContext(ITokenCounter tokens)
{
    private readonly List<string> _documents = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<CodeBlock> _code = [];

    public IReadOnlyList<string> Documents => _documents;
    public IReadOnlyList<CodeBlock> Code => _code;

    /// <summary>Adds new documents, skipping ones already present; returns how many were new.</summary>
    public int AddDocuments(IEnumerable<string> documents)
    {
        var added = 0;
        foreach (var d in documents)
            if (_seen.Add(d)) { _documents.Add(d); added++; }
        return added;
    }

    /// <summary>
    /// The training rollout's <c>merge_documents</c>: with fewer documents held than found, the found ones are appended,
    /// duplicates included; otherwise each found one is followed by the next len(held)/len(found) held ones (anything
    /// already merged skipped) and the held rest is appended as is. Returns how many documents the context gained.
    /// </summary>
    public int MergeDocuments(IReadOnlyList<string> found)
    {
        if (found.Count == 0) return 0;
        var before = _documents.Count;
        List<string> merged;
        if (_documents.Count < found.Count) merged = [.. _documents, .. found];
        else
        {
            merged = [];
            var multiple = _documents.Count / found.Count;
            for (var i = 0; i < found.Count; i++)
            {
                if (!merged.Contains(found[i])) merged.Add(found[i]);
                for (var j = i * multiple; j < (i + 1) * multiple; j++)
                    if (!merged.Contains(_documents[j])) merged.Add(_documents[j]);
            }
            merged.AddRange(_documents.Skip(multiple * found.Count));
        }
        _documents.Clear();
        _documents.AddRange(merged);
        foreach (var d in found) _seen.Add(d);
        return _documents.Count - before;
    }

    public void AddCode(string code, string output) => _code.Add(new CodeBlock(code, output));

    public string ForOrchestrator(string problem, OrchestratorContextLimits limits) =>
        Render(problem, limits.DocChars, limits.CodeTokens, limits.ContextTokens, docEllipsis: true, codeHeader: "\npython code and execution outputs:\n");

    public string ForExpert(string problem, ExpertContextLimits limits) =>
        Render(problem, limits.DocChars, limits.CodeTokens, limits.ContextTokens, docEllipsis: false, codeHeader: "");

    /// <summary>The orchestrator's view under <paramref name="variant"/> (legacy: the limits given).</summary>
    public string ForOrchestrator(string problem, QaProtocolVariant variant, OrchestratorContextLimits? legacyLimits = null)
    {
        if (!variant.ReferenceAssembly)
        {
            var l = legacyLimits ?? new(variant.DocChars, variant.CodeTokens, variant.ContextTokens);
            return ForOrchestrator(problem, l);
        }
        var docs = DocumentsText(variant.DocChars, variant.Ellipsis);
        var (code, codeTokens) = ReferenceCode(variant.CodeTokens);
        var budget = variant.ContextTokens - (variant.ContextMinusProblem ? tokens.Count(problem) : 0);
        // The reference shows the code part alone when it is longer than the whole budget (before its own cut).
        if (codeTokens >= budget) return code;
        var body = variant.CodeHeader switch
        {
            CodeHeaderRule.Always => docs + CodeHeader + code,
            CodeHeaderRule.WhenCode when code.Length > 0 => docs + CodeHeader + code,
            _ => docs + code,
        };
        var kept = body.Length == 0 ? "" : tokens.KeepLast(body, Math.Max(0, budget));
        return docs.Length > 0 ? "Documents:\n" + kept : kept;
    }

    /// <summary>An expert's view under <paramref name="variant"/>: its limits, the reference's assembly when the variant uses it.</summary>
    public string ForExpert(string problem, ExpertContextLimits limits, QaProtocolVariant variant)
    {
        if (!variant.ReferenceAssembly) return ForExpert(problem, limits);
        var docs = DocumentsText(limits.DocChars, DocEllipsis.Never);
        var (code, _) = ReferenceCode(limits.CodeTokens);
        var budget = limits.ContextTokens - (variant.ExpertContextMinusProblem ? tokens.Count(problem) : 0);
        var body = docs + code;
        var kept = body.Length == 0 ? "" : tokens.KeepLast(body, Math.Max(0, budget));
        return docs.Length > 0 ? "Documents:\n" + kept : kept;
    }

    private const string CodeHeader = "\npython code and execution outputs:\n";

    private string DocumentsText(int? docChars, DocEllipsis ellipsis)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _documents.Count; i++)
        {
            var doc = _documents[i];
            var cut = docChars is { } max && doc.Length > max;
            if (cut) doc = doc[..docChars!.Value];
            var mark = ellipsis == DocEllipsis.Always || (cut && ellipsis == DocEllipsis.WhenCut) ? " ..." : "";
            sb.Append("Doc ").Append(i + 1).Append(": ").Append(doc).Append(mark).Append("\n\n");
        }
        return sb.ToString();
    }

    /// <summary>The code part kept to its last tokens, with a leading fence whenever the kept text lacks one; and its full length.</summary>
    private (string Text, int Tokens) ReferenceCode(int codeTokens)
    {
        if (_code.Count == 0) return ("", 0);
        var code = new StringBuilder();
        foreach (var block in _code)
            code.Append("```python\n").Append(block.Code).Append("\n```\n\n```output\n").Append(block.Output).Append("\n```\n\n");
        var text = code.ToString();
        var kept = tokens.KeepLast(text, codeTokens);
        if (kept.Length > 0 && !kept.StartsWith("```", StringComparison.Ordinal)) kept = "```\n" + kept;
        return (kept, tokens.Count(text));
    }

    private string Render(string problem, int? docChars, int codeTokens, int contextTokens, bool docEllipsis, string codeHeader)
    {
        var sb = new StringBuilder();
        if (_documents.Count > 0)
        {
            sb.Append("Documents:\n");
            for (var i = 0; i < _documents.Count; i++)
            {
                var doc = _documents[i];
                if (docChars is { } max && doc.Length > max) doc = doc[..max] + (docEllipsis ? " ..." : "");
                sb.Append("Doc ").Append(i + 1).Append(": ").Append(doc).Append("\n\n");
            }
        }
        if (_code.Count > 0)
        {
            var code = new StringBuilder();
            foreach (var block in _code)
                code.Append("```python\n").Append(block.Code).Append("\n```\n\n```output\n").Append(block.Output).Append("\n```\n\n");
            var codeText = code.ToString();
            var kept = tokens.KeepLast(codeText, codeTokens);
            if (kept.Length < codeText.Length) kept = "```\n" + kept;
            sb.Append(codeHeader).Append(kept);
        }
        var budget = Math.Max(0, contextTokens - tokens.Count(problem));
        return tokens.KeepLast(sb.ToString(), budget);
    }
}
