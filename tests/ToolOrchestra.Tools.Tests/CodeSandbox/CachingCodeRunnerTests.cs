using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

[Collection("sandbox")]
public sealed class CachingCodeRunnerTests
{
    private const string RandomCode = "import uuid\nprint(uuid.uuid4())\n";

    [Fact]
    public async Task Same_code_runs_once_and_replays_the_first_result()
    {
        var cache = new CachingCodeRunner(new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10 }));

        var first = await cache.RunAsync(RandomCode, CancellationToken.None);
        var second = await cache.RunAsync(RandomCode, CancellationToken.None);
        var other = await cache.RunAsync(RandomCode + "# changed\n", CancellationToken.None);

        first.Stdout.Should().HaveLength(37);
        second.Should().Be(first, "a hit returns the recorded result, seconds included");
        other.Stdout.Should().NotBe(first.Stdout);
        cache.Hits.Should().Be(1);
    }

    [Fact]
    public async Task A_cache_directory_survives_a_new_runner()
    {
        var dir = Directory.CreateTempSubdirectory("code-cache-");
        try
        {
            var sandbox = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 10 });
            var first = await new CachingCodeRunner(sandbox, dir.FullName).RunAsync(RandomCode, CancellationToken.None);

            var reopened = new CachingCodeRunner(sandbox, dir.FullName);
            var replay = await reopened.RunAsync(RandomCode, CancellationToken.None);

            replay.Should().Be(first);
            reopened.Hits.Should().Be(1);
            File.Exists(Path.Combine(dir.FullName, CachingCodeRunner.KeyOf(RandomCode) + ".json")).Should().BeTrue();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
