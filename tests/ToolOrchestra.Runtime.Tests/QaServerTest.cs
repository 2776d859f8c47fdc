using ToolOrchestra.Testing;

namespace ToolOrchestra.Runtime.Tests;

/// <summary>Each test gets a fresh fake OpenAI-compatible server and the QA world on it.</summary>
public abstract class QaServerTest : IAsyncLifetime
{
    protected FakeOpenAiServer Server { get; private set; } = null!;
    internal QaWorld World { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeOpenAiServer.StartAsync();
        World = new QaWorld(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
