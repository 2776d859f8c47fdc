using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using ExcelDataReader;
using Word = DocumentFormat.OpenXml.Wordprocessing;
using Drawing = DocumentFormat.OpenXml.Drawing;
using Slides = DocumentFormat.OpenXml.Presentation;

namespace ToolOrchestra.Tools.Files;

/// <summary>
/// The text of Office files: Word paragraphs and tables (cells joined by <c>|</c>), PowerPoint slides in order, and every
/// sheet of a workbook (xlsx or the old binary xls) as comma-separated rows of cell values. Parts are read with a size
/// cap, so a zip bomb stops with an error rather than filling memory.
/// </summary>
internal static class OfficeText
{
    static OfficeText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance); // xls stores text in code pages

    public static void Docx(Stream file, BoundedText text, AttachmentLimits limits, CancellationToken ct)
    {
        using var doc = WordprocessingDocument.Open(file, false, Settings(limits));
        var body = doc.MainDocumentPart?.Document?.Body;
        if (body is null) return;
        foreach (var element in body.Elements())
        {
            ct.ThrowIfCancellationRequested();
            if (text.Full) return;
            switch (element)
            {
                case Word.Paragraph p:
                    text.Line(p.InnerText);
                    break;
                case Word.Table table:
                    foreach (var row in table.Elements<Word.TableRow>())
                        text.Line(string.Join(" | ", row.Elements<Word.TableCell>().Select(c => c.InnerText)));
                    break;
            }
        }
    }

    public static void Pptx(Stream file, BoundedText text, AttachmentLimits limits, CancellationToken ct)
    {
        using var doc = PresentationDocument.Open(file, false, Settings(limits));
        var part = doc.PresentationPart;
        var ids = part?.Presentation?.SlideIdList?.Elements<Slides.SlideId>().ToList() ?? [];
        for (var i = 0; i < ids.Count && !text.Full; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (ids[i].RelationshipId?.Value is not { } rel || part!.GetPartById(rel) is not SlidePart slide) continue;
            text.Line($"## Slide {i + 1}");
            foreach (var paragraph in slide.Slide?.Descendants<Drawing.Paragraph>() ?? [])
                if (string.Concat(paragraph.Descendants<Drawing.Text>().Select(t => t.Text)) is { Length: > 0 } line) text.Line(line);
        }
    }

    /// <summary>Every sheet: a <c>## Sheet: NAME</c> heading, then one line per row (trailing empty cells dropped).</summary>
    public static void Workbook(Stream file, BoundedText text, CancellationToken ct)
    {
        using var reader = ExcelReaderFactory.CreateReader(file);
        do
        {
            text.Line($"## Sheet: {reader.Name}");
            while (!text.Full && reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                var cells = new string[reader.FieldCount];
                for (var i = 0; i < cells.Length; i++) cells[i] = Cell(reader.GetValue(i));
                var used = cells.Length;
                while (used > 0 && cells[used - 1].Length == 0) used--;
                text.Line(string.Join(",", cells.Take(used)));
            }
        } while (!text.Full && reader.NextResult());
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static OpenSettings Settings(AttachmentLimits limits) => new() { MaxCharactersInPart = limits.MaxPartChars, AutoSave = false };
}
