using System.Globalization;
using System.Text;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// A deterministic mixed corpus for tokenizer throughput measurements, shaped like an orchestrator's traffic:
/// English prose, code, JSON tool calls and results, Chinese, and a little of everything else (accents, emoji,
/// numbers). Documents are separated by blank lines.
/// </summary>
public static class SampleCorpus
{
    private static readonly string[] Words =
    (
        "the of and to in is that for it as was with be by on not he I this are or his from at which but have an they " +
        "you were her she there would their we him been has when who will more no if out so said what up its about into " +
        "than them can only other new some could time these two may then do first any my now such like our over man me " +
        "even most made after also did many before must through back years where much your way well down should because " +
        "each just those people how too little state good very make world still own see men work long get here between " +
        "both life being under never day same another know while last might us great old year off come since against go " +
        "came right used take three orchestrator model tool search answer reasoning budget latency cost preference query " +
        "retrieval document evidence expert policy reward trajectory benchmark accuracy token context window question " +
        "airline reservation passenger baggage refund cancellation telecom roaming invoice retail order exchange " +
        "international approximately consequently nevertheless infrastructure characteristics responsibilities"
    ).Split(' ');

    private static readonly string[] Contractions = ["don't", "it's", "I'm", "we'll", "they've", "you'd", "isn't", "can't"];

    private const string Hanzi =
        "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服";

    private static readonly string[] Emoji = ["😀", "👍", "🚀", "✅", "❌", "🔍", "💡", "🇫🇷", "👩‍💻", "❤️"];

    /// <summary>About <paramref name="bytes"/> bytes of UTF-8 text, the same for the same seed on every machine.</summary>
    public static string Generate(int bytes, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 4096);
        var document = new StringBuilder();
        var size = 0;
        while (size < bytes)
        {
            document.Clear();
            var kind = random.NextDouble();
            if (kind < 0.50) Prose(document, random);
            else if (kind < 0.65) Code(document, random);
            else if (kind < 0.80) ToolCall(document, random);
            else if (kind < 0.92) Chinese(document, random);
            else Mixed(document, random);
            document.Append("\n\n");
            size += Encoding.UTF8.GetByteCount(document.ToString());
            text.Append(document);
        }
        return text.ToString();
    }

    private static string Word(Random r)
    {
        // Roughly Zipfian: early (common) words far more often than late ones.
        var i = (int)(Math.Pow(r.NextDouble(), 2.2) * Words.Length);
        return Words[Math.Min(i, Words.Length - 1)];
    }

    private static void Sentence(StringBuilder s, Random r)
    {
        var n = r.Next(6, 22);
        for (var i = 0; i < n; i++)
        {
            var w = r.NextDouble() < 0.04 ? Contractions[r.Next(Contractions.Length)] : Word(r);
            if (i == 0) w = char.ToUpperInvariant(w[0]) + w[1..];
            if (i > 0) s.Append(r.NextDouble() < 0.08 ? ", " : " ");
            s.Append(w);
        }
        s.Append(r.NextDouble() < 0.85 ? ". " : r.NextDouble() < 0.5 ? "? " : "! ");
    }

    private static void Prose(StringBuilder s, Random r)
    {
        var n = r.Next(2, 7);
        for (var i = 0; i < n; i++) Sentence(s, r);
        if (r.NextDouble() < 0.3) s.Append("It cost $").Append(r.Next(1, 5000)).Append('.').Append(r.Next(10, 99)).Append(" in ").Append(r.Next(1990, 2026)).Append('.');
    }

    private static string Identifier(Random r) => r.NextDouble() < 0.5
        ? Word(r) + "_" + Word(r)
        : Word(r) + char.ToUpperInvariant(Word(r)[0]) + Word(r)[1..];

    private static void Code(StringBuilder s, Random r)
    {
        if (r.NextDouble() < 0.5)
        {
            s.Append("def ").Append(Identifier(r)).Append('(').Append(Identifier(r)).Append(", ").Append(Identifier(r)).Append("=None):\n");
            var lines = r.Next(2, 8);
            for (var i = 0; i < lines; i++)
                s.Append("    ").Append(Identifier(r)).Append(" = ").Append(Identifier(r)).Append('[').Append(r.Next(0, 64)).Append("] + ").Append(r.Next(0, 1000)).Append('\n');
            s.Append("    return ").Append(Identifier(r)).Append('\n');
        }
        else
        {
            s.Append("public static int ").Append(Identifier(r)).Append("(int[] values)\n{\n");
            var lines = r.Next(2, 8);
            for (var i = 0; i < lines; i++)
                s.Append("\tvar ").Append(Identifier(r)).Append(" = values.Length >= ").Append(r.Next(1, 100)).Append(" ? values[").Append(r.Next(0, 9)).Append("] : -1;\n");
            s.Append("\treturn 0;\n}");
        }
    }

    private static void ToolCall(StringBuilder s, Random r)
    {
        var query = new StringBuilder();
        Sentence(query, r);
        var tool = r.NextDouble() < 0.5 ? "search" : "answer";
        s.Append("<tool_call>\n{\"name\": \"").Append(tool).Append("\", \"arguments\": {\"model\": \"").Append(tool).Append('-').Append(r.Next(1, 4))
            .Append("\", \"query\": \"").Append(query.ToString().TrimEnd()).Append("\", \"top_k\": ").Append(r.Next(1, 20)).Append("}}\n</tool_call>\n");
        s.Append("<tool_response>\n{\"results\": [");
        var n = r.Next(1, 4);
        for (var i = 0; i < n; i++)
        {
            if (i > 0) s.Append(", ");
            s.Append("{\"id\": ").Append(r.Next(100000, 999999)).Append(", \"score\": ")
                .Append((r.NextDouble() * 30).ToString("0.0000", CultureInfo.InvariantCulture)).Append(", \"title\": \"").Append(Identifier(r)).Append("\"}");
        }
        s.Append("]}\n</tool_response>");
    }

    private static void Chinese(StringBuilder s, Random r)
    {
        var sentences = r.Next(1, 5);
        for (var i = 0; i < sentences; i++)
        {
            var n = r.Next(8, 40);
            for (var k = 0; k < n; k++)
            {
                s.Append(Hanzi[(int)(Math.Pow(r.NextDouble(), 1.5) * Hanzi.Length)]);
                if (k > 0 && k % r.Next(5, 12) == 0) s.Append('，');
            }
            s.Append(r.NextDouble() < 0.2 ? "GPT-5" : "").Append('。');
        }
    }

    private static void Mixed(StringBuilder s, Random r)
    {
        s.Append("Café résumé naïve — ").Append(Emoji[r.Next(Emoji.Length)]).Append(' ').Append(Word(r)).Append(" №").Append(r.Next(1, 100))
            .Append(" ≈ ").Append((r.NextDouble() * 1e6).ToString("0.###", CultureInfo.InvariantCulture)).Append(" Привет мир ").Append(Emoji[r.Next(Emoji.Length)])
            .Append(" 안녕하세요 ").Append(r.Next()).Append(" Straße\n\t- ").Append(Word(r)).Append(": ").Append(r.NextDouble() < 0.5 ? "✓" : "✗");
    }
}
