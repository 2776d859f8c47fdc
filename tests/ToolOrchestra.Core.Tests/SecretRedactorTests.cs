using ToolOrchestra.Core.Text;

namespace ToolOrchestra.Core.Tests;

public sealed class SecretRedactorTests
{
    [Fact]
    public void A_registered_key_is_removed_wherever_it_appears()
    {
        SecretRedactor.Register("plain-looking-Key-4711-zz");
        SecretRedactor.Redact("HTTP 401: Incorrect API key provided: plain-looking-Key-4711-zz. (plain-looking-Key-4711-zz)")
            .Should().Be("HTTP 401: Incorrect API key provided: [REDACTED]. ([REDACTED])");
    }

    [Theory]
    [InlineData("Authorization: Bearer abc.DEF_123-456", "Authorization: Bearer [REDACTED]")]
    [InlineData("key sk-proj-AbCdEf0123456789xyz was rejected", "key [REDACTED] was rejected")]
    [InlineData("\"api_key\":\"tvly-dev-0123456789abcdefgh\"", "\"api_key\":\"[REDACTED]\"")]
    [InlineData("bearer [REDACTED]", "bearer [REDACTED]")]
    public void Secret_shaped_tokens_are_removed(string text, string expected) =>
        SecretRedactor.Redact(text).Should().Be(expected);

    [Theory]
    [InlineData("ask-the-user-for-their-booking-reference")]
    [InlineData("the bearer of bad news")]
    [InlineData("the Bearer instruments were sold")]
    [InlineData("task-0123456789abcdefghij")]
    [InlineData("sk-short")]
    public void Ordinary_text_is_left_alone(string text) => SecretRedactor.Redact(text).Should().Be(text);

    [Fact]
    public void Placeholders_that_local_servers_ignore_are_not_secrets()
    {
        SecretRedactor.Register("EMPTY");
        SecretRedactor.Register("not-needed");
        SecretRedactor.Redact("EMPTY answers are not-needed").Should().Be("EMPTY answers are not-needed");
    }
}
