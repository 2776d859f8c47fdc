using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ToolOrchestra.Runtime.Hosting;
using ToolOrchestra.Runtime.Qa;
using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests.Engine;

/// <summary>The engine in a Microsoft.Extensions.AI app: a keyed <see cref="IChatClient"/>, appsettings binding, the user's own pipeline step.</summary>
public sealed class ChatClientDropInTests : EngineTest
{
    // One retry, so the tests can tell a call from an attempt.
    protected override string LimitsJson => """{ "max_retries": 1, "request_timeout_s": 30 }""";

    [Fact]
    public async Task The_keyed_chat_client_and_an_AddChatClient_pipeline_answer()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }), FakeReply.Call("answer", new { model = "answer-1" }));
        Server.Script(QaWorld.Big, new FakeReply("<answer>Paris</answer>"), new FakeReply("<answer>Rome</answer>"));
        var seen = 0;
        await using var sp = Engine(more: engine => engine.Services
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance) // UseLogging needs one (an app's AddLogging)
            .AddChatClient(sp => sp.GetRequiredService<OrchestratorChatClient>())
            .Use(async (messages, options, next, ct) => { Interlocked.Increment(ref seen); await next(messages, options, ct); })
            .UseLogging());

        var keyed = await sp.GetRequiredKeyedService<IChatClient>("orchestrator").GetResponseAsync("Capital of France?");
        var piped = await sp.GetRequiredService<IChatClient>().GetResponseAsync("Capital of Italy?");

        keyed.Text.Should().Be("Paris");
        keyed.AdditionalProperties![OrchestratorChatClient.StopReasonKey].Should().Be("answered");
        piped.Text.Should().Be("Rome");
        seen.Should().Be(1, "only the AddChatClient pipeline has the step");
    }

    [Fact]
    public async Task Options_bind_from_an_appsettings_section()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }));
        Server.Script(QaWorld.Big, new FakeReply("<answer>Paris</answer>"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ToolOrchestra:CatalogPath"] = CatalogPath,
            ["ToolOrchestra:RunsDirectory"] = RunsDir,
            ["ToolOrchestra:Code"] = "false",
            ["ToolOrchestra:TopK"] = "7",
            ["ToolOrchestra:MaxTurns"] = "3",
            ["ToolOrchestra:BudgetUsd"] = "0.5",
            ["ToolOrchestra:Protocol"] = "hle",
        }).Build();
        await using var sp = new ServiceCollection().AddToolOrchestra(configuration.GetSection("ToolOrchestra")).Services.BuildServiceProvider();

        var options = sp.GetRequiredService<OrchestraOptions>();
        (options.CatalogPath, options.RunsDirectory, options.Code, options.TopK, options.MaxTurns, options.BudgetUsd, options.Protocol)
            .Should().Be((CatalogPath, RunsDir, false, 7, 3, 0.5m, QaProtocolVariant.Hle));
        var reply = await sp.GetRequiredKeyedService<IChatClient>("orchestrator").GetResponseAsync("Capital of France?");
        reply.Text.Should().Be("Paris");
        Directory.GetFiles(RunsDir).Should().ContainSingle("the bound runs folder holds the trajectory");

        var empty = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ToolOrchestra:TopK"] = "7" }).Build();
        var missing = () => new ServiceCollection().AddToolOrchestra(empty.GetSection("ToolOrchestra"));
        missing.Should().Throw<Core.UserError>().WithMessage("*ToolOrchestra*CatalogPath*");
    }

    [Fact]
    public async Task A_users_step_in_every_models_pipeline_sees_each_call_once()
    {
        // The orchestrator's first attempt fails and is retried: one call, two attempts.
        Server.Script(QaWorld.Orchestrator, FakeReply.Error(500), FakeReply.Call("answer", new { model = "answer-2" }));
        Server.Script(QaWorld.Local, new FakeReply("\\boxed{42}"));
        var seen = new List<string>();
        await using var sp = Engine(o => o.ConfigureChatClient = (builder, model) => builder.Use(async (messages, options, next, ct) =>
        {
            lock (seen) seen.Add(model.Id);
            await next(messages, options, ct);
        }));

        var result = await sp.GetRequiredService<IOrchestrator>().RunAsync(new OrchestrationRequest("Answer?"));

        result.Answer.Should().Be("42");
        Server.Requests.Should().HaveCount(3, "two attempts at the orchestrator, one expert call");
        seen.Should().Equal(result.Calls.Select(c => c.Model), "the step sees each billed call once, retries inside it")
            .And.Equal("orch", "small");
    }

    [Fact]
    public async Task An_app_with_reflection_based_json_off_declares_the_tools_and_answers()
    {
        Server.Script(QaWorld.Orchestrator, FakeReply.Call("answer", new { model = "answer-1" }));
        Server.Script(QaWorld.Big, new FakeReply("<answer>Paris</answer>"));
        // The probe app is built with JsonSerializerIsReflectionEnabledByDefault=false, as NativeAOT and file-based apps run.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ToolOrchestra.ReflectionFreeProbe.dll"), CatalogPath, "Capital of France?" })
            psi.ArgumentList.Add(a);
        psi.Environment[KeyVariable] = Key;
        using var probe = Process.Start(psi)!;
        var stdout = probe.StandardOutput.ReadToEndAsync();
        var stderr = probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        probe.ExitCode.Should().Be(0, await stderr);
        (await stdout).Trim().Should().Be("Paris");
        Server.Requests[0].ToolNames.Should().Contain("answer", "QaExpertTool.Declare wrote the tool schemas");
    }
}
