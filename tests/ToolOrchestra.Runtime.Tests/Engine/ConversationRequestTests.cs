using Microsoft.Extensions.AI;
using ToolOrchestra.Core;

namespace ToolOrchestra.Runtime.Tests.Engine;

public sealed class ConversationRequestTests
{
    [Fact]
    public void The_last_user_message_is_the_problem_and_earlier_turns_are_its_context_without_system_messages()
    {
        var request = OrchestrationRequest.FromConversation([
            new ChatMessage(ChatRole.System, "You are terse."),
            new ChatMessage(ChatRole.User, "I am planning a trip."),
            new ChatMessage(ChatRole.Assistant, "Where to?"),
            new ChatMessage(ChatRole.User, "Capital of France?"),
        ]);

        request.Problem.Should().Be("Conversation so far:\nuser: I am planning a trip.\nassistant: Where to?\n\nCapital of France?");
        OrchestrationRequest.FromConversation([new ChatMessage(ChatRole.User, "Just this?")]).Problem.Should().Be("Just this?");
    }

    [Fact]
    public void A_conversation_without_a_user_question_is_refused()
    {
        FluentActions.Invoking(() => OrchestrationRequest.FromConversation([new ChatMessage(ChatRole.Assistant, "hi")]))
            .Should().Throw<UserError>().WithMessage("*no user message*");
    }
}
