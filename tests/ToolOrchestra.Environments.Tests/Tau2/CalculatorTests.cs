using ToolOrchestra.Environments.Tau2;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class CalculatorTests
{
    [Theory]
    [InlineData("2 + 2", "4.0")]
    [InlineData("(100 - 25.5) * 3 / 7", "31.93")]
    [InlineData("10 // 3", "3.0")]
    [InlineData("2 ** 10", "1024.0")]
    [InlineData("-3 * -2", "6.0")]
    [InlineData("0.1+0.2", "0.3")]
    [InlineData("47.84 + 488.81", "536.65")]
    public void Evaluates_like_python_then_rounds_to_two_places(string expression, string expected) =>
        Calculator.Calculate(expression).Should().Be(expected);

    [Theory]
    [InlineData("abc", "Invalid characters in expression")]
    [InlineData("1/0", "division by zero")]
    [InlineData("2 3", "invalid syntax (<string>, line 1)")]
    public void Errors_read_like_upstreams(string expression, string message) =>
        FluentActions.Invoking(() => Calculator.Calculate(expression)).Should().Throw<ToolError>().WithMessage(message);
}
