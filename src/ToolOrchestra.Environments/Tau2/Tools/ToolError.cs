namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// An exception a tau2 tool raises (upstream: ValueError, TypeError, KeyError, pydantic's ValidationError…). The
/// environment turns it into the tool message <c>"Error: " + Message</c> with <c>error=true</c>, as upstream does,
/// so the message text is the Python exception's <c>str()</c>.
/// </summary>
public class ToolError(string message) : Exception(message)
{
    /// <summary>Python's <c>str(KeyError(key))</c> is the key's repr, e.g. <c>'economy'</c>.</summary>
    public static ToolError KeyError(string key) => new(Json.Py.StrRepr(key));
}
