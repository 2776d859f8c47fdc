namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>A real-world fact a strong model knows from training, with how widely known it is (1 common … 3 obscure).</summary>
public sealed record KnownFact(string Question, string Answer, int Difficulty, params string[] OtherSpellings);

/// <summary>
/// The table behind <see cref="TaskFamily.Known"/> questions: capitals of countries and the chemical elements
/// (names, symbols, atomic numbers). Facts, not fiction: a search of the fictional corpus cannot find them.
/// </summary>
public static class KnownFacts
{
    private static readonly (string Country, string Capital, int Difficulty, string[] Other)[] Capitals =
    [
        ("France", "Paris", 1, []), ("Japan", "Tokyo", 1, []), ("Italy", "Rome", 1, []), ("Germany", "Berlin", 1, []),
        ("Spain", "Madrid", 1, []), ("Egypt", "Cairo", 1, []), ("Russia", "Moscow", 1, []), ("China", "Beijing", 1, []),
        ("the United Kingdom", "London", 1, []), ("Greece", "Athens", 1, []),
        ("Canada", "Ottawa", 2, []), ("Australia", "Canberra", 2, []), ("Brazil", "Brasília", 2, ["Brasilia"]),
        ("Turkey", "Ankara", 2, []), ("Switzerland", "Bern", 2, ["Berne"]), ("New Zealand", "Wellington", 2, []),
        ("Norway", "Oslo", 2, []), ("Portugal", "Lisbon", 2, []), ("Kenya", "Nairobi", 2, []),
        ("Argentina", "Buenos Aires", 2, []), ("Poland", "Warsaw", 2, []), ("Vietnam", "Hanoi", 2, []),
        ("Bhutan", "Thimphu", 3, []), ("Burkina Faso", "Ouagadougou", 3, []), ("Kyrgyzstan", "Bishkek", 3, []),
        ("Tajikistan", "Dushanbe", 3, []), ("Eritrea", "Asmara", 3, []), ("Suriname", "Paramaribo", 3, []),
        ("Mongolia", "Ulaanbaatar", 3, ["Ulan Bator"]), ("Laos", "Vientiane", 3, []), ("Lesotho", "Maseru", 3, []),
        ("Malawi", "Lilongwe", 3, []), ("Tuvalu", "Funafuti", 3, []), ("Turkmenistan", "Ashgabat", 3, []),
    ];

    private static readonly (string Name, string Symbol, int Number, int Difficulty)[] Elements =
    [
        ("hydrogen", "H", 1, 1), ("helium", "He", 2, 1), ("carbon", "C", 6, 1), ("nitrogen", "N", 7, 1),
        ("oxygen", "O", 8, 1), ("sodium", "Na", 11, 1), ("iron", "Fe", 26, 1), ("copper", "Cu", 29, 1),
        ("silver", "Ag", 47, 1), ("gold", "Au", 79, 1),
        ("neon", "Ne", 10, 2), ("magnesium", "Mg", 12, 2), ("aluminium", "Al", 13, 2), ("silicon", "Si", 14, 2),
        ("phosphorus", "P", 15, 2), ("sulfur", "S", 16, 2), ("chlorine", "Cl", 17, 2), ("argon", "Ar", 18, 2),
        ("potassium", "K", 19, 2), ("calcium", "Ca", 20, 2), ("titanium", "Ti", 22, 2), ("nickel", "Ni", 28, 2),
        ("zinc", "Zn", 30, 2), ("tin", "Sn", 50, 2), ("iodine", "I", 53, 2), ("platinum", "Pt", 78, 2),
        ("mercury", "Hg", 80, 2), ("lead", "Pb", 82, 2), ("uranium", "U", 92, 2),
        ("scandium", "Sc", 21, 3), ("vanadium", "V", 23, 3), ("gallium", "Ga", 31, 3), ("germanium", "Ge", 32, 3),
        ("selenium", "Se", 34, 3), ("rubidium", "Rb", 37, 3), ("strontium", "Sr", 38, 3), ("yttrium", "Y", 39, 3),
        ("zirconium", "Zr", 40, 3), ("niobium", "Nb", 41, 3), ("molybdenum", "Mo", 42, 3), ("ruthenium", "Ru", 44, 3),
        ("rhodium", "Rh", 45, 3), ("palladium", "Pd", 46, 3), ("antimony", "Sb", 51, 3), ("tellurium", "Te", 52, 3),
        ("hafnium", "Hf", 72, 3), ("tantalum", "Ta", 73, 3), ("tungsten", "W", 74, 3), ("rhenium", "Re", 75, 3),
        ("osmium", "Os", 76, 3), ("iridium", "Ir", 77, 3), ("thallium", "Tl", 81, 3), ("bismuth", "Bi", 83, 3),
        ("polonium", "Po", 84, 3), ("thorium", "Th", 90, 3),
    ];

    public static readonly IReadOnlyList<KnownFact> All = Build();

    private static List<KnownFact> Build()
    {
        var facts = new List<KnownFact>();
        foreach (var (country, capital, d, other) in Capitals)
            facts.Add(new KnownFact($"What is the capital city of {country}?", capital, d, other));
        foreach (var (name, symbol, number, d) in Elements)
        {
            facts.Add(new KnownFact($"What is the atomic number of {name}?", number.ToString(System.Globalization.CultureInfo.InvariantCulture), d));
            var capitalised = char.ToUpperInvariant(name[0]) + name[1..];
            facts.Add(new KnownFact($"Which chemical element has the symbol {symbol}?", capitalised, d,
                name == "aluminium" ? ["Aluminum"] : name == "sulfur" ? ["Sulphur"] : []));
        }
        return facts;
    }
}
