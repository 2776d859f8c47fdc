using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Core.Tests;

public sealed class EstimatingTokenCounterTests
{
    [Fact]
    public void Keeps_the_end_of_the_text_as_the_reference_truncation_does()
    {
        var c = EstimatingTokenCounter.Instance;
        c.IsExact.Should().BeFalse();
        c.Count("abcdefghi").Should().Be(3);
        c.KeepLast("abcdefghij", 2).Should().Be("cdefghij");
        c.KeepLast("abc", 10).Should().Be("abc");
    }
}
