using System.Globalization;
using ToolOrchestra.Core;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>
/// Builds a <see cref="World"/> from one seeded <see cref="Random"/>: entities with namesakes, their facts, the
/// corpus, then the tasks. Every choice is drawn in a fixed order from that generator, so a seed fixes the world.
/// </summary>
internal sealed class WorldGenerator(int seed, WorldOptions options)
{
    private readonly Random _random = new(seed);
    private readonly HashSet<string> _stems = new(StringComparer.Ordinal);
    private readonly List<City> _cities = [];
    private readonly List<Person> _people = [];
    private readonly List<Company> _companies = [];
    private readonly List<Invention> _inventions = [];
    private readonly Dictionary<string, string> _stemOf = new(StringComparer.Ordinal); // entity id → namesake stem
    private readonly Dictionary<string, Fact> _facts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Fact>> _factsOf = new(StringComparer.Ordinal);

    private static readonly string[] Syllables =
    [
        "ka", "lo", "ven", "tar", "mi", "ro", "sel", "dra", "qui", "zen", "bor", "fa", "lis", "mor", "nel", "pra", "stu",
        "vor", "tri", "gal", "hen", "is", "jo", "kel", "lu", "mar", "nor", "os", "pel", "rin", "sa", "tor", "ul", "vey",
        "wen", "xa", "yor", "zu", "cal", "dun", "er", "bri", "che", "al", "mon", "ta", "vik", "ser",
    ];
    private static readonly string[] CitySuffixes = ["Falls", "Harbour", "Heights", "Crossing"];
    private static readonly string[] CompanySuffixes = ["Corp", "Industries", "Labs", "Dynamics", "Holdings", "Works", "Systems", "Foundry"];
    private static readonly string[] Devices = ["loom", "engine", "lens", "compass", "turbine", "press", "battery", "valve", "telescope", "kiln", "pump", "lantern"];
    private static readonly string[] Occupations =
        ["engineer", "chemist", "architect", "economist", "botanist", "cartographer", "composer", "physician", "mathematician", "shipwright", "astronomer", "geologist"];
    private static readonly string[] Events = ["trade fair", "regatta", "science festival", "music competition", "engineering congress", "harvest market"];

    public World Build()
    {
        var regions = Enumerable.Range(0, 6).Select(_ => NewStem(2)).ToList();
        for (var i = 0; i < options.Cities; i++) AddCity(i, regions);
        var firstNames = Enumerable.Range(0, 40).Select(_ => Capitalise(RandomWord(2))).Distinct().ToList();
        for (var i = 0; i < options.People; i++) AddPerson(i, firstNames);
        for (var i = 0; i < options.Companies; i++) AddCompany(i);
        for (var i = 0; i < options.Inventions; i++) AddInvention(i);

        var documents = BuildCorpus(regions);
        var tasks = BuildTasks();
        return new World(seed, options, _cities, _people, _companies, _inventions, _facts, documents, tasks);
    }

    // ---------------------------------------------------------------- names

    private string RandomWord(int syllables)
    {
        var s = "";
        for (var i = 0; i < syllables; i++) s += Syllables[_random.Next(Syllables.Length)];
        return s;
    }

    private static string Capitalise(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    private string NewStem(int syllables)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stem = Capitalise(RandomWord(syllables + attempt / 50));
            if (_stems.Add(stem)) return stem;
        }
    }

    /// <summary>An existing stem (a namesake) with probability 0.3 once there are some, else a fresh one.</summary>
    private string Stem(IReadOnlyList<string> existing) =>
        existing.Count > 0 && _random.NextDouble() < 0.3 ? existing[_random.Next(existing.Count)] : NewStem(2 + _random.Next(2));

    /// <summary>
    /// A stem for a new entity of a kind (a namesake's, sometimes: <see cref="Stem"/>) and the name
    /// <paramref name="compose"/> makes of it — told whether the stem is a namesake's — drawn again until no entity of
    /// the kind has that name.
    /// </summary>
    private (string Stem, string Name) UniqueName(IEnumerable<string> idsOfKind, Func<string, bool, string> compose, Func<string, bool> taken)
    {
        var stems = idsOfKind.Select(id => _stemOf[id]).Distinct().ToList();
        string stem, name;
        do
        {
            stem = Stem(stems);
            name = compose(stem, stems.Contains(stem));
        } while (taken(name));
        return (stem, name);
    }

    private static string Article(string word) => "aeiou".Contains(word[0]) ? "an" : "a";

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private void AddFact(string entityId, string attribute, string value, long? number, string sentence)
    {
        var fact = new Fact($"{entityId}.{attribute}", entityId, attribute, value, number, sentence);
        _facts.Add(fact.Id, fact);
        if (!_factsOf.TryGetValue(entityId, out var list)) _factsOf[entityId] = list = [];
        list.Add(fact);
    }

    // ---------------------------------------------------------------- entities

    private void AddCity(int i, List<string> regions)
    {
        // A namesake city takes a suffix ("Norvik Falls"); a few fresh ones do too.
        var (stem, name) = UniqueName(_cities.Select(c => c.Id),
            (stem, namesake) => namesake || _random.NextDouble() < 0.2 ? $"{stem} {CitySuffixes[_random.Next(CitySuffixes.Length)]}" : stem,
            name => _cities.Any(c => c.Name == name));
        var city = new City($"city-{i + 1:D3}", name, regions[_random.Next(regions.Count)], _random.Next(1100, 1841), (int)LogUniform(20_000, 3_000_000));
        _cities.Add(city);
        _stemOf[city.Id] = stem;
        AddFact(city.Id, "region", city.Region, null, $"{city.Name} lies in the {city.Region} region.");
        AddFact(city.Id, "founded", city.Founded.ToString(CultureInfo.InvariantCulture), city.Founded, $"{city.Name} was founded in {city.Founded}.");
        AddFact(city.Id, "population", N(city.Population), city.Population, $"{city.Name} has a population of {N(city.Population)}.");
    }

    private void AddPerson(int i, List<string> firstNames)
    {
        var (last, name) = UniqueName(_people.Select(p => p.Id), (last, _) => $"{firstNames[_random.Next(firstNames.Count)]} {last}",
            name => _people.Any(p => p.Name == name));
        var person = new Person($"person-{i + 1:D3}", name, _random.Next(1820, 1971), _cities[_random.Next(_cities.Count)].Id,
            Occupations[_random.Next(Occupations.Length)]);
        _people.Add(person);
        _stemOf[person.Id] = last;
        var birthplace = CityById(person.BirthplaceId).Name;
        AddFact(person.Id, "born", person.Born.ToString(CultureInfo.InvariantCulture), person.Born, $"{person.Name} was born in {person.Born}.");
        AddFact(person.Id, "birthplace", birthplace, null, $"{person.Name} was born in the city of {birthplace}.");
        AddFact(person.Id, "occupation", person.Occupation, null, $"{person.Name} worked as {Article(person.Occupation)} {person.Occupation}.");
    }

    private void AddCompany(int i)
    {
        var (stem, name) = UniqueName(_companies.Select(c => c.Id), (stem, _) => $"{stem} {CompanySuffixes[_random.Next(CompanySuffixes.Length)]}",
            name => _companies.Any(c => c.Name == name));
        var founder = _people[_random.Next(_people.Count)];
        var company = new Company($"company-{i + 1:D3}", name, founder.Born + _random.Next(22, 51), founder.Id,
            _cities[_random.Next(_cities.Count)].Id, (int)LogUniform(40, 90_000));
        _companies.Add(company);
        _stemOf[company.Id] = stem;
        var hq = CityById(company.HeadquartersId).Name;
        AddFact(company.Id, "founded", company.Founded.ToString(CultureInfo.InvariantCulture), company.Founded, $"{company.Name} was founded in {company.Founded}.");
        AddFact(company.Id, "founder", founder.Name, null, $"{company.Name} was founded by {founder.Name}.");
        AddFact(company.Id, "headquarters", hq, null, $"{company.Name} is headquartered in {hq}.");
        AddFact(company.Id, "employees", N(company.Employees), company.Employees, $"{company.Name} employs {N(company.Employees)} people.");
    }

    private void AddInvention(int i)
    {
        var (stem, name) = UniqueName(_inventions.Select(v => v.Id), (stem, _) => $"{stem} {Devices[_random.Next(Devices.Length)]}",
            name => _inventions.Any(v => v.Name == name));
        var inventor = _people[_random.Next(_people.Count)];
        var year = inventor.Born + _random.Next(25, 56);
        var makers = _companies.Where(c => c.Founded < year).ToList();
        var maker = makers.Count > 0 ? makers[_random.Next(makers.Count)] : _companies[_random.Next(_companies.Count)];
        year = Math.Max(year, maker.Founded + 1);
        var invention = new Invention($"invention-{i + 1:D3}", name, year, inventor.Id, maker.Id);
        _inventions.Add(invention);
        _stemOf[invention.Id] = stem;
        AddFact(invention.Id, "year", year.ToString(CultureInfo.InvariantCulture), year, $"The {name} was invented in {year}.");
        AddFact(invention.Id, "inventor", inventor.Name, null, $"The {name} was invented by {inventor.Name}.");
        AddFact(invention.Id, "maker", maker.Name, null, $"The {name} was produced by {maker.Name}.");
    }

    private double LogUniform(double min, double max) => Math.Round(Math.Exp(Math.Log(min) + _random.NextDouble() * (Math.Log(max) - Math.Log(min))));

    private City CityById(string id) => _cities.First(c => c.Id == id);
    private Person PersonById(string id) => _people.First(p => p.Id == id);
    private Company CompanyById(string id) => _companies.First(c => c.Id == id);

    private int Namesakes(string entityId)
    {
        var stem = _stemOf[entityId];
        var kind = entityId[..entityId.IndexOf('-')];
        return _stemOf.Count(kv => kv.Key != entityId && kv.Value == stem && kv.Key.StartsWith(kind, StringComparison.Ordinal));
    }

    private string NameOf(string entityId) => entityId[..entityId.IndexOf('-')] switch
    {
        "city" => CityById(entityId).Name,
        "person" => PersonById(entityId).Name,
        "company" => CompanyById(entityId).Name,
        _ => "the " + _inventions.First(v => v.Id == entityId).Name,
    };

    // ---------------------------------------------------------------- corpus

    private List<WorldDocument> BuildCorpus(List<string> regions)
    {
        var drafts = new List<(string Title, string Contents, IReadOnlyList<string> FactIds, bool Distractor)>();
        var entityIds = _cities.Select(c => c.Id).Concat(_people.Select(p => p.Id)).Concat(_companies.Select(c => c.Id)).Concat(_inventions.Select(v => v.Id));
        foreach (var id in entityIds)
        {
            var facts = _factsOf[id].OrderBy(_ => _random.Next()).ToList();
            var title = NameOf(id) is var n && n.StartsWith("the ", StringComparison.Ordinal) ? Capitalise(n[4..]) : n;
            drafts.Add((title, $"{title}\n{string.Join(" ", facts.Select(f => f.Sentence))}", facts.Select(f => f.Id).ToList(), false));
            for (var k = 0; k < options.DistractorsPerEntity; k++)
                drafts.Add((title, $"{title}\n{Distractor(id)}", [], true));
        }
        // Shuffle, then number: document ids say nothing about what they hold.
        var shuffled = drafts.OrderBy(_ => _random.Next()).ToList();
        return shuffled.Select((d, i) => new WorldDocument($"doc-{i + 1:D5}", d.Title, d.Contents, d.FactIds, d.Distractor)).ToList();
    }

    /// <summary>A document naming the entity but stating none of the facts tasks ask for (news, events, namesakes' trips).</summary>
    private string Distractor(string entityId)
    {
        var name = NameOf(entityId);
        var subject = name.StartsWith("the ", StringComparison.Ordinal) ? "The " + name[4..] : name;
        var city = _cities[_random.Next(_cities.Count)].Name;
        var year = _random.Next(1900, 2024);
        var ev = Events[_random.Next(Events.Length)];
        return (entityId[..entityId.IndexOf('-')], _random.Next(3)) switch
        {
            ("company", 0) => $"{subject} opened a regional office in {city} in {year}. The office was closed a few years later.",
            ("person", 0) => $"{subject} visited {city} in {year} to give a public lecture at the {ev}.",
            ("city", 0) => $"{subject} hosted the {year} {ev}, which drew visitors from {city}.",
            ("invention", 0) => $"{subject} was shown at the {year} {ev} in {city}.",
            (_, 1) => $"A {year} survey of the {ev} in {city} mentioned {name} among its notable topics.",
            _ => $"Local newspapers in {city} wrote about {name} in {year}, noting renewed public interest after the {ev}.",
        };
    }

    // ---------------------------------------------------------------- tasks

    private List<WorldTask> BuildTasks()
    {
        var profiles = options.Profiles ?? PreferenceProfiles.Default;
        var tasks = new List<WorldTask>();
        foreach (var family in Enum.GetValues<TaskFamily>())
        {
            var questions = new HashSet<string>(StringComparer.Ordinal);
            var drafts = new List<Draft>();
            var target = family == TaskFamily.Known ? Math.Min(options.TasksPerFamily, KnownFacts.All.Count) : options.TasksPerFamily;
            var known = family == TaskFamily.Known ? KnownFacts.All.OrderBy(_ => _random.Next()).ToList() : null;
            for (var attempt = 0; drafts.Count < target && attempt < target * 20; attempt++)
            {
                var draft = family switch
                {
                    TaskFamily.Lookup => Lookup(),
                    TaskFamily.MultiHop => MultiHop(),
                    TaskFamily.Arithmetic => Arithmetic(),
                    TaskFamily.Math => MathTask(),
                    _ => Known(known![drafts.Count]),
                };
                if (questions.Add(draft.Question)) drafts.Add(draft);
            }
            var heldOut = (int)Math.Round(drafts.Count * options.HeldOutFraction);
            for (var i = 0; i < drafts.Count; i++)
            {
                var d = drafts[i];
                var profile = PickProfile(profiles);
                var familyName = family switch { TaskFamily.MultiHop => "multihop", _ => family.ToString().ToLowerInvariant() };
                tasks.Add(new WorldTask($"{familyName}-{i + 1:D4}", family, d.Difficulty, d.Question, d.Answer, d.Accepted, d.FactIds,
                    d.Queries, d.Solution, profile.Preferences, profile.Name, i >= drafts.Count - heldOut ? "test" : "train"));
            }
        }
        return tasks;
    }

    private sealed record Draft(string Question, string Answer, IReadOnlyList<string> Accepted, int Difficulty,
        IReadOnlyList<string> FactIds, IReadOnlyList<string> Queries, string? Solution);

    private PreferenceProfile PickProfile(IReadOnlyList<PreferenceProfile> profiles) =>
        PreferenceProfile.Pick(profiles, _random.Next(profiles.Sum(p => Math.Max(1, p.Share))));

    private static IReadOnlyList<string> Spellings(Fact f) =>
        f.Number is { } n && f.Value != n.ToString(CultureInfo.InvariantCulture) ? [f.Value, n.ToString(CultureInfo.InvariantCulture)] : [f.Value];

    private static readonly (string Kind, string Attribute, string Question, string Query)[] LookupTemplates =
    [
        ("city", "population", "What is the population of {0}?", "{0} population"),
        ("city", "founded", "In what year was {0} founded?", "{0} founded year"),
        ("city", "region", "In which region does {0} lie?", "{0} region"),
        ("person", "born", "In what year was {0} born?", "{0} born year"),
        ("person", "birthplace", "In which city was {0} born?", "{0} born city"),
        ("person", "occupation", "What did {0} work as?", "{0} occupation"),
        ("company", "founded", "In what year was {0} founded?", "{0} founded year"),
        ("company", "founder", "Who founded {0}?", "{0} founded by"),
        ("company", "headquarters", "In which city is {0} headquartered?", "{0} headquartered"),
        ("company", "employees", "How many people does {0} employ?", "{0} employs people"),
        ("invention", "year", "In what year was {0} invented?", "{0} invented year"),
        ("invention", "inventor", "Who invented {0}?", "{0} invented by"),
        ("invention", "maker", "Which company produced {0}?", "{0} produced by"),
    ];

    private string RandomId(string kind) => kind switch
    {
        "city" => _cities[_random.Next(_cities.Count)].Id,
        "person" => _people[_random.Next(_people.Count)].Id,
        "company" => _companies[_random.Next(_companies.Count)].Id,
        _ => _inventions[_random.Next(_inventions.Count)].Id,
    };

    private Draft Lookup()
    {
        var (kind, attribute, question, query) = LookupTemplates[_random.Next(LookupTemplates.Length)];
        var id = RandomId(kind);
        var fact = _facts[$"{id}.{attribute}"];
        var name = NameOf(id);
        return new Draft(string.Format(CultureInfo.InvariantCulture, question, name), fact.Value, Spellings(fact),
            1 + Math.Min(Namesakes(id), 2), [fact.Id], [string.Format(CultureInfo.InvariantCulture, query, name)], null);
    }

    private Draft MultiHop()
    {
        switch (_random.Next(4))
        {
            case 0:
            {
                var c = _companies[_random.Next(_companies.Count)];
                var p = PersonById(c.FounderId);
                return Hop2($"In which city was the founder of {c.Name} born?", c.Id, p.Id, _facts[$"{c.Id}.founder"], _facts[$"{p.Id}.birthplace"],
                    $"{c.Name} founded by", $"{p.Name} born city");
            }
            case 1:
            {
                var v = _inventions[_random.Next(_inventions.Count)];
                var c = CompanyById(v.MakerId);
                return Hop2($"In what year was the company that produced the {v.Name} founded?", v.Id, c.Id, _facts[$"{v.Id}.maker"], _facts[$"{c.Id}.founded"],
                    $"{v.Name} produced by", $"{c.Name} founded year");
            }
            case 2:
            {
                var c = _companies[_random.Next(_companies.Count)];
                var city = CityById(c.HeadquartersId);
                return Hop2($"What is the population of the city where {c.Name} is headquartered?", c.Id, city.Id, _facts[$"{c.Id}.headquarters"], _facts[$"{city.Id}.population"],
                    $"{c.Name} headquartered", $"{city.Name} population");
            }
            default:
            {
                var v = _inventions[_random.Next(_inventions.Count)];
                var p = PersonById(v.InventorId);
                return Hop2($"In what year was the inventor of the {v.Name} born?", v.Id, p.Id, _facts[$"{v.Id}.inventor"], _facts[$"{p.Id}.born"],
                    $"{v.Name} invented by", $"{p.Name} born year");
            }
        }
    }

    private Draft Hop2(string question, string firstId, string secondId, Fact first, Fact second, string query1, string query2) =>
        new(question, second.Value, Spellings(second), Namesakes(firstId) + Namesakes(secondId) > 0 ? 3 : 2,
            [first.Id, second.Id], [query1, query2], null);

    private Draft Arithmetic()
    {
        var difficulty = 1 + _random.Next(3);
        if (difficulty == 1)
        {
            var (id, fact) = _random.Next(2) == 0
                ? (_cities[_random.Next(_cities.Count)].Id, "founded")
                : (_companies[_random.Next(_companies.Count)].Id, "founded");
            var f = _facts[$"{id}.{fact}"];
            var answer = (2025 - f.Number!.Value).ToString(CultureInfo.InvariantCulture);
            return new Draft($"How many years before 2025 was {NameOf(id)} founded?", answer, [answer], 1, [f.Id],
                [$"{NameOf(id)} founded year"], $"founded = {f.Number}  # from: {f.Sentence}\nprint(2025 - founded)");
        }
        if (difficulty == 2)
        {
            var a = _cities[_random.Next(_cities.Count)];
            var b = _cities[_random.Next(_cities.Count)];
            while (b.Id == a.Id) b = _cities[_random.Next(_cities.Count)];
            if (_random.Next(2) == 0)
            {
                var (fa, fb) = (_facts[$"{a.Id}.population"], _facts[$"{b.Id}.population"]);
                var sum = (long)a.Population + b.Population;
                return new Draft($"What is the combined population of {a.Name} and {b.Name}?", N(sum), [N(sum), sum.ToString(CultureInfo.InvariantCulture)], 2,
                    [fa.Id, fb.Id], [$"{a.Name} population", $"{b.Name} population"],
                    $"a = {a.Population}  # from: {fa.Sentence}\nb = {b.Population}  # from: {fb.Sentence}\nprint(a + b)");
            }
            var (ya, yb) = (_facts[$"{a.Id}.founded"], _facts[$"{b.Id}.founded"]);
            var diff = Math.Abs(a.Founded - b.Founded).ToString(CultureInfo.InvariantCulture);
            return new Draft($"How many years passed between the founding of {a.Name} and the founding of {b.Name}?", diff, [diff], 2,
                [ya.Id, yb.Id], [$"{a.Name} founded year", $"{b.Name} founded year"],
                $"a = {a.Founded}  # from: {ya.Sentence}\nb = {b.Founded}  # from: {yb.Sentence}\nprint(abs(a - b))");
        }
        var c = _companies[_random.Next(_companies.Count)];
        var p = PersonById(c.FounderId);
        var (f1, f2, f3) = (_facts[$"{c.Id}.founder"], _facts[$"{p.Id}.born"], _facts[$"{c.Id}.founded"]);
        var years = (c.Founded - p.Born).ToString(CultureInfo.InvariantCulture);
        return new Draft($"How many years after the birth of its founder was {c.Name} founded?", years, [years], 3,
            [f1.Id, f2.Id, f3.Id], [$"{c.Name} founded by", $"{p.Name} born year"],
            $"founded = {c.Founded}  # from: {f3.Sentence}\nborn = {p.Born}  # from: {f2.Sentence}\nprint(founded - born)");
    }

    private Draft MathTask()
    {
        var m = MathProblems.Generate(_random, 1 + _random.Next(3));
        return new Draft(m.Question, m.Answer, [m.Answer], m.Difficulty, [], [], m.Solution);
    }

    private static Draft Known(KnownFact k) => new(k.Question, k.Answer, [k.Answer, .. k.OtherSpellings], k.Difficulty, [], [], null);
}
