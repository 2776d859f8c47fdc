// Usage: ToolOrchestra.ReflectionFreeProbe CATALOG QUESTION — answers through the keyed IChatClient and prints the answer.
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ToolOrchestra.Runtime.Hosting;

if (JsonSerializer.IsReflectionEnabledByDefault)
{
    Console.Error.WriteLine("reflection-based JSON is on: this probe proves nothing");
    return 3;
}
await using var services = new ServiceCollection()
    .AddToolOrchestra(args[0], o => (o.RunsDirectory, o.Code) = (null, false))
    .Services.BuildServiceProvider();
var orchestrator = services.GetRequiredKeyedService<IChatClient>(ServiceCollectionExtensions.ChatClientKey);
var reply = await orchestrator.GetResponseAsync(args[1]);
Console.WriteLine(reply.Text);
return 0;
