using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// The offline world: a generated corpus about fictional cities, people, companies and inventions, and QA tasks over it
/// (plus pure math and real-world "known" questions) with exact gold answers. Everything follows from the seed and the
/// options: the same seed gives the same corpus and tasks, byte for byte (<see cref="Fingerprint"/>).
/// </summary>
public sealed class World
{
    internal World(int seed, WorldOptions options, IReadOnlyList<City> cities, IReadOnlyList<Person> people,
        IReadOnlyList<Company> companies, IReadOnlyList<Invention> inventions, IReadOnlyDictionary<string, Fact> facts,
        IReadOnlyList<WorldDocument> documents, IReadOnlyList<WorldTask> tasks)
    {
        Seed = seed;
        Options = options;
        Cities = cities;
        People = people;
        Companies = companies;
        Inventions = inventions;
        Facts = facts;
        Documents = documents;
        Tasks = tasks;
        _documentsById = documents.ToDictionary(d => d.Id, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, WorldDocument> _documentsById;

    public int Seed { get; }
    public WorldOptions Options { get; }
    public IReadOnlyList<City> Cities { get; }
    public IReadOnlyList<Person> People { get; }
    public IReadOnlyList<Company> Companies { get; }
    public IReadOnlyList<Invention> Inventions { get; }

    /// <summary>Every fact by id (<c>company-007.founder</c>).</summary>
    public IReadOnlyDictionary<string, Fact> Facts { get; }

    public IReadOnlyList<WorldDocument> Documents { get; }
    public IReadOnlyList<WorldTask> Tasks { get; }

    public IEnumerable<WorldTask> TrainTasks => Tasks.Where(t => t.Split == "train");
    public IEnumerable<WorldTask> TestTasks => Tasks.Where(t => t.Split == "test");

    /// <summary>Generates the world of <paramref name="seed"/>; <paramref name="options"/> null uses <see cref="WorldOptions.Default"/>.</summary>
    public static World Generate(int seed, WorldOptions? options = null)
    {
        options ??= WorldOptions.Default;
        options.Validate();
        return new WorldGenerator(seed, options).Build();
    }

    public WorldDocument? Document(string id) => _documentsById.GetValueOrDefault(id);

    /// <summary>The facts stated by the given documents (unknown ids are ignored).</summary>
    public IReadOnlySet<string> FactsIn(IEnumerable<string> documentIds)
    {
        var facts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in documentIds)
            if (_documentsById.TryGetValue(id, out var d)) facts.UnionWith(d.FactIds);
        return facts;
    }

    /// <summary>
    /// How many of the task's facts, in hop order, the documents hold before the first missing one: a simulated expert
    /// can answer from context when this equals <c>task.FactIds.Count</c>, and can write the next hop's query from it.
    /// </summary>
    public int HopsCovered(WorldTask task, IEnumerable<string> documentIds)
    {
        var facts = FactsIn(documentIds);
        var hops = 0;
        while (hops < task.FactIds.Count && facts.Contains(task.FactIds[hops])) hops++;
        return hops;
    }

    /// <summary>Whether the documents hold every fact the task needs.</summary>
    public bool ContainsAnswer(WorldTask task, IEnumerable<string> documentIds) =>
        task.FactIds.Count > 0 && HopsCovered(task, documentIds) == task.FactIds.Count;

    /// <summary>The corpus as JSONL, one <c>{"id","contents"}</c> per line (the reference's retrieval corpus format).</summary>
    public void WriteCorpus(TextWriter writer)
    {
        foreach (var d in Documents)
            writer.Write(JsonSerializer.Serialize(new CorpusLine(d.Id, d.Contents), WorldJsonContext.Default.CorpusLine) + "\n");
    }

    /// <summary>
    /// The tasks as JSONL with the reference's training-row names where they exist (<c>id</c>, <c>category</c>,
    /// <c>problem</c>, <c>answer</c>, <c>pref_vec</c>) plus the world's own fields.
    /// </summary>
    public void WriteTasks(TextWriter writer)
    {
        foreach (var t in Tasks)
        {
            var line = new TaskLine(t.Id, "qa", t.Family.ToString().ToLowerInvariant(), t.Difficulty, t.Question, t.Answer, t.AcceptedAnswers,
                t.FactIds, t.SearchQueries, t.Solution, t.Preferences.Weights, t.Preferences.OnlyTags.Count > 0 ? t.Preferences.OnlyTags : null,
                t.PreferenceProfile, t.Split);
            writer.Write(JsonSerializer.Serialize(line, WorldJsonContext.Default.TaskLine) + "\n");
        }
    }

    /// <summary>SHA-256 of the corpus and tasks JSONL (first 16 hex digits): equal fingerprints, identical worlds.</summary>
    public string Fingerprint
    {
        get
        {
            var sb = new StringWriter();
            WriteCorpus(sb);
            WriteTasks(sb);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
        }
    }

    /// <summary>Writes corpus.jsonl and tasks.jsonl into <paramref name="directory"/> and returns their paths.</summary>
    public (string Corpus, string Tasks) Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var corpus = Path.Combine(directory, "corpus.jsonl");
        var tasks = Path.Combine(directory, "tasks.jsonl");
        using (var w = new StreamWriter(corpus, false, new UTF8Encoding(false))) WriteCorpus(w);
        using (var w = new StreamWriter(tasks, false, new UTF8Encoding(false))) WriteTasks(w);
        return (corpus, tasks);
    }
}

internal sealed record CorpusLine(string Id, string Contents);

internal sealed record TaskLine(
    string Id, string Category, string Family, int Difficulty, string Problem, string Answer, IReadOnlyList<string> AcceptedAnswers,
    IReadOnlyList<string> FactIds, IReadOnlyList<string> SearchQueries, string? Solution, IReadOnlyDictionary<string, double> PrefVec,
    IReadOnlyList<string>? OnlyTags, string PreferenceProfile, string Split);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CorpusLine))]
[JsonSerializable(typeof(TaskLine))]
internal sealed partial class WorldJsonContext : JsonSerializerContext;
