using ToolOrchestra.Core;
using ToolOrchestra.Training.Policy;

namespace ToolOrchestra.Training.Tests.Policy;

public sealed class PolicyWeightsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policy-weights-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Saved_weights_load_back_bit_for_bit_with_their_features_and_notes()
    {
        var policy = SoftmaxPolicy.Create(new FeatureConfig(ProblemBuckets: 64, MaxNgram: 3), seed: 8, initScale: 1);
        policy.Weights[0] = 1.0 / 3; policy.Weights[1] = -2.5e-300; policy.Weights[2] = double.Epsilon;
        var path = Path.Combine(_dir, "w.json");

        PolicyWeightsFile.Save(policy, path, new Dictionary<string, string> { ["seed"] = "8", ["steps"] = "40" });
        var (loaded, notes) = PolicyWeightsFile.LoadWithNotes(path);

        loaded.Config.Should().Be(policy.Config);
        loaded.Weights.Select(BitConverter.DoubleToInt64Bits).Should().Equal(policy.Weights.Select(BitConverter.DoubleToInt64Bits));
        notes["steps"].Should().Be("40");
        Directory.GetFiles(_dir).Should().ContainSingle("no temporary file is left behind");
    }

    [Fact]
    public void A_file_of_another_format_version_is_a_user_error_that_says_how_to_fix_it()
    {
        var path = Path.Combine(_dir, "w.json");
        PolicyWeightsFile.Save(SoftmaxPolicy.Create(new FeatureConfig(ProblemBuckets: 4, DescriptionBuckets: 4)), path);
        File.WriteAllText(path, File.ReadAllText(path).Replace($"\"format_version\":{PolicyWeightsFile.FormatVersion}", "\"format_version\":99"));

        var act = () => PolicyWeightsFile.Load(path);
        act.Should().Throw<UserError>().WithMessage($"{path}: $.format_version: weights format version 99 *reads version {PolicyWeightsFile.FormatVersion}*retrain*");
    }

    [Fact]
    public void A_file_that_is_not_policy_weights_is_a_user_error()
    {
        var path = Path.Combine(_dir, "catalog.json");
        File.WriteAllText(path, """{"models": {}}""");
        var act = () => PolicyWeightsFile.Load(path);
        act.Should().Throw<UserError>().WithMessage("*not a small-policy weights file*");
    }

    [Fact]
    public void Truncated_weights_are_a_user_error_naming_the_field()
    {
        var path = Path.Combine(_dir, "w.json");
        PolicyWeightsFile.Save(SoftmaxPolicy.Create(new FeatureConfig(ProblemBuckets: 4, DescriptionBuckets: 4)), path);
        var text = File.ReadAllText(path);
        var cut = text.LastIndexOf(',');
        File.WriteAllText(path, text[..cut] + "]}");

        var act = () => PolicyWeightsFile.Load(path);
        act.Should().Throw<UserError>().WithMessage("*$.weights: has * weights but the features need*");
    }

    [Fact]
    public void A_missing_file_is_a_user_error()
    {
        var act = () => PolicyWeightsFile.Load(Path.Combine(_dir, "nope.json"));
        act.Should().Throw<UserError>().WithMessage("*nope.json: file not found*");
    }
}
