using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Server.Tests;

/// <summary>Text that is not valid Unicode is a client's mistake (400, named); text with a NUL is text, kept as sent.</summary>
public sealed class UnicodeInputTests : ServerWorld
{
    private async Task<(HttpStatusCode Status, string Body)> PostBytesAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await Http.PostAsync(new Uri(BaseAddress, "v1/chat/completions"), content);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, byte[]> InvalidBodies => new()
    {
        { "a lone surrogate escape", Encoding.UTF8.GetBytes("""{"model":"orchestrator","messages":[{"role":"user","content":"hi \ud800 there"}]}""") },
        { "a raw 0xFF byte", [.. Encoding.UTF8.GetBytes("""{"model":"orchestrator","messages":[{"role":"user","content":"hi """), 0xFF, .. Encoding.UTF8.GetBytes("""there"}]}""")] },
        { "a lone surrogate in the model", Encoding.UTF8.GetBytes("""{"model":"\udfff","messages":[{"role":"user","content":"hi"}]}""") },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_unicode_is_a_400_with_an_openai_error_naming_the_place(string what, byte[] body)
    {
        var (status, text) = await PostBytesAsync(body);

        status.Should().Be(HttpStatusCode.BadRequest, what);
        var error = JsonNode.Parse(text)!["error"]!;
        error["type"]!.GetValue<string>().Should().Be("invalid_request_error");
        error["code"]!.GetValue<string>().Should().Be("invalid_request");
        error["message"]!.GetValue<string>().Should().Contain("not valid Unicode").And.Contain("$.").And.Contain("UTF-8");
        Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM orchestra_runs")).Should().Be(0, "nothing ran");
    }

    [Fact]
    public async Task A_question_starting_with_nul_is_stored_and_shown_as_sent()
    {
        var question = "\0" + Question();
        using var response = await PostAsync(Body(question));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var runId = (await JsonAsync(response))["orchestra"]!["run_id"]!.GetValue<string>();

        using var dashboard = await Http.GetAsync(new Uri(BaseAddress, $"ui/api/runs/{runId}"));
        dashboard.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(await dashboard.Content.ReadAsStringAsync())!["problem"]!.GetValue<string>().Should().Be(question);
        using var list = await Http.GetAsync(new Uri(BaseAddress, "ui/api/runs"));
        JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Single()!["problem"]!.GetValue<string>().Should().Be(question);
    }
}

/// <summary>PostgreSQL text cannot hold a NUL character: a NUL-led question still runs, and its stored text says where the NUL was.</summary>
public sealed class PostgresNulInputTests : PostgresServerWorld
{
    [Fact]
    public async Task A_question_with_nul_runs_on_a_postgres_store()
    {
        var question = "\0" + Question();
        using var response = await PostAsync(Body(question));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var runId = (await JsonAsync(response))["orchestra"]!["run_id"]!.GetValue<string>();
        ((string?)await ScalarAsync("SELECT problem FROM orchestra_runs WHERE id = @id", ("@id", runId))).Should().Be("\u2400" + Question());
    }
}
