using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using ToolOrchestra.Core.Accounting;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Testing;
using ToolOrchestra.Tools.Tests.Files;
using ToolOrchestra.Tools.Web;

namespace ToolOrchestra.Tools.Tests.Web;

/// <summary>
/// <c>fetch_url</c> against local Kestrel servers over real HTTP: pages and PDFs become text, loopback and metadata
/// addresses are refused without --allow-private-urls (directly and after a redirect), a 50 MB page is cut at the cap
/// without being held, and a hanging server is cut at the time cap.
/// </summary>
public sealed class FetchUrlToolTests : IAsyncLifetime
{
    private WebApplication _site = null!;
    private WebApplication _other = null!;
    private Uri _siteUrl = null!;
    private Uri _otherUrl = null!;
    private readonly TaskCompletionSource _hugeEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _other = LoopbackWebApp.Create(0);
        _other.MapGet("/secret", () => Results.Text("INTERNAL-SECRET", "text/plain"));
        _otherUrl = await LoopbackWebApp.StartAsync(_other);

        _site = LoopbackWebApp.Create(0);
        _site.MapGet("/page", () => Results.Text("""
            <html><head><title>Tern  facts</title><style>p { color: red }</style><script>var hidden = "SCRIPT-TEXT";</script></head>
            <body><nav>Menu</nav><h1>Arctic tern</h1><p>The arctic tern flies <b>70,900 km</b> a year.</p>
            <table><tr><td>mass</td><td>100 g</td></tr></table></body></html>
            """, "text/html; charset=utf-8"));
        _site.MapGet("/paper.pdf", () => Results.Bytes(AttachmentSamples.Pdf("Results section PDF-MARKER"), "application/pdf"));
        _site.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        _site.MapGet("/to-loopback", () => Results.Redirect(new Uri(_otherUrl, "secret").ToString()));
        _site.MapGet("/hop/{n:int}", (int n) => Results.Redirect($"/hop/{n + 1}"));
        _site.MapGet("/huge", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'a');
            try
            {
                for (var i = 0; i < 800; i++) // 52 MB
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    if (context.RequestAborted.IsCancellationRequested) break;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException) { }
            finally { _hugeEnded.TrySetResult(); }
        });
        _site.MapGet("/hang", async (HttpContext context) => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        _site.MapGet("/trickle", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("FIRST-PART ", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        _siteUrl = await LoopbackWebApp.StartAsync(_site);
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        await _other.DisposeAsync();
    }

    private string Url(string path) => new Uri(_siteUrl, path).ToString();

    private static FetchUrlOptions Private => new() { AllowPrivateUrls = true };

    /// <summary>The guard as without the flag, but letting the test site's own endpoint through so it can redirect onwards.</summary>
    private FetchUrlOptions OnlyTheSiteExempt => new() { ExemptEndpoints = [new IPEndPoint(IPAddress.Loopback, _siteUrl.Port)] };

    [Fact]
    public async Task Extracts_a_pages_readable_text_and_a_pdfs()
    {
        using var tool = new FetchUrlTool(Private);
        var page = await tool.FetchAsync(Url("page"), default);
        page.IsError.Should().BeFalse(page.Observation);
        page.Observation.Should().Contain("Title: Tern facts").And.Contain("Arctic tern").And.Contain("The arctic tern flies 70,900 km a year.")
            .And.Contain("| mass | 100 g").And.NotContain("SCRIPT-TEXT").And.NotContain("color: red").And.NotContain("Menu");
        (await tool.FetchAsync(Url("paper.pdf"), default)).Observation.Should().Contain("Results section PDF-MARKER");
    }

    [Fact]
    public async Task Loopback_and_metadata_addresses_are_refused_without_the_flag_directly_and_after_a_redirect()
    {
        using var guarded = new FetchUrlTool();
        (await guarded.FetchAsync(Url("page"), default)).Should().Match<ToolOutput>(o => o.IsError && o.Observation.StartsWith("Refused:") && o.Observation.Contains("127.0.0.1"));
        (await guarded.FetchAsync($"http://localhost:{_siteUrl.Port}/page", default)).Observation.Should().StartWith("Refused:", "a name is judged by what it resolves to");
        (await guarded.FetchAsync("http://169.254.169.254/latest/meta-data/", default)).Observation.Should().StartWith("Refused:").And.Contain("169.254.169.254");

        using var redirected = new FetchUrlTool(OnlyTheSiteExempt);
        (await redirected.FetchAsync(Url("page"), default)).IsError.Should().BeFalse("the first hop is exempt");
        (await redirected.FetchAsync(Url("to-metadata"), default)).Observation.Should().StartWith("Refused:").And.Contain("169.254.169.254");
        var loopback = await redirected.FetchAsync(Url("to-loopback"), default);
        loopback.Observation.Should().StartWith("Refused:").And.NotContain("INTERNAL-SECRET");

        using var allowed = new FetchUrlTool(Private);
        (await allowed.FetchAsync(Url("to-loopback"), default)).Observation.Should().Contain("INTERNAL-SECRET", "--allow-private-urls lets tests reach local servers");
        (await allowed.FetchAsync(Url("hop/0"), default)).Observation.Should().Contain("redirected more than 5 times");
        (await allowed.FetchAsync("file:///etc/passwd", default)).Observation.Should().Contain("is not an http(s) URL");
    }

    [Fact]
    public async Task A_50_MB_page_is_cut_at_the_cap_without_being_downloaded_or_held()
    {
        using var tool = new FetchUrlTool(Private with { MaxBytes = 1 << 20, MaxChars = 1000 });
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var output = await tool.FetchAsync(Url("huge"), default);
        var used = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        output.IsError.Should().BeFalse(output.Observation);
        output.Observation.Should().Contain("larger than 1048576 bytes").And.Contain("cut at 1000 characters");
        used.Should().BeLessThan(30L << 20, "the page is streamed into a 1 MB cap, never held whole");
        // The connection is dropped once the cap is reached: the server's write loop ends (Kestrel then completes its
        // remaining writes without sending, so the bytes it counts are no measure of what was downloaded).
        await _hugeEnded.Task.WaitAsync(TimeSpan.FromSeconds(20));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_hanging_server_is_cut_at_the_time_cap()
    {
        using var tool = new FetchUrlTool(Private with { TimeoutSeconds = 1 });
        var watch = Stopwatch.StartNew();
        (await tool.FetchAsync(Url("hang"), default)).Should().Match<ToolOutput>(o => o.IsError && o.Observation.Contains("did not answer within 1 s"));
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        var trickle = await tool.FetchAsync(Url("trickle"), default);
        trickle.Observation.Should().Contain("FIRST-PART").And.Contain("still arriving after 1 s");
    }

    [Fact]
    public async Task Each_fetch_is_priced_by_the_catalog_and_held_first()
    {
        using var tool = new FetchUrlTool(Private);
        var recorded = new List<LedgerEntry>();
        await tool.InvokeAsync(ReadFileToolTests.Call(FetchUrlTool.ToolName, "ep", new { url = Url("page") }, new Ledger(recorded.Add)), default);
        recorded.Should().ContainSingle().Which.Should().Match<LedgerEntry>(e => e.Tool == "fetch_url" && e.CostUsd == new ToolPrices().WebExtractPerDoc);
        var perTool = new ToolPrices(PerTool: new Dictionary<string, decimal> { ["fetch_url"] = 0.05m });
        await FluentActions.Awaiting(() => tool.InvokeAsync(ReadFileToolTests.Call(FetchUrlTool.ToolName, "ep", new { url = Url("page") }, new Ledger(budgetUsd: 0.01m), perTool), default))
            .Should().ThrowAsync<BudgetExhaustedException>();
    }
}
