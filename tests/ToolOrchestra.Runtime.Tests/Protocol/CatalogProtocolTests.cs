using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Core.Catalog;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>A catalog can choose the protocol variant (orchestrator.protocol); a wrong name is a clear error naming the file.</summary>
public sealed class CatalogProtocolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("catalog-protocol").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private Catalog WithProtocol(string? protocol)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "ToolOrchestra.slnx"))) root = Path.GetDirectoryName(root)!;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "examples", "catalog.paper.json")))!;
        json.AsObject().Remove("$schema");
        if (protocol is not null) json["orchestrator"]!["protocol"] = protocol;
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, json.ToJsonString());
        return CatalogLoader.Load(path);
    }

    [Fact]
    public void The_catalog_names_the_variant()
    {
        QaProtocolVariant.FromCatalog(WithProtocol("frames")).Should().BeSameAs(QaProtocolVariant.Frames);
        QaProtocolVariant.FromCatalog(WithProtocol(null)).Should().BeNull();
    }

    [Fact]
    public void An_unknown_variant_names_the_file_the_field_and_the_choices()
    {
        var act = () => QaProtocolVariant.FromCatalog(WithProtocol("hle2"));
        act.Should().Throw<UserError>().WithMessage("*catalog.json: $.orchestrator.protocol: unknown protocol 'hle2'; use one of: legacy, hle, frames, train.");
    }
}
