using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Declarative;

namespace ToolOrchestra.Synthesis.Llm;

/// <summary>The LLM backend's prompts, one per stage (our own wording of the reference's steps).</summary>
public static class LlmPrompts
{
    public const string System =
        "You design customer-service environments for training tool-using agents. Every answer is exactly one JSON object, with no prose around it.";

    private static string Json(JsonNode n) => n.ToJsonString(OrchestraJson.Compact);

    public static string Schema(string name, string theme, JsonObject example) => $$"""
        Design the database of a "{{theme}}" customer-service domain named "{{name}}".
        Answer {"format": "{{DomainSpec.Format}}", "name": "{{name}}", "description", "entities"}: 3 to 6 collections, each {"collection", "key" (its id field), "title",
        "description", "schema" (JSON Schema of a record: type object, properties of type string/integer/number/boolean/array, optional "enum"), "relations": [{"field", "collection"}]}.
        Here is a complete domain for another theme; use the same structure, not its names (leave its tools for the next step):
        {{Json(example)}}
        """;

    public static string Tools(JsonObject schema, JsonObject example) => $$"""
        Write the tools a service agent needs over this database: answer {"tools": [8 to 16 tools]}, each {"name", "description", "kind": "read"|"write",
        "parameters" (JSON Schema object), "operation": [steps]}.
        A step is {"op": get|find|create|update|delete|aggregate, "collection", ...}: get/update/delete take "key"; find takes "where" and "select" (records|keys|first|first_key);
        create takes "key" or "key_prefix" and "values"; update takes "set" and/or "increment"; aggregate takes "function" (count|sum|min|max|avg), "field", "where".
        Values are {"param": name}, {"literal": value}, {"ref": "step.field"} (a step named with "as"), or {"add"|"sub"|"mul": [a, b]}.
        Preconditions go in "require": [{"field", "op": eq|ne|lt|le|gt|ge|contains, "value", "message"}]; their message is the error the agent sees.
        Database: {{Json(schema)}}
        Example tools of another domain: {{Json(example["tools"]!)}}
        """;

    public static string Records(JsonObject domain) => $$"""
        Write the database (db.json) for this domain: an object with one entry per collection, each a dict of 8 to 30 records keyed by the record's key field
        (the key field inside each record must equal its dict key). Every relation must point at an existing record. Use realistic, varied values.
        Domain: {{Json(domain)}}
        """;

    public static string Task(JsonObject domain, JsonObject sample, int number) => $$"""
        Propose user task number {{number}} for this domain: a realistic goal that needs several tool calls (reads to find ids, then writes).
        Answer {"goal", "reason_for_call", "known_info", "task_instructions", "actions": [{"name", "arguments"}], "communicate_info": [strings the agent must tell the user]}.
        Every argument value of every action must appear in known_info or reason_for_call, or be returned by an earlier read action. Actions must succeed in order on the database.
        Domain: {{Json(domain)}}
        Records (a sample): {{Json(sample)}}
        """;

    public static string Evolve(JsonObject domain, JsonObject sample, JsonObject task) => $$"""
        Make this task harder: add another goal or constraint for the same user, needing more tool calls and more steps. Keep the same JSON format and the same rules.
        Task: {{Json(task)}}
        Domain: {{Json(domain)}}
        Records (a sample): {{Json(sample)}}
        """;

    public static string Retry(string? error) =>
        $"That answer was rejected: {error}\nAnswer again with the corrected JSON object only.";

    /// <summary>The agent policy of an LLM-designed domain, derived from its tools (no model writes policy text).</summary>
    public static string Policy(DomainSpec spec) => $"""
        # {spec.Name} agent policy

        {spec.Description}

        - Identify the user before acting on their records, and never act for anyone else.
        - Make one tool call at a time; use only values the user gives or tools return.
        - Before a write ({string.Join(", ", spec.Tools.Where(t => t.Kind == ToolKind.Write).Select(t => t.Name))}), say what you will do and ask for an explicit "yes".
        - You should transfer the user to a human agent if and only if the request cannot be handled within the scope of your actions. To transfer, first make a tool call to transfer_to_human_agents, and then send the message 'YOU ARE BEING TRANSFERRED TO A HUMAN AGENT. PLEASE HOLD ON.' to the user.
        """;
}
