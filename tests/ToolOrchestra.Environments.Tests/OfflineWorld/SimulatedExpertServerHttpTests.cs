using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.OfflineWorld;
using ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

namespace ToolOrchestra.Environments.Tests.OfflineWorld;

/// <summary><c>orchestra sim serve</c>'s HTTP surface: streaming as OpenAI streams, and the guards every server here has.</summary>
public sealed class SimulatedExpertServerHttpTests
{
    private static readonly World World = World.Generate(4, WorldOptions.Small);
    private static readonly HttpClient Http = new();

    private static HttpRequestMessage Ask(SimulatedExpertServer server, bool stream, string? key = null, string? host = null, string contentType = "application/json")
    {
        var body = new JsonObject
        {
            ["model"] = "gpt-5-mini",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = World.TestTasks.First().Question }),
            ["stream"] = stream,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (host is not null) request.Headers.Host = host;
        return request;
    }

    [Fact]
    public async Task Stream_true_is_answered_as_openai_chunks_with_the_same_text_and_usage_as_the_plain_reply()
    {
        await using var server = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0);
        using var plain = await Http.SendAsync(Ask(server, stream: false));
        var reply = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!;

        using var streamed = await Http.SendAsync(Ask(server, stream: true));

        streamed.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = (await streamed.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        events.Last().Should().Be("[DONE]");
        var chunks = events.SkipLast(1).Select(e => JsonNode.Parse(e)!).ToList();
        chunks.Should().HaveCountGreaterThan(2).And.OnlyContain(c => c["object"]!.GetValue<string>() == "chat.completion.chunk");
        string.Concat(chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() ?? ""))
            .Should().Be(reply["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        chunks.Last()["usage"]!["total_tokens"]!.GetValue<long>().Should().Be(reply["usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_foreign_host_or_a_text_plain_body_is_refused_and_a_key_once_set_is_required()
    {
        await using var open = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), 0);
        (await Http.SendAsync(Ask(open, false, host: "evil.example"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Http.SendAsync(Ask(open, false, contentType: "text/plain"))).StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);

        await using var keyed = await SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), IPAddress.Loopback, 0, "sim-secret");
        (await Http.SendAsync(Ask(keyed, false))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Http.SendAsync(Ask(keyed, false, key: "wrong"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Http.SendAsync(Ask(keyed, false, key: "sim-secret"))).StatusCode.Should().Be(HttpStatusCode.OK);

        await FluentActions.Awaiting(() => SimulatedExpertServer.StartAsync(new SimulatedEndpoint(World), IPAddress.Any, 0, null))
            .Should().ThrowAsync<UserError>().WithMessage("*requires a key*--api-key-env*");
    }
}
