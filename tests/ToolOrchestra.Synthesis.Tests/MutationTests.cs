using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Declarative;
using ToolOrchestra.Synthesis.Offline;
using ToolOrchestra.Synthesis.Verification;

namespace ToolOrchestra.Synthesis.Tests;

/// <summary>
/// The verifier against corrupted gold chains: a wrong id, a dropped read that supplies an argument, a violated
/// precondition and a write that changes nothing are each rejected, with their own reason.
/// </summary>
public sealed class MutationTests
{
    private readonly Tau2Domain _domain;
    private readonly DomainBlueprint _bp;
    private readonly GoalSampler _sampler;

    public MutationTests()
    {
        // a seed whose domain has the optional phone-update tool
        for (var seed = 1; ; seed++)
        {
            _bp = new DomainBlueprint(Themes.All[5], "railway", new Random(seed));
            if (_bp.Optional.Contains("update_phone")) break;
        }
        var rng = new Random(7);
        _domain = DeclarativeDomain.Create(DomainSpec.Parse(_bp.DomainJson(), "domain.json"), _bp.DbJson(OfflineBackend.Persons), _bp.Policy(), ".");
        _sampler = new GoalSampler(_bp, _domain.AgentDb.Root, rng);
    }

    private CandidateTask Kept(string goal)
    {
        var verifier = new TaskVerifier(_domain);
        for (var i = 0; i < 5000; i++)
        {
            var t = _sampler.Next();
            if (t.Goal == goal && verifier.Verify(t).Kept) return t;
        }
        throw new InvalidOperationException($"no kept {goal} task");
    }

    private Verdict Verify(CandidateTask t) => new TaskVerifier(_domain).Verify(t);

    private static GoldAction With(GoldAction a, string arg, string value)
    {
        var args = (JsonObject)a.Arguments.DeepClone();
        args[arg] = value;
        return a with { Arguments = args };
    }

    [Fact]
    public void An_uncorrupted_task_is_kept_with_its_difficulty()
    {
        var v = Verify(Kept("cancel"));
        v.Kept.Should().BeTrue();
        v.Difficulty.Should().Be(new Difficulty(3, 3, 2, 1));
        v.FinalDbHash.Should().NotBe(_domain.CreateEnvironment().AgentDbHash());
    }

    [Fact]
    public void A_wrong_id_is_rejected()
    {
        var task = Kept("cancel");
        var cancel = task.Actions[^1];
        var missing = task with { Actions = [.. task.Actions.SkipLast(1), With(cancel, _bp.BKey, "RS9999")], KnownInfo = task.KnownInfo + "\nRS9999" };
        Verify(missing).Should().Match<Verdict>(v => v.Rejection == RejectionReason.ActionFailed && v.Detail.Contains("Reservation RS9999 not found"));

        // someone else's reservation: an id no read returned and the user never gave
        var mine = cancel.Arguments[_bp.BKey]!.GetValue<string>();
        var owner = _domain.AgentDb.Root["reservations"]![mine]![_bp.PKey]!.GetValue<string>();
        var other = ((JsonObject)_domain.AgentDb.Root["reservations"]!).First(r => r.Value![_bp.PKey]!.GetValue<string>() != owner).Key;
        var foreign = task with { Actions = [.. task.Actions.SkipLast(1), With(cancel, _bp.BKey, other)] };
        Verify(foreign).Should().Match<Verdict>(v => v.Rejection == RejectionReason.Unsolvable && v.Detail.Contains(other));
    }

    [Fact]
    public void A_dropped_read_that_supplies_an_argument_is_rejected()
    {
        var task = Kept("cancel");
        var dropped = task with { Actions = [task.Actions[0], task.Actions[2]] };
        var v = Verify(dropped);
        v.Rejection.Should().Be(RejectionReason.Unsolvable);
        v.Detail.Should().Contain("action 1 (cancel_reservation)").And.Contain("neither in the user's instructions nor returned by an earlier read");
    }

    [Fact]
    public void A_violated_precondition_is_rejected()
    {
        var task = Kept("cancel");
        var twice = task with { Actions = [.. task.Actions, task.Actions[^1]] };
        var v = Verify(twice);
        v.Rejection.Should().Be(RejectionReason.PreconditionViolated);
        v.Detail.Should().Be("action 3 (cancel_reservation): the reservation is not pending");
    }

    [Fact]
    public void A_write_that_changes_nothing_is_rejected()
    {
        var task = Kept("cancel");
        var email = task.Actions[0].Arguments["email"]!.GetValue<string>();
        var person = ((JsonObject)_domain.AgentDb.Root["passengers"]!).First(p => p.Value!["email"]!.GetValue<string>() == email).Value!;
        var phone = person["phone"]!.GetValue<string>();
        var same = new GoldAction(_bp.UpdatePhone, new JsonObject { [_bp.PKey] = person[_bp.PKey]!.GetValue<string>(), ["phone"] = phone });
        var noop = task with { Actions = [task.Actions[0], same], KnownInfo = task.KnownInfo + $"\nYour phone is {phone}." };
        var v = Verify(noop);
        v.Rejection.Should().Be(RejectionReason.WriteChangedNothing);
        v.Detail.Should().Be($"action 1 ({_bp.UpdatePhone}): the database is unchanged");
    }

    [Fact]
    public void The_same_action_sequence_is_kept_once()
    {
        var task = Kept("cancel");
        var verifier = new TaskVerifier(_domain);
        verifier.Verify(task).Kept.Should().BeTrue();
        verifier.Verify(task with { ReasonForCall = "Other words." + task.ReasonForCall }).Rejection.Should().Be(RejectionReason.Duplicate);
    }
}
