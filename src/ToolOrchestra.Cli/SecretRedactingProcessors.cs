using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Logs;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Cli;

/// <summary>
/// The last line of defence before telemetry leaves the process: every string of a log record (message, body,
/// attributes, exception text) and of a span (tags, status) goes through <see cref="SecretRedactor"/>. Endpoint errors
/// are redacted where they are made; this catches text that reaches a log or a span by any other way. Added before the
/// exporters, so they see the redacted record.
/// </summary>
internal sealed class SecretRedactingLogProcessor : BaseProcessor<LogRecord>
{
    public override void OnEnd(LogRecord data)
    {
        if (data.FormattedMessage is { } message) data.FormattedMessage = SecretRedactor.Redact(message);
        if (data.Body is { } body) data.Body = SecretRedactor.Redact(body);
        if (data.Attributes is { } attributes && attributes.Any(a => a.Value is string s && SecretRedactor.Redact(s) != s))
            data.Attributes = attributes.Select(a => a.Value is string s ? new KeyValuePair<string, object?>(a.Key, SecretRedactor.Redact(s)) : a).ToList();
        if (data.Exception is { } e && SecretRedactor.Redact(e.ToString()) != e.ToString()) data.Exception = new RedactedException(e);
    }

    /// <summary>Stands in for an exception whose text held a secret: the same text, redacted (its type name is kept in the message).</summary>
    private sealed class RedactedException(Exception original) : Exception(SecretRedactor.Redact($"{original.GetType().Name}: {original.Message}"))
    {
        public override string? StackTrace => SecretRedactor.RedactOrNull(original.StackTrace);
        public override string ToString() => SecretRedactor.Redact(original.ToString());
    }
}

/// <inheritdoc cref="SecretRedactingLogProcessor"/>
internal sealed class SecretRedactingSpanProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        foreach (var (key, value) in data.TagObjects.ToList())
            if (value is string s && SecretRedactor.Redact(s) is var redacted && redacted != s) data.SetTag(key, redacted);
        if (data.StatusDescription is { } status && SecretRedactor.Redact(status) is var clean && clean != status) data.SetStatus(data.Status, clean);
    }
}
