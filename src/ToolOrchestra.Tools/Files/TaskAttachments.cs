using System.Collections.Concurrent;

namespace ToolOrchestra.Tools.Files;

/// <summary>A task's attached file: where it lies and the name the task gives it.</summary>
public sealed record Attachment(string Path, string Name);

/// <summary>
/// Which file each running episode may read, keyed by episode id: the benchmark attaches a task's file before its
/// episode starts and detaches it after, so <see cref="ReadFileTool"/> never takes a path from the model (no traversal,
/// no other task's file).
/// </summary>
public sealed class TaskAttachments
{
    private readonly ConcurrentDictionary<string, Attachment> _byEpisode = new(StringComparer.Ordinal);

    /// <summary>Lets episode <paramref name="episodeId"/> read <paramref name="attachment"/> until the returned handle is disposed.</summary>
    public IDisposable Attach(string episodeId, Attachment attachment)
    {
        if (!_byEpisode.TryAdd(episodeId, attachment)) throw new InvalidOperationException($"episode '{episodeId}' already has an attachment.");
        return new Detach(this, episodeId);
    }

    public Attachment? For(string episodeId) => _byEpisode.GetValueOrDefault(episodeId);

    private sealed class Detach(TaskAttachments owner, string episodeId) : IDisposable
    {
        public void Dispose() => owner._byEpisode.TryRemove(episodeId, out _);
    }
}
