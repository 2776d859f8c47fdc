using System.Text.Json;
using ToolOrchestra.Tools.Retrieval;

namespace ToolOrchestra.Tools.Tests.Retrieval;

/// <summary>A small corpus with one right answer per question and distractors sharing its words.</summary>
public sealed class TestCorpus : IDisposable
{
    public static readonly (string Id, string Contents)[] Documents =
    [
        ("eiffel", "The Eiffel Tower in Paris was completed in 1889 and is 330 metres tall. It was designed by Gustave Eiffel's company."),
        ("paris-museum", "The Louvre in Paris is the world's most visited museum, home of the Mona Lisa."),
        ("tower-london", "The Tower of London is a historic castle on the north bank of the River Thames."),
        ("tokyo-tower", "Tokyo Tower is a communications tower in Minato, Tokyo, completed in 1958, inspired by a Paris landmark."),
        ("photosynthesis", "Photosynthesis converts light energy into chemical energy: plants use chlorophyll to turn carbon dioxide and water into glucose and oxygen."),
        ("chlorophyll", "Chlorophyll is the green pigment of plants and algae."),
        ("mitochondria", "Mitochondria produce most of the cell's chemical energy through cellular respiration."),
        ("python-lang", "Python is a programming language created by Guido van Rossum and first released in 1991."),
        ("python-snake", "Pythons are large non-venomous snakes found in Africa, Asia and Australia."),
        ("42", "The answer to the ultimate question of life, the universe and everything is 42, according to Douglas Adams."),
    ];

    public TestCorpus()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("corpus-");
        CorpusPath = Path.Combine(Directory.FullName, "corpus.jsonl");
        IndexPath = Path.Combine(Directory.FullName, "index.db");
        File.WriteAllLines(CorpusPath, Documents.Select((d, i) => (i % 3) switch
        {
            // the three text field names the reference's corpora use, and numeric ids
            0 => JsonSerializer.Serialize(new { id = d.Id, contents = d.Contents }),
            1 => JsonSerializer.Serialize(new { id = d.Id, content = d.Contents }),
            _ => d.Id == "42" ? JsonSerializer.Serialize(new { id = 42, text = d.Contents }) : JsonSerializer.Serialize(new { id = d.Id, text = d.Contents }),
        }));
        Report = LocalIndexBuilder.Build(CorpusPath, IndexPath);
        Index = LocalIndex.Open(IndexPath);
    }

    public DirectoryInfo Directory { get; }
    public string CorpusPath { get; }
    public string IndexPath { get; }
    public IndexBuildReport Report { get; }
    public LocalIndex Index { get; }

    public string File_(string name) => Path.Combine(Directory.FullName, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(recursive: true);
    }
}
