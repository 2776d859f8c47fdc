using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Models;

/// <summary>
/// The one place that decides what kind of failure a reply or an exception is, shared by both wire clients and the
/// retry decorator, so a 503 and an HTML proxy page are judged the same way whichever client met them.
/// </summary>
internal static class EndpointFailures
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    public static EndpointException FromStatus(int status, string body, TimeSpan? retryAfter)
    {
        var kind = status switch
        {
            429 => EndpointFailureKind.RateLimited,
            408 => EndpointFailureKind.Timeout,
            >= 500 => EndpointFailureKind.ServerError,
            _ => EndpointFailureKind.ClientError,
        };
        return new EndpointException(kind, $"HTTP {status}: {Snippet(body)}", retryAfter: retryAfter) { Spent = ReportedRun.FromErrorJson(body) };
    }

    /// <summary><c>Retry-After</c> in seconds or as an HTTP date, capped so a hostile value cannot park a run.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, TimeProvider? time = null)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        TimeSpan wait;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) wait = TimeSpan.FromSeconds(Math.Max(0, seconds));
        else if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            wait = at - (time ?? TimeProvider.System).GetUtcNow();
        else return null;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    /// <summary>
    /// Checks a 2xx body before anyone deserializes it: JSON content type, valid and complete JSON, a non-empty
    /// <c>choices</c> array whose first element carries <paramref name="field"/> (<c>message</c> for chat, <c>text</c>
    /// for completions). Returns null when the reply is usable.
    /// </summary>
    public static EndpointException? CheckReply(string? contentType, ReadOnlySpan<byte> body, string field)
    {
        if (contentType is { Length: > 0 } && !IsJson(contentType))
            return new(EndpointFailureKind.NonJsonContentType, $"a 200 reply with content type '{contentType}', not JSON: {Snippet(body)}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.ToArray()); }
        catch (JsonException e)
        {
            return EndsEarly(body)
                ? new(EndpointFailureKind.TruncatedBody, $"the reply stops after {body.Length} bytes: {Snippet(body)}", e)
                : new(EndpointFailureKind.MalformedJson, $"the reply is not valid JSON ({e.Message.Split(" Path:")[0]}): {Snippet(body)}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new(EndpointFailureKind.MalformedJson, $"the reply is JSON but not an object: {Snippet(body)}");
            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                return new(EndpointFailureKind.EmptyChoices, $"the reply has no choices: {Snippet(body)}");
            var first = choices[0];
            if (first.ValueKind != JsonValueKind.Object)
                return new(EndpointFailureKind.MalformedJson, $"choices[0] is not an object: {Snippet(body)}");
            if (!first.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
                return new(EndpointFailureKind.MissingMessage, $"choices[0] has no \"{field}\": {Snippet(body)}");
            var expected = field == "text" ? JsonValueKind.String : JsonValueKind.Object;
            if (value.ValueKind != expected)
                return new(EndpointFailureKind.MalformedJson, $"choices[0].{field} is {value.ValueKind}, not {expected}: {Snippet(body)}");
            return null;
        }
    }

    /// <summary>
    /// Types an exception thrown during one attempt, or returns null when it must pass unchanged: the caller's (or
    /// the attempt timeout's) cancellation, an <see cref="EndpointException"/> already typed, or a fault of ours that
    /// happened before any reply arrived (<paramref name="replyStarted"/> false), which retrying would only repeat.
    /// </summary>
    public static EndpointException? Classify(Exception e, CancellationToken token, bool replyStarted)
    {
        switch (e)
        {
            case EndpointException:
                return null;
            case OperationCanceledException when token.IsCancellationRequested:
                return null;
            case OperationCanceledException: // the SDK's network timeout, not a cancellation anyone asked for
                return new(EndpointFailureKind.Timeout, "the connection timed out", e);
            case ClientResultException { Status: > 0 } cre:
                return FromStatus(cre.Status, cre.Message.Split('\n', 2)[0], ParseRetryAfter(RetryAfterHeader(cre)));
            case ClientResultException cre:
                return cre.InnerException is { } inner && Classify(inner, token, replyStarted) is { } typed
                    ? typed
                    : new(EndpointFailureKind.Connection, cre.Message, e);
            case HttpRequestException or IOException when replyStarted || EndedEarly(e):
                return new(EndpointFailureKind.TruncatedBody, $"the connection closed mid-reply: {Describe(e)}", e);
            case HttpRequestException or IOException or SocketException:
                return new(EndpointFailureKind.Connection, Describe(e), e);
            case JsonException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException
                or IndexOutOfRangeException or InvalidCastException when replyStarted:
                return new(EndpointFailureKind.MalformedJson, $"the reply could not be read: {e.Message}", e);
            default:
                return null;
        }
    }

    private static bool EndedEarly(Exception e) => e switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => true,
        HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } => true,
        _ => e.InnerException is { } inner && EndedEarly(inner),
    };

    private static string? RetryAfterHeader(ClientResultException e) =>
        e.GetRawResponse() is { } raw && raw.Headers.TryGetValue("Retry-After", out var value) ? value : null;

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    private static bool IsJson(string contentType)
    {
        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the body is a valid beginning of a JSON document that simply stops.</summary>
    private static bool EndsEarly(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        try { while (reader.Read()) { } }
        catch (JsonException) { return false; }
        return true;
    }

    public static string Snippet(ReadOnlySpan<byte> body) => Snippet(Encoding.UTF8.GetString(body[..Math.Min(body.Length, 4096)]));

    /// <summary>The start of a reply body for an error message, redacted before it is cut so that no half key survives.</summary>
    public static string Snippet(string text)
    {
        var s = SecretRedactor.Redact(text).ReplaceLineEndings(" ").Trim();
        return s.Length <= 200 ? s : s[..200] + "…";
    }
}
