using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>The registry is a table plus per-folder lookup: asking never registers, one folder never leaks into another.</summary>
public sealed class Tau2DomainRegistryTests : IDisposable
{
    private readonly string _a = Directory.CreateTempSubdirectory("registry-a").FullName;
    private readonly string _b = Directory.CreateTempSubdirectory("registry-b").FullName;

    public void Dispose()
    {
        Directory.Delete(_a, true);
        Directory.Delete(_b, true);
    }

    [Fact]
    public void Asking_whether_a_domain_exists_registers_nothing()
    {
        DeclarativeDomainTests.WriteDataFolder(_a, "inn_q");
        Directory.CreateDirectory(Path.Combine(_b, "domains"));

        Tau2Domain.Exists(_a, "inn_q").Should().BeTrue();
        Tau2Domain.Load(_a, "inn_q").Name.Should().Be("inn_q");

        // Before, the query above registered inn_q process-wide: it showed in every folder and in the built-in names.
        Tau2Domain.Exists(_b, "inn_q").Should().BeFalse();
        Tau2Domain.Names.Should().NotContain("inn_q").And.Equal("airline", "mock", "retail", "telecom");
        Tau2DomainRegistry.BuiltIn.Find(Tau2Domain.ResolveDataDir(_b), "inn_q").Should().BeNull();
        FluentActions.Invoking(() => Tau2Domain.Load(_b, "inn_q")).Should().Throw<UserError>()
            .WithMessage("unknown tau2 domain 'inn_q'; expected one of airline, mock, retail, telecom.");
    }

    [Fact]
    public void A_folders_declarative_domains_are_listed_with_the_built_in_ones()
    {
        DeclarativeDomainTests.WriteDataFolder(_a, "inn_r");
        Tau2Domain.NamesIn(_a).Should().Equal("airline", "inn_r", "mock", "retail", "telecom");
        FluentActions.Invoking(() => Tau2Domain.Load(_a, "inn_x")).Should().Throw<UserError>().WithMessage("*expected one of airline, inn_r, mock, retail, telecom.");
    }

    [Fact]
    public void A_name_outside_the_domains_folder_is_not_a_domain()
    {
        DeclarativeDomainTests.WriteDataFolder(_a, "inn_s");
        Tau2Domain.Exists(Path.Combine(_a), "../domains/inn_s").Should().BeFalse();
        Tau2Domain.Exists(_a, "").Should().BeFalse();
    }

    [Fact]
    public void A_registry_with_more_domains_is_a_new_registry()
    {
        var custom = new Tau2DomainDefinition("custom", ToolOrchestra.Environments.Tau2.Mock.MockDomain.Definition.Load);
        var registry = Tau2DomainRegistry.BuiltIn.With(custom);
        registry.Names.Should().Contain("custom");
        Tau2DomainRegistry.BuiltIn.Names.Should().NotContain("custom");
        FluentActions.Invoking(() => registry.With(custom)).Should().Throw<UserError>().WithMessage("a tau2 domain named 'custom' is already registered*");
        FluentActions.Invoking(() => Tau2DomainRegistry.BuiltIn.With(custom with { Name = "airline" })).Should().Throw<UserError>();
    }
}
