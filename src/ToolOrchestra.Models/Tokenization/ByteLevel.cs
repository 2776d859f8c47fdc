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

    /// <summary>The vocabulary spelling of a piece of text: its UTF-8 bytes in the byte-level alphabet.</summary>
    public static string ToAlphabet(ReadOnlySpan<char> text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        return string.Create(bytes.Length, bytes, static (chars, b) =>
        {
            for (var i = 0; i < b.Length; i++) chars[i] = ByteToChar[b[i]];
        });
    }
}
