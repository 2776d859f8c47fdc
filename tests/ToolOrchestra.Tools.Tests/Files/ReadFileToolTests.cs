using System.Text.Json;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.Files;

namespace ToolOrchestra.Tools.Tests.Files;

/// <summary><c>read_file</c> on real files of every supported kind, written at test time, and on bad, huge and foreign ones.</summary>
public sealed class ReadFileToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("read-file").FullName;
    private readonly TaskAttachments _attachments = new();

    public void Dispose() => Directory.Delete(_dir, true);

    internal static ToolInvocation Call(string tool, string episode, object arguments, Ledger ledger, ToolPrices? prices = null) =>
        new(tool, JsonSerializer.SerializeToElement(arguments), null, new ToolContext(episode, 1, ledger, TimeProvider.System,
            new Catalog(new OrchestratorSettings("orch"), new Dictionary<string, ModelEntry>(), new Dictionary<string, AliasEntry>(), prices ?? new ToolPrices(), new Limits()),
            Preferences.None));

    private async Task<ToolOutput> ReadAsync(string name, object? arguments = null, AttachmentLimits? limits = null, Ledger? ledger = null)
    {
        using var attached = _attachments.Attach("ep-1", new Attachment(Path.Combine(_dir, name), name));
        return await new ReadFileTool(_attachments, limits).InvokeAsync(Call(ReadFileTool.ToolName, "ep-1", arguments ?? new { }, ledger ?? new Ledger()), default);
    }

    public static TheoryData<string> Kinds() => [.. AttachmentSamples.Extensions];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reads_the_text_of_every_supported_kind(string extension)
    {
        var name = AttachmentSamples.Write(_dir, "sample", extension, "ZEBRA4417");
        var output = await ReadAsync(name, new { file_name = name });
        output.IsError.Should().BeFalse(output.Observation);
        output.Observation.Should().StartWith($"File: {name} (").And.Contain("ZEBRA4417");
    }

    [Fact]
    public async Task Spreadsheets_docs_and_slides_keep_their_structure_and_media_say_what_is_not_read()
    {
        var xlsx = await ReadAsync(AttachmentSamples.Write(_dir, "s", "xlsx", "M1"));
        xlsx.Observation.Should().Contain("## Sheet: Data").And.Contain("code,M1").And.Contain("42.5");
        (await ReadAsync(AttachmentSamples.Write(_dir, "d", "docx", "M2"))).Observation.Should().Contain("Report\ncode | M2");
        (await ReadAsync(AttachmentSamples.Write(_dir, "p", "pptx", "M3"))).Observation.Should().Contain("## Slide 1\nAgenda\n## Slide 2\nThe code is M3");
        (await ReadAsync(AttachmentSamples.Write(_dir, "i", "png", "M4"))).Observation.Should().Contain("PNG, 1x1 pixels").And.Contain("Text (Comment): The code is M4").And.Contain("no OCR");
        (await ReadAsync(AttachmentSamples.Write(_dir, "a", "wav", "M5"))).Observation.Should().Contain("WAV, 1 channel(s), 8000 Hz, 16 bits, duration 0.5 s").And.Contain("Tag INAM: The code is M5").And.Contain("not transcribed");
    }

    [Fact]
    public async Task Reads_only_the_tasks_own_attachment()
    {
        var name = AttachmentSamples.Write(_dir, "mine", "txt", "OWN");
        File.WriteAllText(Path.Combine(_dir, "other.txt"), "SECRET");
        (await ReadAsync(name, new { file_name = "../other.txt" })).Should().Match<ToolOutput>(o => o.IsError && o.Observation.Contains("Only the problem's attached file 'mine.txt'"));
        (await ReadAsync(name, new { file_name = "/etc/passwd" })).Observation.Should().NotContain("root:");
        var tool = new ReadFileTool(_attachments);
        (await tool.InvokeAsync(Call(ReadFileTool.ToolName, "ep-without", new { }, new Ledger()), default))
            .Should().Match<ToolOutput>(o => o.IsError && o.Observation == "This problem has no attached file.");
    }

    [Fact]
    public async Task Bad_huge_and_unsupported_files_are_observations()
    {
        File.WriteAllText(Path.Combine(_dir, "broken.docx"), "not a zip");
        (await ReadAsync("broken.docx")).Should().Match<ToolOutput>(o => o.IsError && o.Observation.Contains("could not be read as Word document"));
        File.WriteAllBytes(Path.Combine(_dir, "broken.pdf"), "%PDF-1.4 garbage"u8.ToArray());
        (await ReadAsync("broken.pdf")).IsError.Should().BeTrue();
        File.WriteAllBytes(Path.Combine(_dir, "big.txt"), new byte[10_000]);
        (await ReadAsync("big.txt", limits: new AttachmentLimits { MaxFileBytes = 1000 })).Observation.Should().Contain("has 10000 bytes; at most 1000 are read");
        File.WriteAllBytes(Path.Combine(_dir, "old.doc"), [1, 2, 3]);
        (await ReadAsync("old.doc")).Observation.Should().Contain("Not supported: old binary .doc");
        File.WriteAllBytes(Path.Combine(_dir, "blob.bin"), [0, 1, 2, 0xFF]);
        (await ReadAsync("blob.bin")).Should().Match<ToolOutput>(o => o.IsError && o.Observation.Contains("not text"));
        (await ReadAsync("missing.txt")).Observation.Should().Contain("is missing");
    }

    [Fact]
    public async Task Long_text_is_cut_and_read_on_with_an_offset()
    {
        File.WriteAllText(Path.Combine(_dir, "long.txt"), string.Concat(Enumerable.Range(0, 300).Select(i => $"line{i:D3}\n")));
        var limits = new AttachmentLimits { MaxChars = 1000 };
        var first = await ReadAsync("long.txt", limits: limits);
        first.Observation.Should().Contain("line000").And.NotContain("line200").And.Contain("call read_file with offset 1000");
        var next = await ReadAsync("long.txt", new { offset = 1000 }, limits);
        next.Observation.Should().Contain("line125").And.NotContain("line000");
    }

    [Fact]
    public async Task Each_read_is_priced_by_the_catalog_and_held_first()
    {
        var name = AttachmentSamples.Write(_dir, "paid", "txt", "X");
        var recorded = new List<LedgerEntry>();
        var ledger = new Ledger(recorded.Add);
        using var attached = _attachments.Attach("ep-2", new Attachment(Path.Combine(_dir, name), name));
        await new ReadFileTool(_attachments).InvokeAsync(Call(ReadFileTool.ToolName, "ep-2", new { }, ledger,
            new ToolPrices(PerTool: new Dictionary<string, decimal> { ["read_file"] = 0.001m })), default);
        recorded.Should().ContainSingle().Which.Should().Match<LedgerEntry>(e => e.Tool == "read_file" && e.Kind == CallKind.Tool && e.CostUsd == 0.001m);
        var broke = new Ledger(budgetUsd: 0.0005m);
        await FluentActions.Awaiting(() => new ReadFileTool(_attachments).InvokeAsync(Call(ReadFileTool.ToolName, "ep-2", new { }, broke,
            new ToolPrices(PerTool: new Dictionary<string, decimal> { ["read_file"] = 0.001m })), default)).Should().ThrowAsync<BudgetExhaustedException>();
    }
}
