using System.IO.Compression;
using System.Text;

namespace ToolOrchestra.Tools.Files;

/// <summary>
/// A file's text by its extension: plain text and code as is; xlsx/xls, docx, pptx and pdf extracted; zip archives
/// listed; images and audio as metadata plus embedded text (<see cref="MediaMetadata"/>). An unknown extension is read
/// as text when it decodes as UTF-8, else refused. The old binary .doc and .ppt, video, OCR and transcription are not
/// supported (<see cref="Unsupported"/>).
/// </summary>
internal static class AttachmentText
{
    public const string Unsupported = "Not supported: old binary .doc/.ppt files, video, reading the content of images (no OCR or vision) and of speech (no transcription).";

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".md", ".py", ".csv", ".tsv", ".json", ".jsonl", ".jsonld", ".xml", ".html", ".htm", ".yaml", ".yml", ".log",
        ".js", ".ts", ".css", ".c", ".h", ".cpp", ".cs", ".java", ".rb", ".go", ".rs", ".r", ".sql", ".sh", ".tex", ".ini", ".toml", ".pdb", ".srt",
    };
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp" };
    private static readonly HashSet<string> AudioExtensions = new(StringComparer.OrdinalIgnoreCase) { ".wav", ".mp3", ".m4a", ".flac", ".ogg", ".aac" };

    /// <summary>The kind of file as the observation names it, or null when it cannot be read.</summary>
    public static string? Kind(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        var e when TextExtensions.Contains(e) => "text",
        ".xlsx" or ".xlsm" or ".xls" => "spreadsheet",
        ".docx" => "Word document",
        ".pptx" => "PowerPoint presentation",
        ".pdf" => "PDF",
        ".zip" => "zip archive",
        var e when ImageExtensions.Contains(e) => "image",
        var e when AudioExtensions.Contains(e) => "audio",
        ".doc" or ".ppt" or ".mp4" or ".mov" or ".avi" or ".mkv" => null,
        _ => "file",
    };

    /// <summary>Up to <paramref name="maxChars"/> characters of the file's text.</summary>
    public static BoundedText Extract(string path, string name, AttachmentLimits limits, int maxChars, CancellationToken ct)
    {
        var text = new BoundedText(maxChars);
        var extension = Path.GetExtension(name).ToLowerInvariant();
        switch (Kind(name))
        {
            case "text":
                ReadText(path, text);
                break;
            case "spreadsheet":
                using (var file = File.OpenRead(path)) OfficeText.Workbook(file, text, ct);
                break;
            case "Word document":
                using (var file = File.OpenRead(path)) OfficeText.Docx(file, text, limits, ct);
                break;
            case "PowerPoint presentation":
                using (var file = File.OpenRead(path)) OfficeText.Pptx(file, text, limits, ct);
                break;
            case "PDF":
                PdfText.Read(File.ReadAllBytes(path), text, ct);
                break;
            case "zip archive":
                using (var zip = ZipFile.OpenRead(path))
                    foreach (var entry in zip.Entries) text.Line($"{entry.FullName} ({entry.Length} bytes)");
                text.Line("(the archive's members are listed, not extracted)");
                break;
            case "image":
                MediaMetadata.Image(File.ReadAllBytes(path), text);
                break;
            case "audio":
                MediaMetadata.Audio(File.ReadAllBytes(path), extension, text);
                break;
            case "file":
                if (!LooksLikeText(path)) throw new NotSupportedException($"'{extension}' files are not supported and this one is not text. {Unsupported}");
                ReadText(path, text);
                break;
            default:
                throw new NotSupportedException(Unsupported);
        }
        return text;
    }

    private static void ReadText(string path, BoundedText text)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[8192];
        int read;
        while (!text.Full && (read = reader.Read(buffer, 0, buffer.Length)) > 0) text.Append(new string(buffer, 0, read));
        if (text.Full && reader.Peek() >= 0) text.Append("…"); // marks the cut
    }

    private static bool LooksLikeText(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[4096];
        var n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (head.AsSpan(0, n).Contains((byte)0)) return false;
        try
        {
            // A multi-byte character cut at the end of the sample is not a reason to refuse.
            new UTF8Encoding(false, true).GetString(head, 0, Math.Max(0, n - 3));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
