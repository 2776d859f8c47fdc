using System.Globalization;
using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Environments.OfflineWorld.SimulatedExperts;

/// <summary>One simulated reply: the text an endpoint would return, the usage it would report, and the seconds it would take.</summary>
public sealed record ExpertReply(string Content, long PromptTokens, long CompletionTokens, double LatencySeconds, ExpertRole Role, string? TaskId)
{
    /// <summary>Always true: no model produced this reply.</summary>
    public bool Simulated => true;
}

/// <summary>
/// A simulated expert of the offline world: reads the prompt the runtime built (reference §2.1 wording), recognises
/// the world task in it and which of the task's facts the context holds (a fact counts only when its whole sentence
/// survived truncation), then answers, writes a query or writes code with probabilities set by its
/// <see cref="ExpertProfile"/> and the task's difficulty. It cannot know fictional facts it was not shown. Pure: the
/// reply is a function of (world, profile, prompt, seed), so the same request always gets the same reply, and it does
/// no I/O and takes no time — the latency is reported for a virtual clock.
/// </summary>
public sealed class SimulatedExpert
{
    private const double TokenSpread = 0.3; // log-normal spread of output lengths
    private const int KeyLength = 24;

    private readonly World _world;
    private readonly ITokenCounter _tokens;
    private readonly Dictionary<string, List<WorldTask>> _tasksByPrefix = new(StringComparer.Ordinal);
    private readonly SortedSet<int> _keyLengths = [KeyLength]; // questions shorter than KeyLength are keyed whole
    private readonly Dictionary<string, Fact> _factBySentence = new(StringComparer.Ordinal); // sentence without its full stop

    public SimulatedExpert(World world, ExpertProfile profile, ITokenCounter? tokens = null)
    {
        _world = world;
        Profile = profile;
        _tokens = tokens ?? EstimatingTokenCounter.Instance;
        foreach (var t in world.Tasks)
        {
            var key = t.Question.Length > KeyLength ? t.Question[..KeyLength] : t.Question;
            _keyLengths.Add(key.Length);
            if (!_tasksByPrefix.TryGetValue(key, out var list)) _tasksByPrefix[key] = list = [];
            list.Add(t);
        }
        foreach (var f in world.Facts.Values) _factBySentence.TryAdd(f.Sentence.TrimEnd('.'), f);
    }

    public ExpertProfile Profile { get; }

    /// <summary>The expert for a catalog model id or provider name from <see cref="ExpertCalibration"/>; null when uncalibrated.</summary>
    public static SimulatedExpert? ForModel(World world, string modelId, ITokenCounter? tokens = null) =>
        ExpertCalibration.Find(modelId) is { } p ? new SimulatedExpert(world, p, tokens) : null;

    /// <summary>Replies to <paramref name="prompt"/> (all messages' text, system first).</summary>
    public ExpertReply Respond(string prompt, int seed = 0)
    {
        var hash = FeatureHashing.Combine(FeatureHashing.Hash(prompt, (ulong)(uint)seed), FeatureHashing.Hash(Profile.ModelId, 0));
        var random = new Random((int)(hash ^ (hash >> 32)));
        var role = RoleOf(prompt);
        var task = FindTask(prompt);

        var content = role switch
        {
            ExpertRole.Search => Query(task, prompt, random),
            ExpertRole.Code => $"<think>(simulated {Profile.ModelId}) writing a program</think>\n```python\n" + Code(task, prompt, random) + "\n```",
            _ => Answer(task, prompt, random),
        };

        var mean = Profile.MeanTokens(role);
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var completion = Math.Max(_tokens.Count(content), (long)Math.Round(mean * Math.Exp(TokenSpread * z - TokenSpread * TokenSpread / 2)));
        return new ExpertReply(content, _tokens.Count(prompt), completion, Profile.LatencyFor(completion), role, task?.Id);
    }

    public static ExpertRole RoleOf(string prompt) =>
        prompt.Contains("Wrap the query within <query>", StringComparison.Ordinal) ? ExpertRole.Search
        : prompt.Contains("write additional python code", StringComparison.Ordinal) ? ExpertRole.Code
        : ExpertRole.Answer;

    /// <summary>The world task whose question the prompt states (after "Question: ", "Problem:" or at a line start).</summary>
    public WorldTask? FindTask(string prompt)
    {
        WorldTask? Try(int start)
        {
            if (start < 0 || start >= prompt.Length) return null;
            foreach (var length in _keyLengths)
            {
                if (start + length > prompt.Length) continue;
                if (!_tasksByPrefix.TryGetValue(prompt.Substring(start, length), out var candidates)) continue;
                var found = candidates.FirstOrDefault(t => string.CompareOrdinal(prompt, start, t.Question, 0, t.Question.Length) == 0);
                if (found is not null) return found;
            }
            return null;
        }

        foreach (var marker in (string[])["Question: ", "Problem:\n", "Problem: "])
            for (var at = prompt.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = prompt.IndexOf(marker, at + 1, StringComparison.Ordinal))
                if (Try(at + marker.Length) is { } t) return t;
        for (var at = 0; at >= 0 && at < prompt.Length; at = prompt.IndexOf('\n', at) is var nl and >= 0 ? nl + 1 : -1)
            if (Try(at) is { } t) return t;
        return null;
    }

    /// <summary>How many of the task's facts, in order, appear whole in the prompt; and whether all do.</summary>
    private static (int FirstMissing, bool All) FactsShown(World world, WorldTask task, string prompt)
    {
        var firstMissing = -1;
        for (var i = 0; i < task.FactIds.Count; i++)
            if (!prompt.Contains(world.Facts[task.FactIds[i]].Sentence, StringComparison.Ordinal))
            {
                firstMissing = i;
                break;
            }
        return firstMissing < 0 ? (task.FactIds.Count, task.FactIds.Count > 0) : (firstMissing, false);
    }

    /// <summary>Whether an executed program's output block in the context shows the gold answer.</summary>
    private static bool CodeShowsAnswer(WorldTask task, string prompt)
    {
        for (var at = prompt.IndexOf("```output\n", StringComparison.Ordinal); at >= 0; at = prompt.IndexOf("```output\n", at + 1, StringComparison.Ordinal))
        {
            var start = at + "```output\n".Length;
            var end = prompt.IndexOf("```", start, StringComparison.Ordinal);
            var output = end < 0 ? prompt[start..] : prompt[start..end];
            if (task.AcceptedAnswers.Any(a => output.Contains(a, StringComparison.OrdinalIgnoreCase))) return true;
        }
        return false;
    }

    private string Query(WorldTask? task, string prompt, Random random)
    {
        string query;
        if (task is null) query = "missing information";
        else if (task.SearchQueries.Count == 0) query = task.Question;
        else
        {
            var (firstMissing, _) = FactsShown(_world, task, prompt);
            var hop = Math.Min(firstMissing, task.SearchQueries.Count - 1);
            var ideal = task.SearchQueries[hop];
            query = random.NextDouble() < (KnowsQuery(task, hop) ? CompetentQueryChance : LuckyQueryChance) ? ideal
                : random.Next(2) == 0 ? task.Question // repeats the question: finds the first hop at best
                : string.Join(' ', FeatureHashing.Words(task.Question).Where(w => w.Length > 3).Take(4)); // vague keywords, names lost
        }
        return $"<think>(simulated {Profile.ModelId}) deciding what to search for</think>\n<query>{query}</query>";
    }

    // A model that knows how to phrase a hop's query still slips now and then; one that does not is rarely lucky.
    private const double CompetentQueryChance = 0.95, LuckyQueryChance = 0.1;

    /// <summary>
    /// Whether this model knows how to phrase the query for <paramref name="hop"/> of <paramref name="task"/>: drawn once
    /// per (model, task, hop) from <see cref="ExpertProfile.QueryQuality"/>, not per call, so re-asking a model that
    /// lacks the disambiguation a hard question needs keeps failing, as it does with real models.
    /// </summary>
    public bool KnowsQuery(WorldTask task, int hop)
    {
        var h = FeatureHashing.Combine(FeatureHashing.Hash(task.Id, (ulong)hop), FeatureHashing.Hash(Profile.ModelId, 1));
        return (h >> 11) * (1.0 / (1UL << 53)) < Profile.QueryQuality.At(task.Difficulty);
    }

    private string Code(WorldTask? task, string prompt, Random random)
    {
        // The program text depends on the task, not on the model or the dice, so the code-hash cache sees few
        // distinct programs: the real sandbox runs each once however many rollouts write it.
        if (task?.Solution is null)
            return "# simulated expert: nothing to compute for this question\nprint(\"no computation needed\")";
        var (_, all) = FactsShown(_world, task, prompt);
        if (task.Family != TaskFamily.Math && !all)
            return $"# simulated expert: the facts are not in the context, guessing\nprint({10 + (int)(FeatureHashing.Hash(task.Id, 7) % 4990)})";
        return random.NextDouble() < Profile.Code.At(task.Difficulty) ? task.Solution : Buggy(task.Solution);
    }

    /// <summary>A plausible wrong program: the right computation off by one.</summary>
    private static string Buggy(string solution)
    {
        var lines = solution.Split('\n');
        var last = lines[^1];
        if (last.StartsWith("print(", StringComparison.Ordinal) && last.EndsWith(')'))
            lines[^1] = $"print(({last[6..^1]}) + 1)";
        else
            lines = [.. lines, "print(0)"];
        return string.Join('\n', lines);
    }

    private string Answer(WorldTask? task, string prompt, Random random)
    {
        var answer = task is null ? "unknown" : random.NextDouble() < ChanceCorrect(task, prompt) ? task.Answer : WrongAnswer(task, random);
        return prompt.Contains("\\boxed{}", StringComparison.Ordinal)
            ? $"(simulated {Profile.ModelId}) Reasoning step by step.\nThe final answer is \\boxed{{{answer}}}."
            : $"<think>\n(simulated {Profile.ModelId}) reasoning\n</think>\n<answer>\n{answer}\n</answer>";
    }

    /// <summary>
    /// The probability this expert answers the task correctly given what the prompt shows. Reading from documents
    /// loses <see cref="ConfusionPerRival"/> of the expert's reading error for every rival fact in the context (the
    /// same attribute of another entity, e.g. a namesake's headquarters), so noisy searches cost accuracy, and cost
    /// the weaker readers most.
    /// </summary>
    public double ChanceCorrect(WorldTask task, string prompt)
    {
        var d = task.Difficulty;
        var (_, facts) = FactsShown(_world, task, prompt);
        var codeDone = CodeShowsAnswer(task, prompt);
        var copy = Math.Max(Profile.Reading.Easy, Profile.Math.Easy); // reading a number off a program's output
        var reading = facts ? Profile.Reading.At(d) * Math.Pow(1 - ConfusionPerRival * (1 - Profile.Reading.At(d)), RivalFacts(task, prompt)) : 0;
        return task.Family switch
        {
            TaskFamily.Known => Profile.Knowledge.At(d),
            TaskFamily.Math => codeDone ? copy : Profile.Math.At(d),
            TaskFamily.Arithmetic => codeDone ? copy : reading * Profile.Math.At(d),
            _ => reading, // fictional facts cannot be known from memory
        };
    }

    private const double ConfusionPerRival = 0.5;

    /// <summary>
    /// Rival facts in the prompt: fact sentences stating an attribute the task asks about, of an entity it does not ask
    /// about. Found by splitting the prompt at full stops and line ends and looking each sentence up.
    /// </summary>
    public int RivalFacts(WorldTask task, string prompt)
    {
        var rivals = 0;
        var text = prompt.AsSpan();
        var lookup = _factBySentence.GetAlternateLookup<ReadOnlySpan<char>>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.' && text[i] != '\n') continue;
            var sentence = text[start..i].Trim();
            start = i + 1;
            if (sentence.IsEmpty || !lookup.TryGetValue(sentence, out var fact)) continue;
            var asked = false;
            var rival = false;
            foreach (var id in task.FactIds)
            {
                var own = _world.Facts[id];
                if (own.Id == fact.Id) asked = true;
                else if (own.Attribute == fact.Attribute) rival = true;
            }
            if (rival && !asked) rivals++;
        }
        return rivals;
    }

    private string WrongAnswer(WorldTask task, Random random)
    {
        var plain = task.Answer.Replace(",", "", StringComparison.Ordinal);
        if (long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            var delta = Math.Max(1, Math.Abs(n) / 20);
            var wrong = n + (random.Next(2) == 0 ? -1 : 1) * (1 + random.NextInt64(delta));
            return wrong.ToString(CultureInfo.InvariantCulture);
        }
        // A hallucination from the same world: another entity's value of the same attribute.
        if (task.FactIds.Count > 0)
        {
            var attribute = _world.Facts[task.FactIds[^1]].Attribute;
            var others = _world.Facts.Values.Where(f => f.Attribute == attribute && f.Value != task.Answer).ToList();
            if (others.Count > 0) return others[random.Next(others.Count)].Value;
        }
        return "unknown";
    }
}
