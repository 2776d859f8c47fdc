namespace ToolOrchestra.Tools.Files;

/// <summary>
/// What <see cref="ReadFileTool"/> will spend on one file: a larger file is refused unread, the text returned is cut at
/// <see cref="MaxChars"/> (the model pages on with <c>offset</c>), and extraction that runs past <see cref="TimeoutSeconds"/>
/// is abandoned with an observation.
/// </summary>
public sealed record AttachmentLimits
{
    public long MaxFileBytes { get; init; } = 64L << 20;
    public int MaxChars { get; init; } = 40_000;
    public double TimeoutSeconds { get; init; } = 30;

    /// <summary>Largest decompressed part of an Office file read (a zip bomb stops here).</summary>
    public long MaxPartChars { get; init; } = 32L << 20;

    public static readonly AttachmentLimits Default = new();
}
