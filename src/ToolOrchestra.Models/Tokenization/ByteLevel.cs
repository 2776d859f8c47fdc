namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The byte-level alphabet of GPT-2-style BPE vocabularies: every byte is stored as one printable character
/// (printable Latin-1 bytes as themselves, the other 68 bytes as U+0100 onwards), so vocabulary entries are
/// strings over 256 characters.
/// </summary>
internal static class ByteLevel
{
    private static readonly char[] ByteToChar = new char[256];
    private static readonly short[] CharToByte = new short[0x200];

    static ByteLevel()
    {
        Array.Fill(CharToByte, (short)-1);
        var next = 0x100;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            var c = printable ? (char)b : (char)next++;
            ByteToChar[b] = c;
            CharToByte[c] = (short)b;
        }
    }

    public static char CharOf(byte b) => ByteToChar[b];

    /// <summary>Appends the bytes a vocabulary string stands for; false when it has a character outside the alphabet.</summary>
    public static bool TryAppendBytes(string token, List<byte> into)
    {
        foreach (var c in token)
        {
            if (c >= CharToByte.Length || CharToByte[c] < 0) return false;
            into.Add((byte)CharToByte[c]);
        }
        return true;
    }

    /// <summary>Writes the bytes a vocabulary string stands for (one per character); false when one is outside the alphabet.</summary>
    public static bool TryGetBytes(ReadOnlySpan<char> token, Span<byte> into)
    {
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c >= CharToByte.Length || CharToByte[c] < 0) return false;
            into[i] = (byte)CharToByte[c];
        }
        return true;
    }

    /// <summary>
    /// Like <see cref="TryGetBytes"/> but from the UTF-8 spelling of a vocabulary string (as it sits unescaped in
    /// tokenizer.json): every alphabet character is one or two UTF-8 bytes.
    /// </summary>
    public static bool TryGetBytesFromUtf8(ReadOnlySpan<byte> utf8, Span<byte> into, out int length)
    {
        length = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            int c = utf8[i];
            if (c >= 0x80)
            {
                if ((c & 0xE0) != 0xC0 || i + 1 >= utf8.Length) return false;
                c = ((c & 0x1F) << 6) | (utf8[++i] & 0x3F);
            }
            if (c >= CharToByte.Length || CharToByte[c] < 0) return false;
            into[length++] = (byte)CharToByte[c];
        }
        return true;
    }

    /// <summary>The vocabulary spelling of some bytes: one alphabet character per byte.</summary>
    public static string ToAlphabet(ReadOnlySpan<byte> bytes)
    {
        var chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }
}
