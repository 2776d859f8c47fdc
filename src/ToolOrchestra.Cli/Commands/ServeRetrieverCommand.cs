using System.CommandLine;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra serve-retriever</c>: one local index shared over the reference's <c>POST /retrieve</c> API.</summary>
internal static class ServeRetrieverCommand
{
    public static Command Create()
    {
        var index = new Option<FileInfo>("--index") { Description = "Index built by './orchestra index build'", Required = true };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (the reference uses 1401)", DefaultValueFactory = _ => 1401 };
        var allowed = new Option<FileInfo?>("--allowed-ids") { Description = "Allowed documents per question: {eid: [ids]} (the reference's examples.json), or one list for all" };
        var command = new Command("serve-retriever", "Serve a local index with the reference's POST /retrieve API on 127.0.0.1") { index, port, allowed };
        command.SetAction(async (parse, ct) => await CliRunner.Guard(async c =>
        {
            var opened = LocalIndex.Open(parse.GetValue(index)!.FullName);
            var filter = parse.GetValue(allowed) is { } file ? AllowedDocuments.Load(file.FullName) : null;
            await using var server = await RetrievalServer.StartAsync(new LocalIndexRetriever(opened, allowed: filter), parse.GetValue(port), c);
            Console.Out.WriteLine($"serving {opened.Path} ({opened.Documents} documents{(filter is null ? "" : ", allowed ids from " + filter.Source)}) " +
                                  $"at {server.Address}retrieve; Ctrl+C stops");
            try
            {
                await Task.Delay(Timeout.Infinite, c);
            }
            catch (OperationCanceledException)
            {
                Console.Out.WriteLine("stopped");
            }
            return 0;
        }, ct));
        return command;
    }
}
