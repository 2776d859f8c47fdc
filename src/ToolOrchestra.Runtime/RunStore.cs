using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime;

/// <summary>
/// Keeps trajectories as JSON files under a runs folder (default <c>runs/</c>). Each save replaces the file
/// atomically (write a temporary file, then rename), so a crash mid-write never leaves half a trajectory.
/// </summary>
public sealed class RunStore(string directory)
{
    public string Directory => directory;

    public string PathFor(string id) => Path.GetFullPath(Path.Combine(directory, $"{id}.json"));

    public async Task<string> SaveAsync(Trajectory trajectory, CancellationToken ct = default)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = PathFor(trajectory.Id);
        var temp = path + ".tmp";
        await using (var stream = File.Create(temp))
            await JsonSerializer.SerializeAsync(stream, trajectory, OrchestraJson.Options, ct).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public static Trajectory Load(string path) =>
        JsonSerializer.Deserialize<Trajectory>(File.ReadAllText(path), OrchestraJson.Options)
        ?? throw new UserError($"{path}: empty trajectory file.");
}
