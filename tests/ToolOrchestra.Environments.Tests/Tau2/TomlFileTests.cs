using FluentAssertions;
using ToolOrchestra.Core;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class TomlFileTests
{
    [Fact]
    public void Tables_arrays_of_tables_and_values_become_json()
    {
        var json = TomlFile.Parse("""
            # a comment
            [plans.basic]
            price = 10.5
            data_gb = 2
            roaming = false
            [[customers]]
            id = "C1"
            lines = [{ number = "555", status = "active" }]
            [[customers]]
            id = "C2"
            lines = []
            """);

        json["plans"]!["basic"]!["price"]!.GetValue<double>().Should().Be(10.5);
        json["plans"]!["basic"]!["data_gb"]!.GetValue<long>().Should().Be(2);
        json["customers"]!.AsArray().Should().HaveCount(2);
        json["customers"]![0]!["lines"]![0]!["status"]!.GetValue<string>().Should().Be("active");
    }

    [Fact]
    public void A_syntax_error_names_the_file_line_and_column()
    {
        var act = () => TomlFile.Parse("a = 1\nb = \n", "db.toml");

        act.Should().Throw<UserError>().WithMessage("db.toml: line 2, column 5: not valid TOML here: Missing value after `=`. Fix the TOML at that place.");
    }
}
