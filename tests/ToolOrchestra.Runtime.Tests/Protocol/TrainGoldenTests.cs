using System.Text.Json.Nodes;
using ToolOrchestra.Runtime.Qa;

namespace ToolOrchestra.Runtime.Tests.Protocol;

/// <summary>
/// The train variant's orchestrator prompt against Golden/train.json: the training rollout's own prompt code (the QA
/// branch of run_llm_loop) run on the same documents and code by scripts/golden/qa_prompts.py.
/// </summary>
public sealed class TrainGoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in ReferenceGoldenTests.Load("train")["cases"]!.AsArray()) data.Add(c!["name"]!.GetValue<string>());
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_orchestrator_prompt_matches_the_training_rollout(string name)
    {
        var c = ReferenceGoldenTests.Load("train")["cases"]!.AsArray().Single(x => x!["name"]!.GetValue<string>() == name)!;
        var context = new QaContext(GoldenTokenizer.Instance);
        context.AddDocuments(c["documents"]!.AsArray().Select(d => d!.GetValue<string>()));
        foreach (var block in c["code"]!.AsArray()) context.AddCode(block!["code"]!.GetValue<string>(), block["output"]!.GetValue<string>());

        var prompt = QaEpisodeRunner.Prompt(QaProtocolVariant.Train, c["problem"]!.GetValue<string>(), context);

        prompt.Select(m => (m.Role, m.Content)).Should().Equal(c["expected"]!.AsArray()
            .Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())));
    }
}
