using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using Drawing = DocumentFormat.OpenXml.Drawing;
using P = DocumentFormat.OpenXml.Presentation;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace ToolOrchestra.Testing;

/// <summary>
/// Real files of every kind a GAIA task attaches, written at test time around a marker text: Office files through the
/// Open XML SDK, a PDF written object by object with a correct xref table, a PNG with a text chunk, a WAV with an INFO
/// tag. <see cref="Write"/> returns each file's name.
/// </summary>
public static class AttachmentSamples
{
    /// <summary>The extensions <see cref="Write"/> knows.</summary>
    public static readonly string[] Extensions = ["txt", "csv", "json", "jsonl", "xml", "py", "md", "xlsx", "docx", "pptx", "pdf", "png", "wav"];

    /// <summary>Writes <c>{stem}.{extension}</c> holding <paramref name="marker"/> (ASCII, no spaces) into <paramref name="dir"/>.</summary>
    public static string Write(string dir, string stem, string extension, string marker)
    {
        var name = $"{stem}.{extension}";
        var path = Path.Combine(dir, name);
        switch (extension)
        {
            case "txt": File.WriteAllText(path, $"Notes\nThe code is {marker}.\n"); break;
            case "csv": File.WriteAllText(path, $"name,value\ncode,{marker}\n"); break;
            case "json": File.WriteAllText(path, $$"""{"code": "{{marker}}"}"""); break;
            case "jsonl": File.WriteAllText(path, $$"""{"i": 1}""" + "\n" + $$"""{"code": "{{marker}}"}""" + "\n"); break;
            case "xml": File.WriteAllText(path, $"<root><code>{marker}</code></root>"); break;
            case "py": File.WriteAllText(path, $"print('{marker}')\n"); break;
            case "md": File.WriteAllText(path, $"# Title\n\nThe code is **{marker}**.\n"); break;
            case "xlsx": Xlsx(path, marker); break;
            case "docx": Docx(path, marker); break;
            case "pptx": Pptx(path, marker); break;
            case "pdf": File.WriteAllBytes(path, Pdf($"The code is {marker}")); break;
            case "png": File.WriteAllBytes(path, Png(marker)); break;
            case "wav": File.WriteAllBytes(path, Wav(marker)); break;
            default: throw new ArgumentException($"no sample for '{extension}'");
        }
        return name;
    }

    private static void Xlsx(string path, string marker)
    {
        using var doc = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = doc.AddWorkbookPart();
        workbook.Workbook = new S.Workbook();
        var strings = workbook.AddNewPart<SharedStringTablePart>();
        strings.SharedStringTable = new S.SharedStringTable(new S.SharedStringItem(new S.Text("code")), new S.SharedStringItem(new S.Text(marker)));
        var sheet = workbook.AddNewPart<WorksheetPart>();
        sheet.Worksheet = new S.Worksheet(new S.SheetData(
            new S.Row(new S.Cell { CellReference = "A1", DataType = S.CellValues.SharedString, CellValue = new S.CellValue("0") },
                      new S.Cell { CellReference = "B1", DataType = S.CellValues.SharedString, CellValue = new S.CellValue("1") }) { RowIndex = 1 },
            new S.Row(new S.Cell { CellReference = "A2", CellValue = new S.CellValue("42.5") }) { RowIndex = 2 }));
        workbook.Workbook.AppendChild(new S.Sheets(new S.Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = "Data" }));
    }

    private static void Docx(string path, string marker)
    {
        using var doc = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = doc.AddMainDocumentPart();
        main.Document = new W.Document(new W.Body(
            new W.Paragraph(new W.Run(new W.Text("Report"))),
            new W.Table(new W.TableRow(new W.TableCell(new W.Paragraph(new W.Run(new W.Text("code")))),
                                       new W.TableCell(new W.Paragraph(new W.Run(new W.Text(marker))))))));
    }

    private static void Pptx(string path, string marker)
    {
        using var doc = PresentationDocument.Create(path, PresentationDocumentType.Presentation);
        var presentation = doc.AddPresentationPart();
        var ids = new P.SlideIdList();
        presentation.Presentation = new P.Presentation(ids);
        uint id = 256;
        foreach (var line in new[] { "Agenda", $"The code is {marker}" })
        {
            var slide = presentation.AddNewPart<SlidePart>();
            slide.Slide = new P.Slide(new P.CommonSlideData(new P.ShapeTree(
                new P.NonVisualGroupShapeProperties(new P.NonVisualDrawingProperties { Id = 1, Name = "" }, new P.NonVisualGroupShapeDrawingProperties(), new P.ApplicationNonVisualDrawingProperties()),
                new P.GroupShapeProperties(),
                new P.Shape(
                    new P.NonVisualShapeProperties(new P.NonVisualDrawingProperties { Id = 2, Name = "Body" }, new P.NonVisualShapeDrawingProperties(), new P.ApplicationNonVisualDrawingProperties()),
                    new P.ShapeProperties(),
                    new P.TextBody(new Drawing.BodyProperties(), new Drawing.Paragraph(new Drawing.Run(new Drawing.Text(line))))))));
            ids.Append(new P.SlideId { Id = id++, RelationshipId = presentation.GetIdOfPart(slide) });
        }
    }

    /// <summary>A one-page PDF (Helvetica, one line of text) with a correct cross-reference table.</summary>
    public static byte[] Pdf(string line)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({line}) Tj ET";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets) pdf.Append($"{o:D10} 00000 n \n");
        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>A 1x1 grey PNG with a <c>tEXt</c> chunk "Comment" holding <paramref name="marker"/>.</summary>
    public static byte[] Png(string marker)
    {
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1);
        header[8] = 8; // bit depth; colour type 0 (grey)
        Chunk(png, "IHDR", header);
        Chunk(png, "tEXt", Encoding.Latin1.GetBytes($"Comment\0The code is {marker}"));
        var pixels = new MemoryStream();
        using (var z = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true)) z.Write([0, 128]);
        Chunk(png, "IDAT", pixels.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Half a second of 8 kHz mono 16-bit silence with an INFO title tag holding <paramref name="marker"/>.</summary>
    public static byte[] Wav(string marker)
    {
        var title = Encoding.ASCII.GetBytes($"The code is {marker}\0");
        if (title.Length % 2 == 1) title = [.. title, 0];
        var info = new MemoryStream();
        info.Write("INFO"u8);
        info.Write("INAM"u8);
        info.Write(BitConverter.GetBytes((uint)title.Length));
        info.Write(title);
        var samples = new byte[8000];
        var wav = new MemoryStream();
        var w = new BinaryWriter(wav);
        w.Write("RIFF"u8);
        w.Write((uint)(4 + 8 + 16 + 8 + info.Length + 8 + samples.Length));
        w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16u); w.Write((ushort)1); w.Write((ushort)1); w.Write(8000u); w.Write(16000u); w.Write((ushort)2); w.Write((ushort)16);
        w.Write("LIST"u8); w.Write((uint)info.Length); w.Write(info.ToArray());
        w.Write("data"u8); w.Write((uint)samples.Length); w.Write(samples);
        w.Flush();
        return wav.ToArray();
    }
}
