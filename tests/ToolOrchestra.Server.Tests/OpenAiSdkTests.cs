using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;

namespace ToolOrchestra.Server.Tests;

/// <summary>The official OpenAI SDKs, for .NET and for Node, call the server with a key, streaming and not.</summary>
public sealed class OpenAiSdkTests : ServerWorld
{
    /// <summary>The npm package the Node test installs (cached by .ci/install-tools.sh).</summary>
    public const string NodeSdk = "openai@6.30.1";

    private async Task<(ChatClient Client, string Key)> ClientAsync()
    {
        var key = (await CreateKeyAsync("sdk")).Secret;
        var client = new ChatClient("orchestrator", new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") });
        return (client, key);
    }

    [Fact]
    public async Task The_dotnet_sdk_gets_the_answer_usage_and_cost()
    {
        var (client, _) = await ClientAsync();

        ClientResult<ChatCompletion> result = await client.CompleteChatAsync([new UserChatMessage(Question())]);

        result.Value.Content[0].Text.Should().NotBeNullOrWhiteSpace();
        result.Value.FinishReason.Should().Be(ChatFinishReason.Stop);
        result.Value.Usage.InputTokenCount.Should().BePositive();
        result.Value.Usage.TotalTokenCount.Should().Be(result.Value.Usage.InputTokenCount + result.Value.Usage.OutputTokenCount);
        var orchestra = JsonNode.Parse(result.GetRawResponse().Content.ToString())!["orchestra"]!;
        orchestra["cost_usd"]!.GetValue<decimal>().Should().BePositive();
        orchestra["stop_reason"]!.GetValue<string>().Should().Be("answered");
    }

    [Fact]
    public async Task The_dotnet_sdk_streams_the_answer_and_usage()
    {
        var (client, _) = await ClientAsync();

        var text = "";
        ChatTokenUsage? usage = null;
        string? id = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(Question())]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
            id ??= update.CompletionId;
        }

        text.Should().NotBeNullOrWhiteSpace();
        usage.Should().NotBeNull();
        usage!.TotalTokenCount.Should().BePositive();
        var runId = id!["chatcmpl-".Length..];
        Convert.ToInt64(await ScalarAsync("SELECT cost_pusd FROM orchestra_runs WHERE id = @id AND status = 'completed'", ("@id", runId))).Should().BePositive();
    }

    [Fact]
    public async Task The_node_sdk_gets_the_answer_usage_and_cost_streaming_and_not()
    {
        var key = (await CreateKeyAsync("node")).Secret;
        var dir = Path.Combine(Dir, "node");
        Directory.CreateDirectory(dir);
        var install = await RunAsync("npm", dir, "install", "--no-audit", "--no-fund", "--loglevel=error", NodeSdk);
        install.Code.Should().Be(0, $"npm install {NodeSdk} failed: {install.Output}");
        File.WriteAllText(Path.Combine(dir, "client.mjs"), """
            import OpenAI from "openai";
            const [baseURL, apiKey, question] = process.argv.slice(2);
            const client = new OpenAI({ baseURL, apiKey });
            const done = await client.chat.completions.create({ model: "orchestrator", messages: [{ role: "user", content: question }] });
            const stream = await client.chat.completions.create({ model: "orchestrator", messages: [{ role: "user", content: question }], stream: true, stream_options: { include_usage: true } });
            let text = "", chunks = 0, usage = null, cost = null, progress = 0;
            for await (const chunk of stream) {
              chunks++;
              text += chunk.choices[0]?.delta?.content ?? "";
              if (chunk.choices[0]?.delta?.reasoning_content) progress++;
              if (chunk.usage) { usage = chunk.usage; cost = chunk.orchestra?.cost_usd; }
            }
            let unauthorized = null;
            try { await new OpenAI({ baseURL, apiKey: "sk-orch-wrong" }).chat.completions.create({ model: "orchestrator", messages: [{ role: "user", content: question }] }); }
            catch (e) { unauthorized = e.status; }
            console.log(JSON.stringify({ answer: done.choices[0].message.content, usage: done.usage, cost: done.orchestra.cost_usd, text, chunks, streamUsage: usage, streamCost: cost, progress, unauthorized }));
            """);

        var run = await RunAsync("node", dir, "client.mjs", new Uri(BaseAddress, "v1").ToString(), key, Question());

        run.Code.Should().Be(0, run.Output);
        var r = JsonNode.Parse(run.Output.Trim().Split('\n').Last())!;
        r["answer"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        r["usage"]!["total_tokens"]!.GetValue<long>().Should().BePositive();
        r["cost"]!.GetValue<decimal>().Should().BePositive();
        r["chunks"]!.GetValue<int>().Should().BeGreaterThan(3, "the SDK yields the stream's chunks (it got 0 from a server that ignored stream: true)");
        r["text"]!.GetValue<string>().Should().Be(r["answer"]!.GetValue<string>(), "the simulated world answers a question the same way every time");
        r["progress"]!.GetValue<int>().Should().BePositive();
        r["streamUsage"]!["total_tokens"]!.GetValue<long>().Should().BePositive();
        r["streamCost"]!.GetValue<decimal>().Should().BePositive();
        r["unauthorized"]!.GetValue<int>().Should().Be(401);
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }
}
