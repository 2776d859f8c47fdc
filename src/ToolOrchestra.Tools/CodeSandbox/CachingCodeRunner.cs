using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Remembers results by the SHA-256 of the code, so replays (the offline world, repeated rollouts of one task)
/// skip execution. A hit returns the original result, seconds included, so the ledger charges what the run
/// cost when it happened. With a directory the cache survives the process as one JSON file per hash.
/// Cancelled runs are not cached; concurrent requests for the same code share one execution.
/// </summary>
public sealed class CachingCodeRunner(ICodeRunner inner, string? directory = null) : ICodeRunner
{
    private readonly ConcurrentDictionary<string, Lazy<Task<CodeResult>>> _memory = new(StringComparer.Ordinal);

    public int Hits => _hits;
    private int _hits;

    public decimal WorstCaseUsd(Core.Catalog.ToolPrices prices) => inner.WorstCaseUsd(prices);

    public static string KeyOf(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    public async Task<CodeResult> RunAsync(string code, CancellationToken ct)
    {
        var key = KeyOf(code);
        var created = false;
        var entry = _memory.GetOrAdd(key, k =>
        {
            created = true;
            return new Lazy<Task<CodeResult>>(() => LoadOrRunAsync(k, code, ct));
        });
        if (!created) Interlocked.Increment(ref _hits);
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            _memory.TryRemove(new KeyValuePair<string, Lazy<Task<CodeResult>>>(key, entry));
            throw;
        }
    }

    private async Task<CodeResult> LoadOrRunAsync(string key, string code, CancellationToken ct)
    {
        var file = directory is null ? null : Path.Combine(directory, key + ".json");
        if (file is not null && File.Exists(file))
        {
            try
            {
                var stored = JsonSerializer.Deserialize<CodeResult>(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false), OrchestraJson.Compact);
                if (stored is not null)
                {
                    Interlocked.Increment(ref _hits);
                    return stored;
                }
            }
            catch (JsonException) { } // a damaged entry is recomputed and overwritten
        }

        var result = await inner.RunAsync(code, ct).ConfigureAwait(false);
        if (file is not null)
        {
            Directory.CreateDirectory(directory!);
            var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(result, OrchestraJson.Compact), CancellationToken.None).ConfigureAwait(false);
            File.Move(temp, file, overwrite: true);
        }
        return result;
    }
}
