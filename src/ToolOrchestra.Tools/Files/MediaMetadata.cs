using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ToolOrchestra.Tools.Files;

/// <summary>
/// What can be told about an image or a sound without a vision or speech model: its format, size and, where the file
/// carries text, that text (PNG text chunks, JPEG comments, WAV INFO tags, MP3 ID3 frames including lyrics). Pixels
/// are not described or OCR'd and speech is not transcribed; the observation says so.
/// </summary>
internal static class MediaMetadata
{
    public const string ImageNote = "Note: the image's pixels are not described and no OCR is run; only its metadata and embedded text are shown.";
    public const string AudioNote = "Note: the audio is not transcribed; only its format, duration and embedded tags are shown.";

    public static void Image(byte[] data, BoundedText text)
    {
        if (data.Length >= 24 && data.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) Png(data, text);
        else if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8) Jpeg(data, text);
        else if (data.Length >= 10 && Encoding.ASCII.GetString(data, 0, 4) == "GIF8")
            text.Line($"Format: GIF, {BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(6))}x{BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8))} pixels");
        else if (data.Length >= 26 && data[0] == 'B' && data[1] == 'M')
            text.Line($"Format: BMP, {BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(18))}x{Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(22)))} pixels");
        else if (data.Length >= 12 && Encoding.ASCII.GetString(data, 0, 4) == "RIFF" && Encoding.ASCII.GetString(data, 8, 4) == "WEBP")
            text.Line("Format: WebP");
        else text.Line("Format: not recognised from its header.");
        text.Line($"Size: {data.Length} bytes").Line(ImageNote);
    }

    private static void Png(byte[] data, BoundedText text)
    {
        text.Line($"Format: PNG, {BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(16))}x{BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(20))} pixels");
        for (var at = 8; at + 12 <= data.Length && !text.Full;)
        {
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at)), (uint)(data.Length - at - 12));
            var type = Encoding.ASCII.GetString(data, at + 4, 4);
            var body = data.AsSpan(at + 8, length);
            var nul = body.IndexOf((byte)0);
            if (nul > 0)
            {
                var keyword = Encoding.Latin1.GetString(body[..nul]);
                var rest = body[(nul + 1)..];
                string? value = type switch
                {
                    "tEXt" => Encoding.Latin1.GetString(rest),
                    "zTXt" when rest.Length > 1 => Encoding.Latin1.GetString(Inflate(rest[1..])),
                    "iTXt" when rest.Length > 2 => InternationalText(rest),
                    _ => null,
                };
                if (value is not null) text.Line($"Text ({keyword}): {value}");
            }
            if (type == "IEND") break;
            at += 12 + length;
        }
    }

    private static string? InternationalText(ReadOnlySpan<byte> rest)
    {
        var compressed = rest[0] == 1;
        var afterLanguage = rest[2..];
        var skip = afterLanguage.IndexOf((byte)0);
        if (skip < 0) return null;
        var afterTranslated = afterLanguage[(skip + 1)..];
        skip = afterTranslated.IndexOf((byte)0);
        if (skip < 0) return null;
        var value = afterTranslated[(skip + 1)..];
        return Encoding.UTF8.GetString(compressed ? Inflate(value) : value);
    }

    /// <summary>zlib data inflated to at most 1 MiB (a compressed text chunk cannot balloon).</summary>
    private static byte[] Inflate(ReadOnlySpan<byte> zlib)
    {
        using var input = new ZLibStream(new MemoryStream(zlib.ToArray()), CompressionMode.Decompress);
        var buffer = new byte[1 << 20];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = input.Read(buffer, total, buffer.Length - total)) > 0) total += read;
        return buffer[..total];
    }

    private static void Jpeg(byte[] data, BoundedText text)
    {
        var dimensions = "";
        var comments = new List<string>();
        for (var at = 2; at + 4 <= data.Length && data[at] == 0xFF;)
        {
            var marker = data[at + 1];
            if (marker is 0xD9 or 0xDA) break; // end of image, start of scan: no more headers
            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at + 2));
            if (length < 2 || at + 2 + length > data.Length) break;
            var body = data.AsSpan(at + 4, length - 2);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && body.Length >= 5)
                dimensions = $", {BinaryPrimitives.ReadUInt16BigEndian(body[3..])}x{BinaryPrimitives.ReadUInt16BigEndian(body[1..])} pixels";
            else if (marker == 0xFE) comments.Add(Encoding.UTF8.GetString(body));
            else if (marker == 0xE1 && body.StartsWith("Exif\0"u8)) comments.Add("(EXIF metadata present)");
            at += 2 + length;
        }
        text.Line($"Format: JPEG{dimensions}");
        foreach (var comment in comments) text.Line($"Comment: {comment}");
    }

    public static void Audio(byte[] data, string extension, BoundedText text)
    {
        if (data.Length >= 12 && Encoding.ASCII.GetString(data, 0, 4) == "RIFF" && Encoding.ASCII.GetString(data, 8, 4) == "WAVE") Wav(data, text);
        else if (data.Length >= 10 && Encoding.ASCII.GetString(data, 0, 3) == "ID3") { text.Line("Format: MP3 (ID3 tagged)"); Id3(data, text); }
        else text.Line($"Format: {extension.TrimStart('.').ToUpperInvariant()} (no tags read for this format)");
        text.Line($"Size: {data.Length} bytes").Line(AudioNote);
    }

    private static void Wav(byte[] data, BoundedText text)
    {
        int channels = 0, rate = 0, bits = 0, byteRate = 0;
        long dataBytes = 0;
        for (var at = 12; at + 8 <= data.Length;)
        {
            var id = Encoding.ASCII.GetString(data, at, 4);
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4)), (uint)(data.Length - at - 8));
            var body = data.AsSpan(at + 8, size);
            if (id == "fmt " && size >= 16)
            {
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                byteRate = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
            }
            else if (id == "data") dataBytes = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at + 4));
            else if (id == "LIST" && size >= 4 && Encoding.ASCII.GetString(body[..4]) == "INFO")
                for (var tag = 4; tag + 8 <= size;)
                {
                    var tagSize = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body[(tag + 4)..]), (uint)(size - tag - 8));
                    text.Line($"Tag {Encoding.ASCII.GetString(body.Slice(tag, 4))}: {Encoding.UTF8.GetString(body.Slice(tag + 8, tagSize)).TrimEnd('\0')}");
                    tag += 8 + tagSize + (tagSize & 1);
                }
            at += 8 + size + (size & 1);
        }
        var seconds = byteRate > 0 ? (dataBytes / (double)byteRate).ToString("0.###", CultureInfo.InvariantCulture) + " s" : "unknown";
        text.Line($"Format: WAV, {channels} channel(s), {rate} Hz, {bits} bits, duration {seconds}");
    }

    private static void Id3(byte[] data, BoundedText text)
    {
        var major = data[3];
        var size = Syncsafe(data.AsSpan(6));
        var end = Math.Min(data.Length, 10 + size);
        for (var at = 10; at + 10 <= end && data[at] != 0 && !text.Full;)
        {
            var id = Encoding.ASCII.GetString(data, at, 4);
            var frameSize = major >= 4 ? Syncsafe(data.AsSpan(at + 4)) : (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at + 4));
            if (frameSize <= 0 || at + 10 + frameSize > end) break;
            var body = data.AsSpan(at + 10, frameSize);
            if (id[0] == 'T' && id != "TXXX") text.Line($"Tag {id}: {Decode(body[0], body[1..])}");
            else if (id is "COMM" or "USLT" && body.Length > 4)
            {
                var rest = Decode(body[0], body[4..]);
                var split = rest.IndexOf('\0');
                text.Line($"{(id == "USLT" ? "Lyrics" : "Comment")}: {(split >= 0 ? rest[(split + 1)..] : rest)}");
            }
            at += 10 + frameSize;
        }
    }

    private static int Syncsafe(ReadOnlySpan<byte> b) => (b[0] & 0x7F) << 21 | (b[1] & 0x7F) << 14 | (b[2] & 0x7F) << 7 | (b[3] & 0x7F);

    private static string Decode(byte encoding, ReadOnlySpan<byte> bytes) => (encoding switch
    {
        1 => bytes.Length >= 2 && bytes[0] == 0xFE ? Encoding.BigEndianUnicode.GetString(bytes[2..]) : Encoding.Unicode.GetString(bytes.Length >= 2 && bytes[0] == 0xFF ? bytes[2..] : bytes),
        2 => Encoding.BigEndianUnicode.GetString(bytes),
        3 => Encoding.UTF8.GetString(bytes),
        _ => Encoding.Latin1.GetString(bytes),
    }).TrimEnd('\0');
}
