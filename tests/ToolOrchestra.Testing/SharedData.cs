namespace ToolOrchestra.Testing;

/// <summary>
/// Locates the data that lives beside the repository in <c>../shared/data</c> (never committed into it).
/// Override with TOOLORCHESTRA_SHARED_DATA. Tests that need it fail with a message saying where it was looked for.
/// </summary>
public static class SharedData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("TOOLORCHESTRA_SHARED_DATA");
            var path = fromEnv ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));
            return Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException($"shared data not found at {path}; set TOOLORCHESTRA_SHARED_DATA.");
        }
    }

    public static string File(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "ToolOrchestra.slnx")))
                return dir.FullName;
        throw new InvalidOperationException("ToolOrchestra.slnx not found above " + AppContext.BaseDirectory);
    }
}
