using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace ToolOrchestra.Core.Text;

/// <summary>
/// Removes secrets from text before it is stored, logged, traced or shown: every value registered with
/// <see cref="Register"/> (the API keys a catalog's <c>api_key_env</c> variables resolve to, the Tavily key) and anything
/// shaped like one (<c>Bearer …</c>, <c>sk-…</c>, <c>tvly-…</c>). Upstream servers echo the key they were sent in
/// their error bodies (a 401 "Incorrect API key provided: …"), and error text travels into trajectories, stores,
/// replies, stderr and telemetry; redacting it where the text is made, and again where it is written, keeps keys out of
/// all of them. The registry is process-wide because the keys are: they come from the process environment.
/// </summary>
public static partial class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    // Shorter values ("EMPTY", "none") are placeholders that local servers ignore, not secrets, and would mangle text.
    private const int MinSecretLength = 8;

    private static ImmutableArray<string> _secrets = [];

    /// <summary>Remembers a configured secret value so that <see cref="Redact"/> removes it from any text.</summary>
    public static void Register(string? secret)
    {
        var value = secret?.Trim();
        if (value is null || value.Length < MinSecretLength || value == "not-needed") return;
        ImmutableInterlocked.Update(ref _secrets, s => s.Contains(value) ? s
            : s.Add(value).Sort((a, b) => b.Length.CompareTo(a.Length))); // longest first: a key that contains another goes whole
    }

    /// <summary>The text with every registered secret and every secret-shaped token replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        if (!MayHoldShapedSecret(text)) return text; // the common case: no regex pass over long trajectory lines
        text = Bearer().Replace(text, "${scheme} " + Mask);
        return KeyShaped().Replace(text, Mask);
    }

    /// <inheritdoc cref="Redact(string)"/>
    public static string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    private static bool MayHoldShapedSecret(string text) =>
        text.Contains("earer", StringComparison.OrdinalIgnoreCase) || text.Contains("sk-", StringComparison.Ordinal)
        || text.Contains("tvly-", StringComparison.Ordinal);

    // "Bearer <token>" as sent in an Authorization header. A token holds a digit, which keeps prose ("the bearer
    // instruments") whole; the mask itself has none, so redaction is idempotent.
    [GeneratedRegex(@"(?<scheme>\b[Bb]earer)\s+(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}")]
    private static partial Regex Bearer();

    // OpenAI-style (sk-, sk-proj-), our own server keys (sk-orch-) and Tavily (tvly-) keys, not inside a longer word.
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?:sk|tvly)-(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{16,}")]
    private static partial Regex KeyShaped();
}
