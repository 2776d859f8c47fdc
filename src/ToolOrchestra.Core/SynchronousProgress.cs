namespace ToolOrchestra.Core;

/// <summary>
/// Reports on the reporting thread, in order and one at a time (Progress&lt;T&gt; would post to the thread pool, and
/// console progress displays are not thread-safe).
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _gate = new();
    public void Report(T value) { lock (_gate) report(value); }
}
