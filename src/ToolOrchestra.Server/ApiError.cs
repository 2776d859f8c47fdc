namespace ToolOrchestra.Server;

/// <summary>
/// A request the server refuses: the HTTP status, OpenAI's error code, a message naming the fix and, for a 429, the
/// seconds after which a retry can succeed (sent as <c>Retry-After</c>; see <c>ChatCompletionsEndpoint</c> for defaults).
/// </summary>
public sealed class ApiError(int status, string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status => status;
    public string Code => code;
    /// <summary>Whole seconds, rounded up and at least 1, as <c>Retry-After</c> takes them; null when the refusal says no wait.</summary>
    public int? RetryAfterSeconds => Seconds(retryAfter);

    public static int? Seconds(TimeSpan? wait) => wait is { } w ? (int)Math.Max(1, Math.Ceiling(Math.Min(w.TotalSeconds, int.MaxValue))) : null;

    public static ApiError BadRequest(string message) => new(400, "invalid_request", message);
}
