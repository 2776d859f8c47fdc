namespace ToolOrchestra.Models;

/// <summary>
/// An endpoint failed after every retry (connection refused, 5xx, 429, timeout). The message names the URL and
/// the catalog model so the user knows what to start or fix.
/// </summary>
public sealed class EndpointException(string message, Exception? inner = null) : Exception(message, inner);
