using ToolOrchestra.Training.Demo;
using ToolOrchestra.Training.Rollouts;

namespace ToolOrchestra.Training.Tests.Rollouts;

/// <summary>The preference-dial checks of the demo, on hand-made sweeps: each bound can fail on its own.</summary>
public sealed class PreferenceSweepTests
{
    private static PreferenceSweepPoint P(double w, double accuracy, decimal dollars, double seconds = 30) => new(w, accuracy, dollars, seconds);

    private static EvaluationRow Row(string profile, double seconds) =>
        new($"{OfflineDemo.Trained}, every task {profile}", 75, 0.7, 0.01m, seconds, 2, new Dictionary<string, double>(), 0.5, 0);

    private static readonly IReadOnlyList<EvaluationRow> Adherence =
        [Row("none", 120), Row("balanced", 40), Row("low-cost", 35), Row("low-latency", 25), Row(OfflineDemo.LocalOnlyHard.Name, 10)];

    private static readonly IReadOnlyList<PreferenceSweepPoint> Dial =
        [P(0, 0.80, 0.06m), P(0.1, 0.77, 0.02m), P(0.25, 0.72, 0.008m), P(0.5, 0.73, 0.0081m), P(1, 0.65, 0.004m)];

    [Fact]
    public void A_sweep_that_moves_with_the_weight_meets_every_bound_and_the_hard_constraint_row_is_not_a_soft_profile()
    {
        var checks = PreferenceSweep.Check(Dial, Adherence, OfflineDemo.Trained);

        checks.Should().BeEquivalentTo(new SweepChecks(true, true, -3, 1 / 3.0, true, 25, "low-cost", 35, true),
            o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
        checks.Met.Should().BeTrue("a rise of 1 point or 1.25% of dollars is noise; the local-only row (10 s) is a hard constraint");
    }

    [Fact]
    public void A_switch_fails_the_dial_and_a_rise_past_the_noise_fails_the_monotone_bounds()
    {
        IReadOnlyList<PreferenceSweepPoint> @switch = [P(0, 0.81, 0.064m), P(0.1, 0.65, 0.0038m), P(0.25, 0.65, 0.0038m), P(0.5, 0.65, 0.0037m), P(1, 0.65, 0.0036m)];
        var checks = PreferenceSweep.Check(@switch, Adherence, OfflineDemo.Trained);
        (checks.DollarsNonIncreasing, checks.AccuracyNonIncreasing, checks.DialMet).Should().Be((true, true, false));
        checks.DialAccuracyGapPoints.Should().Be(-16);

        IReadOnlyList<PreferenceSweepPoint> bumpy = [P(0, 0.80, 0.06m), P(0.1, 0.78, 0.02m), P(0.25, 0.81, 0.0205m), P(0.5, 0.7, 0.01m), P(1, 0.6, 0.005m)];
        checks = PreferenceSweep.Check(bumpy, Adherence, OfflineDemo.Trained);
        (checks.DollarsNonIncreasing, checks.AccuracyNonIncreasing, checks.DialMet, checks.Met).Should().Be((false, false, true, false));
    }

    [Fact]
    public void Low_latency_must_be_the_fastest_soft_profile()
    {
        IReadOnlyList<EvaluationRow> slow = [Row("none", 120), Row("low-cost", 24), Row("low-latency", 25)];
        var checks = PreferenceSweep.Check(Dial, slow, OfflineDemo.Trained);
        (checks.LowLatencyFastest, checks.FastestOtherProfile, checks.FastestOtherSeconds).Should().Be((false, "low-cost", 24.0));
        checks.Met.Should().BeFalse();
    }
}
