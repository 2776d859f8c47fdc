using System.Text;

namespace ToolOrchestra.Tools.Files;

/// <summary>
/// Text gathered up to a cap: extractors append until <see cref="Full"/> and stop, so a huge document never becomes a
/// huge string. <see cref="Truncated"/> says whether anything was left out.
/// </summary>
public sealed class BoundedText(int maxChars)
{
    private readonly StringBuilder _text = new();

    public bool Full => _text.Length >= maxChars;
    public bool Truncated { get; private set; }
    public int Length => _text.Length;

    public BoundedText Append(string? text)
    {
        if (string.IsNullOrEmpty(text)) return this;
        var room = maxChars - _text.Length;
        if (text.Length > room)
        {
            Truncated = true;
            if (room > 0) _text.Append(text.AsSpan(0, room));
        }
        else _text.Append(text);
        return this;
    }

    public BoundedText Line(string? text = null) => Append(text).Append("\n");

    public override string ToString() => _text.ToString();
}
