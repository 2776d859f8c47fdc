using ToolOrchestra.Tools.CodeSandbox;

namespace ToolOrchestra.Tools.Tests.CodeSandbox;

public sealed class SandboxLayersTests
{
    [Fact]
    public void Names_the_four_layers_and_says_how_kernel_buffers_are_bounded()
    {
        var layers = SandboxLayers.Describe(new SandboxOptions { MaxProcesses = 8, MaxOpenFiles = 64 });

        layers.Select(l => l.Name).Should().Equal("namespaces", "seccomp", "cgroup", "rlimits");
        layers.Single(l => l.Name == "seccomp").Active.Should().BeTrue("libseccomp2 is installed by .ci/install-tools.sh");
        var cgroup = layers.Single(l => l.Name == "cgroup");
        cgroup.Detail.Should().Contain(cgroup.Active ? "counts kernel buffers" : "8 processes x 64 descriptors");
    }
}
