using FluentAssertions;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Storage;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Storage;

public class StoreLocationTests
{
    [Fact]
    public async Task A_sqlite_path_and_a_postgres_url_open_real_databases_that_speak_the_same_upsert()
    {
        await using var pg = await LocalPostgres.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"store-{Guid.NewGuid():N}.db");
        foreach (var location in new[] { StoreLocation.Parse(file), StoreLocation.Parse(pg.Url()) })
        {
            await using var conn = await location.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL);" +
                              "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = kv.v + 1;" +
                              "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = kv.v + 1;" +
                              "SELECT v FROM kv WHERE k = 'a';";
            Convert.ToInt32(await cmd.ExecuteScalarAsync()).Should().Be(2, location.Kind.ToString());
        }
        File.Delete(file);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mysql://x@h/db")]
    [InlineData("postgres://u@h:5432/db?no_such_option=1")]
    public void Bad_store_values_are_user_errors_naming_the_option(string value) =>
        FluentActions.Invoking(() => StoreLocation.Parse(value, "--store")).Should().Throw<UserError>().WithMessage("--store*");

    [Fact]
    public void A_sqlite_file_in_a_missing_folder_is_refused_naming_the_folder_and_no_folder_is_created()
    {
        var parent = Directory.CreateTempSubdirectory("store-parent-").FullName;
        var missing = Path.Combine(parent, "no-such-dir", "deeper");
        FluentActions.Invoking(() => StoreLocation.Parse(Path.Combine(missing, "x.db"), "--store")).Should().Throw<UserError>()
            .WithMessage($"--store *x.db: the folder {missing} does not exist; create it first*");
        Directory.EnumerateFileSystemEntries(parent).Should().BeEmpty("only the file is ever created, never folders");
        StoreLocation.Parse(Path.Combine(parent, "x.db")).Display.Should().Be(Path.Combine(parent, "x.db"));
        Directory.Delete(parent, true);
    }

    [Fact]
    public void The_password_never_appears_in_what_is_shown() =>
        StoreLocation.Parse("postgres://bob:s3cret@127.0.0.1:5999/evals").Display.Should().NotContain("s3cret").And.Contain("bob");
}
