namespace ToolOrchestra.Server;

/// <summary>
/// A request the server refuses: the HTTP status, OpenAI's error code, a message naming the fix and, for a 429, the
/// seconds after which a retry can succeed (sent as <c>Retry-After</c>; see <c>ChatCompletionsEndpoint</c> for defaults).
/// </summary>
public sealed class ApiError(int status, string code, string message, int? retryAfterSeconds = null) : Exception(message)
{
    public int Status => status;
    public string Code => code;
    public int? RetryAfterSeconds => retryAfterSeconds;

    public static ApiError BadRequest(string message) => new(400, "invalid_request", message);
}
