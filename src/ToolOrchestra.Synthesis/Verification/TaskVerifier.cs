using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Synthesis.Verification;

/// <summary>Why a candidate task was not kept (the report counts each).</summary>
public enum RejectionReason
{
    UnknownTool,
    ActionFailed,
    PreconditionViolated,
    WriteChangedNothing,
    Unsolvable,
    CommunicateNotGrounded,
    NothingToCheck,
    Duplicate,
}

public static class RejectionReasons
{
    /// <summary>snake_case, as the report and JSON print it.</summary>
    public static string Name(RejectionReason r) => Regex.Replace(r.ToString(), "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant();
}

/// <summary>The outcome of verifying one candidate: kept with its difficulty and final state, or rejected with a reason.</summary>
public sealed record Verdict(CandidateTask Task, RejectionReason? Rejection, string Detail, Difficulty? Difficulty, string? FinalDbHash)
{
    public bool Kept => Rejection is null;
}

/// <summary>
/// Verification by execution: each candidate runs on a fresh environment of its domain. Kept only when every gold
/// action runs in order without error (a failed precondition is told apart), every write changes the database (the
/// final state's hash is recorded), every argument value is in the user's instructions or returned by an earlier gold
/// read (solvability), every communicate_info item was returned by a read, and the same action sequence with the same
/// arguments was not kept before. One verifier per domain: it remembers the kept sequences.
/// </summary>
public sealed class TaskVerifier(Tau2Domain domain)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public Tau2Domain Domain => domain;

    public Verdict Verify(CandidateTask task)
    {
        var env = domain.CreateEnvironment();
        Verdict Reject(RejectionReason reason, string detail) => new(task, reason, detail, null, null);
        if (task.Actions.Count == 0) return Reject(RejectionReason.NothingToCheck, "the task has no gold action");

        var userText = task.UserText;
        var returned = new HashSet<string>(StringComparer.Ordinal);
        int reads = 0, writes = 0, readsBeforeWrite = -1;
        for (var i = 0; i < task.Actions.Count; i++)
        {
            var action = task.Actions[i];
            var where = $"action {i} ({action.Name})";
            if (!env.AgentTools.HasTool(action.Name) || action.Name == DomainSpec.TransferTool)
                return Reject(RejectionReason.UnknownTool, $"{where}: the domain has no such tool");
            foreach (var value in Leaves(action.Arguments))
                if (!Known(value, userText, returned))
                    return Reject(RejectionReason.Unsolvable, $"{where}: argument value {Py.Repr(value)} is neither in the user's instructions nor returned by an earlier read");

            var isWrite = env.IsMutating(action.Name);
            var before = isWrite ? env.AgentDbHash() : null;
            object? result;
            try
            {
                result = env.MakeToolCall(action.Name, (JsonObject)Py.Clone(action.Arguments)!);
            }
            catch (PreconditionFailed e)
            {
                return Reject(RejectionReason.PreconditionViolated, $"{where}: {e.Message}");
            }
            catch (ToolError e)
            {
                return Reject(RejectionReason.ActionFailed, $"{where}: {FirstLine(e.Message)}");
            }
            if (isWrite)
            {
                if (readsBeforeWrite < 0) readsBeforeWrite = reads;
                writes++;
                if (env.AgentDbHash() == before) return Reject(RejectionReason.WriteChangedNothing, $"{where}: the database is unchanged");
            }
            else
            {
                reads++;
                foreach (var leaf in Leaves(PyJson.LoadsOrText(Toolkit.Serialize(result)))) returned.Add(Text(leaf));
            }
        }
        foreach (var info in task.CommunicateInfo)
            if (!returned.Contains(info))
                return Reject(RejectionReason.CommunicateNotGrounded, $"communicate_info '{info}' was not returned by any gold read");
        if (writes == 0 && task.CommunicateInfo.Count == 0)
            return Reject(RejectionReason.NothingToCheck, "no write and nothing to communicate: any agent would pass");

        var signature = new JsonArray(task.Actions.Select(a => (JsonNode?)new JsonArray(a.Name, PyJson.Dumps(a.Arguments, sortKeys: true))).ToArray()).ToJsonString();
        if (!_seen.Add(signature)) return Reject(RejectionReason.Duplicate, "the same actions with the same arguments were already kept");

        var difficulty = new Difficulty(task.Actions.Count, task.Actions.Select(a => a.Name).Distinct().Count(), readsBeforeWrite < 0 ? reads : readsBeforeWrite, writes);
        return new Verdict(task, null, "", difficulty, env.AgentDbHash());
    }

    /// <summary>Scalar values inside arguments or results (dict keys excluded; records carry their key field).</summary>
    private static IEnumerable<JsonNode?> Leaves(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, v) in o) foreach (var l in Leaves(v)) yield return l;
                break;
            case JsonArray a:
                foreach (var v in a) foreach (var l in Leaves(v)) yield return l;
                break;
            default:
                yield return node;
                break;
        }
    }

    private static bool Known(JsonNode? value, string userText, HashSet<string> returned)
    {
        if (value is null || Py.TypeOf(value) == PyType.Bool) return true;
        var text = Text(value);
        if (returned.Contains(text)) return true;
        if (Py.IsStr(value)) return text.Length > 0 && userText.Contains(text, StringComparison.Ordinal);
        // a number must stand alone in the text: 2 is not known from "12" or "2.5"
        return Regex.IsMatch(userText, $@"(?<![\d.]){Regex.Escape(text)}(?![\d]|\.\d)")
            || (Py.TypeOf(value) == PyType.Float && Math.Floor(Py.Num(value)) == Py.Num(value)
                && Regex.IsMatch(userText, $@"(?<![\d.]){((long)Py.Num(value)).ToString(CultureInfo.InvariantCulture)}(?![\d]|\.\d)"));
    }

    private static string Text(JsonNode? value) => Py.ToStr(value);

    private static string FirstLine(string s) => s.Split('\n')[0];
}
