using ToolOrchestra.Environments.Tau2;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class PromptTests
{
    [Fact]
    public void User_prompt_renders_the_structured_scenario_as_upstream()
    {
        var domain = Tau2TestData.Domain("airline");
        var task = Tau2TestData.Tasks("airline").Get("2");
        var prompt = Tau2Prompts.UserSystemPrompt(domain, task);
        prompt.Should().EndWith("</scenario>");
        prompt.Should().Contain("\n\n<scenario>\nInstructions:\n\tDomain: airline\n\tReason for call:\n\t\tFirst, try to book a flight from sf to ny.");
        prompt.Should().Contain("\tKnown info:\n\t\tYou are Noah Muller.\n\t\tYour user id is noah_muller_9847.");
        prompt.Should().NotContain("Unknown info:", "null blocks are left out");
    }

    [Fact]
    public void Agent_prompt_wraps_instructions_and_policy()
    {
        var policy = Tau2TestData.Domain("retail").Policy;
        var prompt = Tau2Prompts.AgentSystemPrompt(policy);
        prompt.Should().StartWith("<instructions>\nYou are a customer service agent").And.EndWith($"<policy>\n{policy}\n</policy>");
        Tau2Prompts.UserSystemPrompt(Tau2TestData.Domain("telecom"), Tau2TestData.Tasks("telecom").Tasks.First(t => t.UserScenario.Persona is not null))
            .Should().Contain("tool", "telecom users get the guidelines with tools").And.Contain("Persona:");
    }
}
