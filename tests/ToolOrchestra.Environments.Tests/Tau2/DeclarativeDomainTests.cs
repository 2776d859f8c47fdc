using System.Text.Json.Nodes;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Environments.Tau2.Evaluation;

namespace ToolOrchestra.Environments.Tests.Tau2;

/// <summary>A small hand-written declarative domain: the interpreter, its tool errors, and the registry integration.</summary>
public sealed class DeclarativeDomainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("declarative").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    internal const string DomainJson = """
        {"format": "toolorchestra.tau2-domain/1", "name": "hotel",
         "entities": [
           {"collection": "guests", "key": "guest_id", "title": "guest",
            "schema": {"type": "object", "properties": {"guest_id": {"type": "string"}, "email": {"type": "string"}, "credit": {"type": "number"}}, "required": ["guest_id", "email", "credit"]}},
           {"collection": "reservations", "key": "reservation_id", "title": "reservation",
            "schema": {"type": "object", "properties": {"reservation_id": {"type": "string"}, "guest_id": {"type": "string"}, "nights": {"type": "integer"},
                       "status": {"type": "string", "enum": ["pending", "confirmed", "cancelled"]}}, "required": ["reservation_id", "guest_id", "nights", "status"]},
            "relations": [{"field": "guest_id", "collection": "guests"}]}],
         "tools": [
           {"name": "find_guest", "description": "Find a guest id by email.", "kind": "read",
            "parameters": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]},
            "operation": {"op": "find", "collection": "guests", "where": [{"field": "email", "op": "eq", "value": {"param": "email"}}], "select": "first_key"}},
           {"name": "get_reservation", "description": "Get a reservation.", "kind": "read",
            "parameters": {"type": "object", "properties": {"reservation_id": {"type": "string"}}, "required": ["reservation_id"]},
            "operation": {"op": "get", "collection": "reservations", "key": {"param": "reservation_id"}}},
           {"name": "book", "description": "Book nights for a guest.", "kind": "write",
            "parameters": {"type": "object", "properties": {"guest_id": {"type": "string"}, "nights": {"type": "integer"}}, "required": ["guest_id", "nights"]},
            "operation": [{"op": "create", "collection": "reservations", "key_prefix": "R", "values": {"guest_id": {"param": "guest_id"}, "nights": {"param": "nights"}, "status": {"literal": "pending"}}}]},
           {"name": "cancel_reservation", "description": "Cancel a pending reservation.", "kind": "write",
            "parameters": {"type": "object", "properties": {"reservation_id": {"type": "string"}}, "required": ["reservation_id"]},
            "operation": {"op": "update", "collection": "reservations", "key": {"param": "reservation_id"},
                          "require": [{"field": "status", "op": "eq", "value": {"literal": "pending"}, "message": "reservation is not pending"}],
                          "set": {"status": {"literal": "cancelled"}}}},
           {"name": "spend_credit", "description": "Spend guest credit.", "kind": "write",
            "parameters": {"type": "object", "properties": {"guest_id": {"type": "string"}, "amount": {"type": "number"}}, "required": ["guest_id", "amount"]},
            "operation": {"op": "update", "collection": "guests", "key": {"param": "guest_id"},
                          "require": [{"field": "credit", "op": "ge", "value": {"param": "amount"}, "message": "not enough credit"}],
                          "increment": {"credit": {"mul": [{"param": "amount"}, {"literal": -1}]}}}},
           {"name": "delete_guest", "description": "Delete a guest.", "kind": "write",
            "parameters": {"type": "object", "properties": {"guest_id": {"type": "string"}}, "required": ["guest_id"]},
            "operation": {"op": "delete", "collection": "guests", "key": {"param": "guest_id"}}},
           {"name": "count_nights", "description": "Total nights of a guest.", "kind": "read",
            "parameters": {"type": "object", "properties": {"guest_id": {"type": "string"}}, "required": ["guest_id"]},
            "operation": {"op": "aggregate", "collection": "reservations", "function": "sum", "field": "nights", "where": [{"field": "guest_id", "op": "eq", "value": {"param": "guest_id"}}]}}]}
        """;

    internal const string DbJson = """
        {"guests": {"G1": {"guest_id": "G1", "email": "ana@example.com", "credit": 100.0}, "G2": {"guest_id": "G2", "email": "bo@example.com", "credit": 5}},
         "reservations": {"R0001": {"reservation_id": "R0001", "guest_id": "G1", "nights": 2, "status": "pending"},
                          "R0002": {"reservation_id": "R0002", "guest_id": "G1", "nights": 3, "status": "confirmed"}}}
        """;

    internal const string TasksJson = """
        [{"id": "cancel", "user_scenario": {"persona": null, "instructions": "You are ana@example.com; cancel reservation R0001."},
          "initial_state": null,
          "evaluation_criteria": {"actions": [{"action_id": "a0", "name": "find_guest", "arguments": {"email": "ana@example.com"}},
                                              {"action_id": "a1", "name": "cancel_reservation", "arguments": {"reservation_id": "R0001"}}],
                                  "communicate_info": [], "reward_basis": ["DB", "COMMUNICATE"]}}]
        """;

    internal static string WriteDataFolder(string root, string name = "hotel")
    {
        var folder = Path.Combine(root, "domains", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "domain.json"), DomainJson.Replace("\"name\": \"hotel\"", $"\"name\": \"{name}\""));
        File.WriteAllText(Path.Combine(folder, "db.json"), DbJson);
        File.WriteAllText(Path.Combine(folder, "policy.md"), "Help hotel guests.");
        File.WriteAllText(Path.Combine(folder, "tasks.json"), TasksJson);
        return root;
    }

    private Tau2Environment Env(string name) => Tau2Domain.Load(WriteDataFolder(_dir, name), name).CreateEnvironment();

    private static string Call(Tau2Environment env, string tool, object args) =>
        env.Execute(new Tau2ToolCall("c", tool, (JsonObject)JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(args))!, Tau2Roles.Assistant)).Content!;

    [Fact]
    public void A_data_folders_domain_json_is_discovered_and_runs_through_the_registry()
    {
        var env = Env("hotel_a");
        Tau2Domain.NamesIn(_dir).Should().Contain("hotel_a");
        Call(env, "find_guest", new { email = "ana@example.com" }).Should().Be("G1");
        JsonNode.Parse(Call(env, "get_reservation", new { reservation_id = "R0002" }))!["nights"]!.GetValue<int>().Should().Be(3);
        Call(env, "count_nights", new { guest_id = "G1" }).Should().Be("5.0");
        env.AgentToolSchemas().Select(s => s["function"]!["name"]!.GetValue<string>()).Should().Contain(["book", "transfer_to_human_agents"]);
    }

    [Fact]
    public void Preconditions_and_bad_arguments_fail_as_tau2_tool_errors_without_changing_the_database()
    {
        var env = Env("hotel_b");
        var hash = env.AgentDbHash();
        Call(env, "cancel_reservation", new { reservation_id = "R0002" }).Should().Be("Error: reservation is not pending");
        Call(env, "spend_credit", new { guest_id = "G2", amount = 6 }).Should().Be("Error: not enough credit");
        Call(env, "get_reservation", new { reservation_id = "R9" }).Should().Be("Error: Reservation R9 not found");
        Call(env, "book", new { guest_id = "G1", nights = "many" }).Should().StartWith("Error: 1 validation error for book\nnights\n  Input should be a valid integer");
        Call(env, "book", new { guest_id = "G9", nights = 1 }).Should().Be("Error: Guest G9 not found");
        Call(env, "delete_guest", new { guest_id = "G1" }).Should().Be("Error: Guest G1 is still referenced by reservations");
        env.AgentDbHash().Should().Be(hash);
    }

    [Fact]
    public void Writes_create_update_and_delete_records()
    {
        var env = Env("hotel_c");
        JsonNode.Parse(Call(env, "book", new { guest_id = "G2", nights = 4 }))!["reservation_id"]!.GetValue<string>().Should().Be("R0003");
        Call(env, "cancel_reservation", new { reservation_id = "R0001" }).Should().Contain("\"status\": \"cancelled\"");
        JsonNode.Parse(Call(env, "spend_credit", new { guest_id = "G1", amount = 30.5 }))!["credit"]!.GetValue<double>().Should().Be(69.5);
        env.IsMutating("book").Should().BeTrue();
        env.IsMutating("get_reservation").Should().BeFalse();
    }

    [Fact]
    public async Task Check_gold_passes_on_a_declarative_domain()
    {
        var domain = Tau2Domain.Load(WriteDataFolder(_dir, "hotel_d"), "hotel_d");
        var report = await GoldCheck.RunAsync(domain, Tau2TaskSet.Load(domain).Tasks, null, CancellationToken.None);
        report.Passed.Should().Be(1);
    }

    [Theory]
    [InlineData("\"op\": \"delete\", \"collection\": \"guests\"", "\"op\": \"delete\", \"collection\": \"rooms\"", "$.tools[5].operation.collection: 'rooms' is not an entity")]
    [InlineData("\"value\": {\"param\": \"amount\"}", "\"value\": {\"param\": \"amount2\"}", "$.tools[4].operation.require[0].value.param: 'amount2' is not a parameter")]
    [InlineData("\"name\": \"book\", \"description\": \"Book nights for a guest.\", \"kind\": \"write\"", "\"name\": \"book\", \"description\": \"Book nights for a guest.\", \"kind\": \"read\"", "$.tools[2].kind: the operation changes the database")]
    public void A_bad_domain_json_names_the_json_path(string from, string to, string expected)
    {
        DomainJson.Should().Contain(from);
        var bad = JsonNode.Parse(DomainJson.Replace(from, to));
        var act = () => DomainSpec.Parse(bad, "domain.json");
        act.Should().Throw<UserError>().Which.Message.Should().Contain(expected);
    }
}
