using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;

namespace ToolOrchestra.Tools.Files;

/// <summary>
/// <c>read_file</c>: the text of the file attached to the current task (GAIA's spreadsheets, documents, slides, PDFs,
/// code, images, audio). The file is the one <see cref="TaskAttachments"/> holds for the episode, never a path the model
/// names, so no other file can be reached. A file over <see cref="AttachmentLimits.MaxFileBytes"/> is refused unread,
/// the text is cut at <see cref="AttachmentLimits.MaxChars"/> (the model pages on with <c>offset</c>), extraction is
/// abandoned after <see cref="AttachmentLimits.TimeoutSeconds"/>, and a broken file is an observation, never an
/// exception. Priced per call by the catalog's <c>tool_prices.per_tool.read_file</c> (free when absent).
/// </summary>
public sealed class ReadFileTool(TaskAttachments attachments, AttachmentLimits? limits = null) : IOrchestratorTool
{
    public const string ToolName = "read_file";
    private readonly AttachmentLimits _limits = limits ?? AttachmentLimits.Default;

    public string Name => ToolName;

    public AIFunctionDeclaration? Declare(ToolOffer offer)
    {
        var schema = JsonSerializer.SerializeToElement(new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["file_name"] = new JsonObject { ["type"] = "string", ["description"] = "The attached file's name as the problem gives it (optional: the task has one file)." },
                ["offset"] = new JsonObject { ["type"] = "integer", ["description"] = $"Character to start from, to read on past the first {_limits.MaxChars} characters (default 0)." },
            },
        }, OrchestraJsonContext.Default.JsonNode);
        // The catalog's tool_descriptions.read_file.description rewords it, as for every tool.
        return AIFunctionFactory.CreateDeclaration(ToolName, offer.Catalog.DescriptionFor(ToolName)?.Description ??
            "Read the file attached to the problem: the text of txt, csv, json, jsonl, xml, py, md, xlsx/xls (every sheet), docx, pptx and pdf files, "
            + "the member list of a zip, and the format, size and any embedded text of images and audio. " + AttachmentText.Unsupported, schema);
    }

    public async Task<ToolOutput> InvokeAsync(ToolInvocation invocation, CancellationToken ct)
    {
        var context = invocation.Context;
        if (attachments.For(context.EpisodeId) is not { } attachment) return ToolOutput.Failed("This problem has no attached file.");
        if (invocation.String("file_name") is { Length: > 0 } asked && !string.Equals(asked.Trim(), attachment.Name, StringComparison.Ordinal))
            return ToolOutput.Failed($"Only the problem's attached file '{attachment.Name}' can be read, not '{asked}'.");
        var offset = invocation.Arguments.ValueKind == JsonValueKind.Object && invocation.Arguments.TryGetProperty("offset", out var o) && o.TryGetInt32(out var n) ? Math.Max(0, n) : 0;

        var price = context.Catalog.ToolPrices.PerTool?.GetValueOrDefault(ToolName) ?? 0m;
        using var hold = await context.Ledger.HoldAsync(price, ct).ConfigureAwait(false);
        var started = context.Clock.GetTimestamp();
        var output = await ReadAsync(attachment, offset, ct).ConfigureAwait(false);
        context.Ledger.Record(new LedgerEntry(context.Turn, CallKind.Tool, ToolName, null, null, 0, 0, price, context.Clock.GetElapsedTime(started).TotalSeconds));
        return output;
    }

    /// <summary>The observation for <paramref name="attachment"/> from character <paramref name="offset"/>.</summary>
    public async Task<ToolOutput> ReadAsync(Attachment attachment, int offset, CancellationToken ct)
    {
        var info = new FileInfo(attachment.Path);
        if (!info.Exists) return ToolOutput.Failed($"The attached file '{attachment.Name}' is missing.");
        if (info.Length > _limits.MaxFileBytes)
            return ToolOutput.Failed($"The attached file '{attachment.Name}' has {info.Length} bytes; at most {_limits.MaxFileBytes} are read.");
        if (AttachmentText.Kind(attachment.Name) is not { } kind)
            return ToolOutput.Failed($"'{attachment.Name}' cannot be read. {AttachmentText.Unsupported}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var wanted = (int)Math.Min(int.MaxValue, (long)offset + _limits.MaxChars);
        // The parsers are synchronous: run on the pool and stop waiting at the time cap (they check the token between pages and rows).
        var extraction = Task.Run(() => AttachmentText.Extract(attachment.Path, attachment.Name, _limits, wanted, stop.Token), stop.Token);
        BoundedText text;
        try
        {
            text = await extraction.WaitAsync(TimeSpan.FromSeconds(_limits.TimeoutSeconds), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _ = extraction.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return ToolOutput.Failed($"Reading '{attachment.Name}' took longer than {_limits.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s and was stopped.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ToolOutput.Failed($"The attached file '{attachment.Name}' could not be read as {kind}: {Describe(e)}");
        }
        var all = text.ToString();
        if (offset >= all.Length && offset > 0) return ToolOutput.Failed($"'{attachment.Name}' has {all.Length} characters of text; offset {offset} is past its end.");
        var shown = all[offset..];
        var header = $"File: {attachment.Name} ({kind}, {info.Length} bytes)";
        var tail = text.Truncated ? $"\n[cut: characters {offset}-{all.Length} shown; call read_file with offset {all.Length} for more]" : "";
        return new ToolOutput($"{header}\n{(shown.Length == 0 ? "(no text)" : shown)}{tail}");
    }

    private static string Describe(Exception e)
    {
        var inner = e is AggregateException { InnerException: { } i } ? i : e;
        return inner.Message.Length > 300 ? inner.Message[..300] + "…" : inner.Message;
    }
}
