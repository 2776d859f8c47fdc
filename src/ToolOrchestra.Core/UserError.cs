namespace ToolOrchestra.Core;

/// <summary>
/// Bad input a user can fix (malformed catalog, unknown alias, missing file, unreachable endpoint).
/// The CLI prints <see cref="Exception.Message"/> as one line and exits with code 2; no stack trace.
/// The message must name the place (file, JSON path, URL) and the fix.
/// </summary>
public sealed class UserError(string message, Exception? inner = null) : Exception(message, inner);
