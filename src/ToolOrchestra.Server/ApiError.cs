namespace ToolOrchestra.Server;

/// <summary>A request the server refuses: the HTTP status, OpenAI's error code and a message naming the fix.</summary>
public sealed class ApiError(int status, string code, string message) : Exception(message)
{
    public int Status => status;
    public string Code => code;

    public static ApiError BadRequest(string message) => new(400, "invalid_request", message);
}
