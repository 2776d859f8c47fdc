using System.Text;
using System.Text.Json;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>One corpus document as the index stores it; <see cref="Line"/> is its 1-based line in the corpus file.</summary>
public sealed record CorpusDocument(string Id, string Contents, long Line = 0);

/// <summary>A corpus line that could not be used, with its 1-based line number and why.</summary>
public sealed record BadCorpusLine(long Line, string Reason);

/// <summary>
/// Streams a JSONL corpus in the reference's shapes: <c>{"id", "contents"}</c>, with <c>content</c> or
/// <c>text</c> (plus an optional <c>title</c>) accepted for the text, and ids given as strings or numbers.
/// Blank lines are skipped; unusable lines are reported through <see cref="Bad"/> and do not stop the read.
/// </summary>
public sealed class CorpusReader(Stream stream, string name) : IDisposable
{
    private static readonly string[] TextFields = ["contents", "content", "text"];

    public string Name => name;

    /// <summary>Bytes consumed so far (for progress); approximate because of buffering.</summary>
    public long Position => stream.CanSeek ? stream.Position : 0;

    public long? Length => stream.CanSeek ? stream.Length : null;

    public Action<BadCorpusLine>? Bad { get; init; }

    public static CorpusReader Open(string path, Action<BadCorpusLine>? bad = null)
    {
        if (!File.Exists(path))
            throw new ToolOrchestra.Core.UserError($"{path}: corpus file not found. Give a JSONL file with one {{\"id\", \"contents\"}} object per line.");
        return new CorpusReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), path) { Bad = bad };
    }

    public IEnumerable<CorpusDocument> Documents(CancellationToken ct = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if ((lineNumber & 1023) == 0) ct.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(line)) continue;
            var (doc, reason) = Parse(line);
            if (doc is not null) yield return doc with { Line = lineNumber };
            else Bad?.Invoke(new BadCorpusLine(lineNumber, reason!));
        }
    }

    public void Dispose() => stream.Dispose();

    /// <summary>Parses one line; returns the document or why the line is unusable.</summary>
    public static (CorpusDocument? Doc, string? Reason) Parse(string line)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON ({FirstSentence(e.Message)})");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "expected a JSON object");

            string? id = null;
            if (root.TryGetProperty("id", out var idElement))
                id = idElement.ValueKind switch
                {
                    JsonValueKind.String => idElement.GetString(),
                    JsonValueKind.Number => idElement.GetRawText(),
                    _ => null,
                };
            if (string.IsNullOrEmpty(id)) return (null, "missing 'id' (a string or a number)");

            string? text = null;
            foreach (var field in TextFields)
                if (root.TryGetProperty(field, out var t) && t.ValueKind == JsonValueKind.String)
                {
                    text = t.GetString();
                    break;
                }
            if (string.IsNullOrWhiteSpace(text)) return (null, $"document '{id}' has no text: expected a string field 'contents', 'content' or 'text'");
            if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String
                && !root.TryGetProperty("contents", out _) && title.GetString() is { Length: > 0 } titleText)
                text = titleText + "\n" + text;
            return (new CorpusDocument(id, text), null);
        }
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }
}
