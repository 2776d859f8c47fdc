using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using ToolOrchestra.Core;
using ToolOrchestra.Server;
using ToolOrchestra.Server.Keys;

namespace ToolOrchestra.Cli.Commands;

/// <summary><c>orchestra keys create|list|revoke</c>: the API keys of <c>orchestra serve</c>, kept hashed in its store.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "API keys of orchestra serve: budgets, rate and concurrency limits, allowed aliases (stored hashed)");
        keys.Subcommands.Add(CreateKey());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        return keys;
    }

    private static Option<string> StoreOption() =>
        new("--store") { Description = "The server's store: a SQLite file or a postgres:// URL", DefaultValueFactory = _ => OptionChecks.DefaultServerStore };

    private static async Task<KeyStore> OpenAsync(string store, CancellationToken ct)
    {
        var s = new ServerStore(OptionChecks.ServerStore(store));
        await s.MigrateAsync(ct);
        return new KeyStore(s);
    }

    private static Command CreateKey()
    {
        var store = StoreOption();
        var name = new Option<string>("--name") { Description = "Who or what uses the key", Required = true };
        var daily = new Option<decimal?>("--daily-usd") { Description = "Dollars the key may spend per UTC day" };
        var total = new Option<decimal?>("--total-usd") { Description = "Dollars the key may spend in all" };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute" };
        var concurrency = new Option<int?>("--concurrency") { Description = "Runs in progress at once" };
        var aliases = new Option<string?>("--aliases") { Description = "Comma-separated aliases the key may use (default: all)" };
        var preferences = new Option<string?>("--preferences") { Description = "Preferences JSON file: the key's defaults (hard constraints a request can only narrow)" };
        var admin = new Option<bool>("--admin") { Description = "The key may also read the dashboard (/ui)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("create", "Create a key; its secret is printed once") { store, name, daily, total, rpm, concurrency, aliases, preferences, admin, json };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            string? prefsJson = null;
            if (parse.GetValue(preferences) is { } file)
            {
                Preferences.Load(OptionChecks.ExistingFile(file, "--preferences")); // refuses a malformed file now, not at the first request
                prefsJson = JsonNode.Parse(File.ReadAllText(file))!.ToJsonString();
            }
            var aliasList = parse.GetValue(aliases)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (aliasList is { Length: 0 }) throw new UserError("--aliases: name at least one alias, or leave the option out to allow all.");
            var keyStore = await OpenAsync(parse.GetValue(store)!, c);
            var created = await keyStore.CreateAsync(parse.GetValue(name)!, new KeyLimits(parse.GetValue(daily), parse.GetValue(total), parse.GetValue(rpm),
                parse.GetValue(concurrency), aliasList, prefsJson, parse.GetValue(admin)), c);
            if (parse.GetValue(json))
                Console.WriteLine(new JsonObject { ["id"] = created.Key.Id, ["name"] = created.Key.Name, ["key"] = created.Secret }.ToJsonString());
            else
            {
                Console.WriteLine($"Created key '{created.Key.Name}' ({created.Key.Id}). Its secret, shown only now:");
                Console.WriteLine(created.Secret);
            }
            return 0;
        }, ct));
        return command;
    }

    private static Command List()
    {
        var store = StoreOption();
        var json = new Option<bool>("--json") { Description = "Print JSON lines" };
        var command = new Command("list", "List keys with their limits and spend (never their secrets)") { store, json };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var keyStore = await OpenAsync(parse.GetValue(store)!, c);
            var table = new Table().AddColumns("id", "name", "prefix", "state", "spent today $", "daily $", "spent total $", "total $", "rpm", "concurrency", "aliases");
            foreach (var k in await keyStore.ListAsync(c))
            {
                var (today, total) = await keyStore.SpendAsync(k.Id, c);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        k.Id, k.Name, k.Prefix, k.Created, k.Revoked, k.DailyUsd, k.TotalUsd, k.RequestsPerMinute, k.ConcurrentRuns, k.Aliases, k.Admin,
                        SpentTodayUsd = today, SpentTotalUsd = total,
                    }, OrchestraJson.Compact));
                    continue;
                }
                table.AddRow(k.Id, Markup.Escape(k.Name), k.Prefix + "…", k.IsRevoked ? "revoked" : k.Admin ? "active, admin" : "active", Usd(today), Usd(k.DailyUsd),
                    Usd(total), Usd(k.TotalUsd), k.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "—",
                    k.ConcurrentRuns?.ToString(CultureInfo.InvariantCulture) ?? "—", Markup.Escape(k.Aliases is null ? "all" : string.Join(",", k.Aliases)));
            }
            if (!parse.GetValue(json)) AnsiConsole.Write(table);
            return 0;
        }, ct));
        return command;
    }

    private static Command Revoke()
    {
        var store = StoreOption();
        var key = new Argument<string>("key") { Description = "The key's id (key_…) or name" };
        var command = new Command("revoke", "Revoke a key: requests with it get 401 from then on") { store, key };
        command.SetAction((parse, ct) => CliRunner.Guard(async c =>
        {
            var keyStore = await OpenAsync(parse.GetValue(store)!, c);
            var k = parse.GetValue(key)!;
            if (!await keyStore.RevokeAsync(k, c))
                throw new UserError($"no active key '{k}' in {parse.GetValue(store)}; orchestra keys list shows the keys.");
            Console.WriteLine($"revoked {k}");
            return 0;
        }, ct));
        return command;
    }

    private static string Usd(decimal? d) => d is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "—";
}
