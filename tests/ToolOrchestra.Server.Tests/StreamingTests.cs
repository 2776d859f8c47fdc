using System.Net;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Server.Tests;

public sealed class StreamingTests : ServerWorld
{
    internal static async Task<List<string>> EventsAsync(HttpResponseMessage response, Func<string, bool>? stopAfter = null)
    {
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            events.Add(line[6..]);
            if (stopAfter?.Invoke(line[6..]) == true) break;
        }
        return events;
    }

    [Fact]
    public async Task Stream_true_sends_progress_then_the_answer_then_usage_and_done_in_openai_chunk_format()
    {
        using var response = await PostAsync(Body(Question(), stream: true));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = await EventsAsync(response);
        events.Last().Should().Be("[DONE]");
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!.AsObject()).ToList();
        chunks.Should().OnlyContain(c => c["object"]!.GetValue<string>() == "chat.completion.chunk");
        chunks.Select(c => c["id"]!.GetValue<string>()).Distinct().Should().ContainSingle();
        chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>().Should().Be("assistant");
        var progress = chunks.Where(c => c["orchestra"]?["event"] is not null).ToList();
        progress.Should().NotBeEmpty("tool calls are reported while the run works");
        progress[0]["choices"]![0]!["delta"]!["reasoning_content"]!.GetValue<string>().Should().StartWith("[turn 1] search");
        var content = string.Concat(chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() ?? ""));
        content.Should().NotBeNullOrWhiteSpace();
        chunks.Single(c => c["choices"]!.AsArray().FirstOrDefault()?["finish_reason"] is JsonValue)["choices"]![0]!["finish_reason"]!.GetValue<string>().Should().Be("stop");
        var usage = chunks.Last();
        usage["choices"]!.AsArray().Should().BeEmpty();
        usage["usage"]!["total_tokens"]!.GetValue<long>().Should().BePositive();
        var runId = usage["orchestra"]!["run_id"]!.GetValue<string>();
        usage["orchestra"]!["cost_usd"]!.GetValue<decimal>().Should().Be(
            Money.FromPico(Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_calls WHERE run_id = @id", ("@id", runId)))));
        (await ScalarAsync("SELECT stream FROM orchestra_runs WHERE id = @id", ("@id", runId))).Should().Be(1L);
    }
}

/// <summary>Experts that take real (scaled) time, so a client can hang up mid-run.</summary>
public sealed class DisconnectTests : ServerWorld
{
    protected override double LatencyScale => 0.25;

    [Fact]
    public async Task A_client_that_hangs_up_mid_stream_cancels_the_run_which_still_records_what_it_spent()
    {
        using var cts = new CancellationTokenSource();
        var response = await PostAsync(Body(Question(), stream: true), ct: cts.Token);
        var events = await StreamingTests.EventsAsync(response, e => e.Contains("\"event\":\"tool\""));
        var runId = JsonNode.Parse(events[0])!["id"]!.GetValue<string>()["chatcmpl-".Length..];
        response.Dispose(); // hang up after the first tool call
        await cts.CancelAsync();

        string? status = null;
        for (var i = 0; i < 200 && status is not ("cancelled" or "completed"); i++)
        {
            await Task.Delay(50);
            status = (string?)await ScalarAsync("SELECT status FROM orchestra_runs WHERE id = @id", ("@id", runId));
        }
        status.Should().Be("cancelled");
        (await ScalarAsync("SELECT stop_reason FROM orchestra_runs WHERE id = @id", ("@id", runId))).Should().Be("cancelled");
        var runPico = Convert.ToInt64(await ScalarAsync("SELECT cost_pusd FROM orchestra_runs WHERE id = @id", ("@id", runId)));
        runPico.Should().BePositive("the orchestrator's first turn was paid for");
        Convert.ToInt64(await ScalarAsync("SELECT SUM(cost_pusd) FROM orchestra_calls WHERE run_id = @id", ("@id", runId))).Should().Be(runPico);
    }
}
