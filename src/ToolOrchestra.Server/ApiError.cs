namespace ToolOrchestra.Server;

/// <summary>A request the server refuses: the HTTP status, OpenAI's error code and a message naming the fix.</summary>
public sealed class ApiError(int status, string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status => status;
    public string Code => code;

    /// <summary>When the client may try again (sent as <c>Retry-After</c>), for a refusal that passes.</summary>
    public TimeSpan? RetryAfter => retryAfter;

    public static ApiError BadRequest(string message) => new(400, "invalid_request", message);
}
