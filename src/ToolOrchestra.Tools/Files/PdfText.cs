using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace ToolOrchestra.Tools.Files;

/// <summary>A PDF's text page by page, in reading order (PdfPig's content-order extractor); scanned pages have none (no OCR).</summary>
internal static class PdfText
{
    public static void Read(byte[] pdf, BoundedText text, CancellationToken ct)
    {
        using var document = PdfDocument.Open(pdf);
        foreach (var page in document.GetPages())
        {
            ct.ThrowIfCancellationRequested();
            if (text.Full) return;
            text.Line($"## Page {page.Number}");
            text.Line(ContentOrderTextExtractor.GetText(page));
        }
    }
}
