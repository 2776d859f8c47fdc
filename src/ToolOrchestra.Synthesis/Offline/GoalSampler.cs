using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Synthesis.Offline;

/// <summary>
/// Proposes tasks for a blueprint's domain by sampling a user goal (cancel, book, pay, top up, update, ask) for a random
/// person of the initial database and walking its gold chain: the reads an agent needs to learn each id, then the
/// writes. It looks at the data only as a user would describe it; whether the chain really runs (a booking may not be
/// pending, stock may be short, an offering retired) is the verifier's job, so plausible-but-wrong goals are proposed
/// and rejected by execution.
/// </summary>
public sealed class GoalSampler
{
    private readonly DomainBlueprint _bp;
    private readonly JsonObject _db;
    private readonly Random _rng;
    private readonly List<string> _goals;

    public GoalSampler(DomainBlueprint blueprint, JsonObject initialDb, Random rng)
    {
        _bp = blueprint;
        _db = initialDb;
        _rng = rng;
        // goals that write are listed twice: execution rejects more of them, and they are what trains an agent to act
        _goals = ["cancel", "cancel", "book", "book", "top_up", "top_up", "balance"];
        if (blueprint.Optional.Contains("confirm")) _goals.AddRange(["confirm", "confirm"]);
        if (blueprint.Optional.Contains("pay")) _goals.AddRange(["pay", "pay"]);
        if (blueprint.Optional.Contains("update_phone")) _goals.AddRange(["phone", "phone"]);
        if (blueprint.Optional.Contains("count")) _goals.Add("count");
        if (blueprint.Optional.Contains("delete")) _goals.AddRange(["delete", "delete"]);
    }

    private Theme T => _bp.Theme;
    private JsonObject People => (JsonObject)_db[T.Person.Many]!;
    private JsonObject Offerings => (JsonObject)_db[T.Offering.Many]!;
    private JsonObject Bookings => (JsonObject)_db[T.Booking.Many]!;
    private JsonObject Wallets => (JsonObject)_db[T.Wallet.Many]!;

    /// <summary>A goal's part of a task: its reason, what the user knows, its chain and what must be said.</summary>
    private sealed record Goal(string Kind, string Reason, string Known, List<GoldAction> Chain, List<string> Communicate);

    public CandidateTask Next()
    {
        var person = Pick(People.Select(p => p.Key).ToList());
        return Build([Sample(_goals[_rng.Next(_goals.Count)], person)], person, 0);
    }

    /// <summary>
    /// <c>--evolve</c>: the same user with one more goal (a longer chain, more constraints). The combined chain runs
    /// against the state the first goals leave, so the verifier checks it again from scratch.
    /// </summary>
    public CandidateTask Evolve(CandidateTask task)
    {
        var person = Py.Str(task.Actions[0].Arguments["email"]) is { } email
            ? People.First(p => Py.Str(p.Value!["email"]) == email).Key
            : Pick(People.Select(p => p.Key).ToList());
        var extra = Sample(_goals[_rng.Next(_goals.Count)], person);
        var chain = task.Actions.Concat(extra.Chain.Skip(1)).ToList(); // the user is already identified
        return task with
        {
            Goal = task.Goal + "+" + extra.Kind,
            ReasonForCall = task.ReasonForCall + " After that, " + char.ToLowerInvariant(extra.Reason[0]) + extra.Reason[1..],
            KnownInfo = task.KnownInfo + (extra.Known.Length > 0 ? "\n" + extra.Known : ""),
            Actions = chain,
            CommunicateInfo = task.CommunicateInfo.Concat(extra.Communicate).ToList(),
            EvolveRound = task.EvolveRound + 1,
        };
    }

    private CandidateTask Build(List<Goal> goals, string person, int round)
    {
        var p = People[person]!;
        var known = $"Your name is {Py.Str(p["name"])}.\nYour email is {Py.Str(p["email"])}.";
        foreach (var g in goals.Where(g => g.Known.Length > 0)) known += "\n" + g.Known;
        return new CandidateTask(
            string.Join("+", goals.Select(g => g.Kind)),
            string.Join(" After that, ", goals.Select(g => g.Reason)),
            known,
            "Give your email when asked to identify yourself. Answer the agent's questions with the details above and do not volunteer ids you were not given. Say yes when the agent asks you to confirm an action that does what you asked.",
            goals.SelectMany((g, i) => i == 0 ? g.Chain : g.Chain.Skip(1)).ToList(),
            goals.SelectMany(g => g.Communicate).ToList(),
            round);
    }

    private Goal Sample(string kind, string person)
    {
        var p = People[person]!;
        var find = Act(_bp.FindPerson, ("email", Py.Str(p["email"])!));
        var listB = Act(_bp.ListBookings, (_bp.PKey, person));
        var listW = Act(_bp.ListWallets, (_bp.PKey, person));
        var myBookings = Bookings.Where(b => Py.Str(b.Value![_bp.PKey]) == person).Select(b => b.Key).ToList();
        var myWallets = Wallets.Where(w => Py.Str(w.Value![_bp.PKey]) == person).Select(w => w.Key).ToList();
        string Describe(string bid)
        {
            var b = Bookings[bid]!;
            var o = Offerings[Py.Str(b[_bp.OKey])!]!;
            return $"your {_bp.B.Replace('_', ' ')} of {Py.ToStr(b["quantity"])} {T.Unit} of {Py.Str(o["name"])} ({Py.Str(o[_bp.OKey])})";
        }
        // a person without bookings or wallets still gets a goal: one the verifier will reject as unsolvable
        var bid = myBookings.Count > 0 ? Pick(myBookings) : Pick(Bookings.Select(b => b.Key).ToList());
        var wid = myWallets.Count > 0 ? Pick(myWallets) : Pick(Wallets.Select(w => w.Key).ToList());
        switch (kind)
        {
            case "cancel":
                return new("cancel", $"You want to cancel {Describe(bid)}.", "", [find, listB, Act(_bp.CancelBooking, (_bp.BKey, bid))], []);
            case "confirm":
                return new("confirm", $"You want to confirm {Describe(bid)}.", "", [find, listB, Act(_bp.ConfirmBooking, (_bp.BKey, bid))], []);
            case "delete":
                return new("delete", $"You want {Describe(bid)} removed from your records.", "", [find, listB, Act(_bp.DeleteBooking, (_bp.BKey, bid))], []);
            case "pay":
            {
                var w = Wallets[wid]!;
                var chain = new List<GoldAction> { find, listB };
                if (Py.Str(Bookings[bid]!["status"]) == "pending") chain.Add(Act(_bp.ConfirmBooking, (_bp.BKey, bid)));
                chain.Add(listW);
                chain.Add(Act(_bp.PayBooking, (_bp.BKey, bid), (_bp.WKey, wid)));
                return new("pay", $"You want to pay for {Describe(bid)} (confirm it first if needed), using your {_bp.W.Replace('_', ' ')} that holds {Py.ToStr(w["balance"])}.", "", chain, []);
            }
            case "book":
            {
                var oid = Pick(Offerings.Select(o => o.Key).ToList());
                var o = Offerings[oid]!;
                var q = _rng.Next(1, 4);
                var category = Py.Str(o["category"])!;
                return new("book", $"You want to {T.BookVerb} {q} {T.Unit} of {Py.Str(o["name"])}, in the {category} category.", $"You want {q} {T.Unit}.",
                    [find, Act(_bp.SearchOfferings, ("category", category)), Act(_bp.CreateBooking, (_bp.PKey, person), (_bp.OKey, oid), ("quantity", q))], []);
            }
            case "top_up":
            {
                var amount = 10 * _rng.Next(2, 30);
                var w = Wallets[wid]!;
                return new("top_up", $"You want to add {amount} to your {_bp.W.Replace('_', ' ')} that holds {Py.ToStr(w["balance"])}.", "",
                    [find, listW, Act(_bp.TopUpWallet, (_bp.WKey, wid), ("amount", amount))], []);
            }
            case "phone":
            {
                // now and then the "new" number is the current one: a write that changes nothing
                var phone = _rng.Next(10) == 0 ? Py.Str(p["phone"])! : $"+1-555-{_rng.Next(100, 999)}-{_rng.Next(1000, 9999)}";
                return new("phone", $"You want your phone number changed to {phone}.", "", [find, Act(_bp.UpdatePhone, (_bp.PKey, person), ("phone", phone))], []);
            }
            case "count":
            {
                // a status the person has, when they have any: "0" is too easy to say by chance
                var held = myBookings.Select(b => Py.Str(Bookings[b]!["status"])!).Distinct().Order(StringComparer.Ordinal).ToList();
                var status = held.Count > 0 ? Pick(held) : DomainBlueprint.BookingStatuses[_rng.Next(DomainBlueprint.BookingStatuses.Length)];
                var n = myBookings.Count(b => Py.Str(Bookings[b]!["status"]) == status);
                return new("count", $"You want to know how many of your {T.Booking.Many.Replace('_', ' ')} are {status}.", "",
                    [find, Act(_bp.CountBookings, (_bp.PKey, person), ("status", status))], [n.ToString(CultureInfo.InvariantCulture)]);
            }
            default: // balance
            {
                var w = Wallets[wid]!;
                return new("balance", $"You want to know the balance of your {_bp.W.Replace('_', ' ')}s.", "", [find, listW],
                    myWallets.Select(x => Py.ToStr(Wallets[x]!["balance"])).ToList());
            }
        }
    }

    private T2 Pick<T2>(IReadOnlyList<T2> items) => items[_rng.Next(items.Count)];

    private static GoldAction Act(string name, params (string Key, JsonNode Value)[] args)
    {
        var o = new JsonObject();
        foreach (var (k, v) in args) o[k] = v;
        return new GoldAction(name, o);
    }
}
