using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ToolOrchestra.Tools.Retrieval;

/// <summary>One <c>POST /retrieve</c> request as the reference sends it.</summary>
public sealed record RetrieveRequest(IReadOnlyList<string> Queries, int TopK, bool ReturnScores, string? Eid);

/// <summary>
/// The reference's retrieval wire format (its field names kept): request
/// <c>{"queries": [q], "topk": K, "return_scores": true, "eid": id}</c>, response one list per query of
/// <c>{"document": {"id", "contents"}, "score"}</c>. Readers are lenient where the reference's servers vary
/// (<c>content</c> or <c>contents</c>, numeric ids and eids) and say exactly what is wrong otherwise.
/// </summary>
public static class RetrieveApi
{
    public const int MaxTopK = 10_000;

    public static string WriteRequest(string query, int topK, string? eid) =>
        new JsonObject
        {
            ["queries"] = new JsonArray(query),
            ["topk"] = topK,
            ["return_scores"] = true,
            ["eid"] = eid,
        }.ToJsonString(ToolOrchestra.Core.OrchestraJson.Compact);

    /// <summary>Parses a request body; throws <see cref="FormatException"/> with a message fit for a 400 answer.</summary>
    public static RetrieveRequest ReadRequest(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("body must be a JSON object {\"queries\": [...], \"topk\": K, \"return_scores\": true, \"eid\": ...}");
        var queries = new List<string>();
        if (root.TryGetProperty("queries", out var q) && q.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in q.EnumerateArray())
                queries.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new FormatException("'queries' must hold strings"));
        }
        else if (root.TryGetProperty("query", out var single) && single.ValueKind == JsonValueKind.String)
        {
            queries.Add(single.GetString()!);
        }
        else
        {
            throw new FormatException("missing 'queries' (an array of query strings)");
        }

        var topK = 10;
        if (root.TryGetProperty("topk", out var k) && k.ValueKind != JsonValueKind.Null)
            if (k.ValueKind != JsonValueKind.Number || !k.TryGetInt32(out topK) || topK < 1 || topK > MaxTopK)
                throw new FormatException($"'topk' must be an integer from 1 to {MaxTopK}");

        var returnScores = !root.TryGetProperty("return_scores", out var rs) || rs.ValueKind != JsonValueKind.False;
        string? eid = null;
        if (root.TryGetProperty("eid", out var e))
            eid = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString(),
                JsonValueKind.Number => e.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new FormatException("'eid' must be a string or a number"),
            };
        return new RetrieveRequest(queries, topK, returnScores, eid);
    }

    public static JsonArray WriteResponse(IEnumerable<IReadOnlyList<RetrievedDocument>> perQuery, bool returnScores)
    {
        var outer = new JsonArray();
        foreach (var docs in perQuery)
        {
            var inner = new JsonArray();
            foreach (var d in docs)
            {
                var hit = new JsonObject { ["document"] = new JsonObject { ["id"] = d.Id, ["contents"] = d.Contents } };
                if (returnScores) hit["score"] = d.Score;
                inner.Add(hit);
            }
            outer.Add(inner);
        }
        return outer;
    }

    /// <summary>Reads the documents for the first query of a response; throws <see cref="FormatException"/> naming the JSON path.</summary>
    public static List<RetrievedDocument> ReadResponse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array) throw new FormatException("$: expected a list with one list of hits per query");
        var docs = new List<RetrievedDocument>();
        if (root.GetArrayLength() == 0) return docs;
        var hits = root[0];
        if (hits.ValueKind != JsonValueKind.Array) throw new FormatException("$[0]: expected a list of hits");
        var i = 0;
        foreach (var hit in hits.EnumerateArray())
        {
            var where = $"$[0][{i}]";
            if (hit.ValueKind != JsonValueKind.Object) throw new FormatException($"{where}: expected an object");
            var doc = hit.TryGetProperty("document", out var d) && d.ValueKind == JsonValueKind.Object ? d : hit;
            string? contents = null;
            foreach (var field in new[] { "contents", "content", "text" })
                if (doc.TryGetProperty(field, out var c) && c.ValueKind == JsonValueKind.String) { contents = c.GetString(); break; }
            if (contents is null) throw new FormatException($"{where}.document: missing 'contents' (or 'content')");
            var id = doc.TryGetProperty("id", out var idEl)
                ? idEl.ValueKind == JsonValueKind.String ? idEl.GetString()! : idEl.GetRawText()
                : i.ToString(CultureInfo.InvariantCulture);
            var score = hit.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : 0;
            docs.Add(new RetrievedDocument(id, contents, score));
            i++;
        }
        return docs;
    }
}
