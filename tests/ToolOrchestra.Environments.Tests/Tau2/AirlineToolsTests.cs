using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2;
using ToolOrchestra.Environments.Tau2.Data;

namespace ToolOrchestra.Environments.Tests.Tau2;

public class AirlineToolsTests
{
    private static Tau2Environment NewEnv() => Tau2TestData.Domain("airline").CreateEnvironment();

    private static Tau2Message Call(Tau2Environment env, string name, JsonObject args) => env.Execute(new Tau2ToolCall("c", name, args));

    private static JsonObject Booking(string cabin = "economy", JsonArray? payments = null) => new()
    {
        ["user_id"] = "mia_li_3668", ["origin"] = "JFK", ["destination"] = "SEA", ["flight_type"] = "one_way", ["cabin"] = cabin,
        ["flights"] = new JsonArray(new JsonObject { ["flight_number"] = "HAT136", ["date"] = "2024-05-20" }, new JsonObject { ["flight_number"] = "HAT039", ["date"] = "2024-05-20" }),
        ["passengers"] = new JsonArray(new JsonObject { ["first_name"] = "Mia", ["last_name"] = "Li", ["dob"] = "1990-04-05" }),
        ["payment_methods"] = payments ?? new JsonArray(new JsonObject { ["payment_id"] = "certificate_7504069", ["amount"] = 250 }, new JsonObject { ["payment_id"] = "credit_card_4421486", ["amount"] = 5 }),
        ["total_baggages"] = 3, ["nonfree_baggages"] = 0, ["insurance"] = "no",
    };

    [Fact]
    public void Booking_uses_the_fixed_id_and_clock_spends_the_certificate_and_takes_seats()
    {
        var env = NewEnv();
        var seatsBefore = JsonNode.Parse(Call(env, "search_direct_flight", new JsonObject { ["origin"] = "JFK", ["destination"] = "ATL", ["date"] = "2024-05-20" }).Content!)!
            .AsArray().First(f => f!["flight_number"]!.GetValue<string>() == "HAT136")!["available_seats"]!["economy"]!.GetValue<int>();

        var result = Call(env, "book_reservation", Booking());

        result.Error.Should().BeFalse(result.Content);
        var reservation = JsonNode.Parse(result.Content!)!;
        reservation["reservation_id"]!.GetValue<string>().Should().Be("HATHAT");
        reservation["created_at"]!.GetValue<string>().Should().Be("2024-05-15T15:00:00");
        result.Content.Should().EndWith("\"insurance\": \"no\", \"status\": null}");
        var user = Call(env, "get_user_details", new JsonObject { ["user_id"] = "mia_li_3668" }).Content!;
        user.Should().NotContain("certificate_7504069").And.Contain("\"HATHAT\"]");
        var seatsAfter = JsonNode.Parse(Call(env, "search_direct_flight", new JsonObject { ["origin"] = "JFK", ["destination"] = "ATL", ["date"] = "2024-05-20" }).Content!)!
            .AsArray().First(f => f!["flight_number"]!.GetValue<string>() == "HAT136")!["available_seats"]!["economy"]!.GetValue<int>();
        seatsAfter.Should().Be(seatsBefore - 1);
        var second = Call(env, "book_reservation", Booking("business", new JsonArray(new JsonObject { ["payment_id"] = "credit_card_4421486", ["amount"] = 0 })));
        second.Content.Should().StartWith("Error: Payment amount does not add up");
        var third = JsonNode.Parse(Call(env, "book_reservation", Booking("economy", new JsonArray(new JsonObject { ["payment_id"] = "credit_card_4421486", ["amount"] = 255 }))).Content!)!;
        third["reservation_id"]!.GetValue<string>().Should().Be("HATHAU", "a failed booking uses no id");
    }

    [Fact]
    public void A_wrong_total_is_refused_with_upstreams_message()
    {
        var result = Call(NewEnv(), "book_reservation", Booking(payments: new JsonArray(new JsonObject { ["payment_id"] = "credit_card_4421486", ["amount"] = 5 })));
        result.Error.Should().BeTrue();
        result.Content.Should().Be("Error: Payment amount does not add up, total price is 255, but paid 5");
    }

    [Fact]
    public void Malformed_payment_objects_give_pydantics_error_text_as_recorded()
    {
        var args = Booking(payments: new JsonArray(new JsonObject { ["id"] = "certificate_7504069", ["type"] = "certificate", ["amount"] = 250 }));
        Call(NewEnv(), "book_reservation", args).Content.Should().Be(
            "Error: 1 validation error for Payment\npayment_id\n  Field required [type=missing, input_value={'id': 'certificate_75040...ificate', 'amount': 250}, input_type=dict]\n    For further information visit https://errors.pydantic.dev/2.12/v/missing");
    }

    [Fact]
    public void Unknown_tools_and_bad_arguments_raise_pythons_errors()
    {
        var env = NewEnv();
        Call(env, "getUserDetails", []).Content.Should().Be("Error: Tool 'getUserDetails' not found.");
        Call(env, "get_user_details", []).Content.Should().Be("Error: AirlineTools.get_user_details() missing 1 required positional argument: 'user_id'");
        Call(env, "get_user_details", new JsonObject { ["user_id"] = "x", ["id"] = 1 }).Content.Should().Be("Error: AirlineTools.get_user_details() got an unexpected keyword argument 'id'");
        Call(env, "get_user_details", new JsonObject { ["user_id"] = "nobody" }).Content.Should().Be("Error: User nobody not found");
    }

    [Fact]
    public void Certificates_get_the_fixed_ids_in_turn_and_cancellation_refunds_without_releasing_seats()
    {
        var env = NewEnv();
        Call(env, "send_certificate", new JsonObject { ["user_id"] = "mia_li_3668", ["amount"] = 100 }).Content
            .Should().Be("Certificate certificate_3221322 added to user mia_li_3668 with amount 100.");
        Call(env, "send_certificate", new JsonObject { ["user_id"] = "mia_li_3668", ["amount"] = 50 }).Content
            .Should().StartWith("Certificate certificate_3221323 ");

        var cancelled = JsonNode.Parse(Call(env, "cancel_reservation", new JsonObject { ["reservation_id"] = "4WQ150" }).Content!)!;
        cancelled["status"]!.GetValue<string>().Should().Be("cancelled");
        cancelled["payment_history"]!.AsArray().Select(p => p!["amount"]!.GetValue<int>()).Should().Equal(4986, -4986);
    }

    [Fact]
    public void One_stop_search_takes_the_second_leg_on_the_next_day_after_an_overnight_first_leg()
    {
        var pairs = JsonNode.Parse(Call(NewEnv(), "search_onestop_flight", new JsonObject { ["origin"] = "SEA", ["destination"] = "MIA", ["date"] = "2024-05-16" }).Content!)!.AsArray();
        var overnight = pairs.Where(p => p![0]!["scheduled_arrival_time_est"]!.GetValue<string>().Contains("+1")).ToList();
        overnight.Should().NotBeEmpty();
        foreach (var pair in overnight)
        {
            pair![0]!["date"]!.GetValue<string>().Should().Be("2024-05-16");
            pair[1]!["date"]!.GetValue<string>().Should().Be("2024-05-17");
            string.CompareOrdinal(pair[1]!["scheduled_departure_time_est"]!.GetValue<string>(), pair[0]!["scheduled_arrival_time_est"]!.GetValue<string>())
                .Should().BeGreaterThanOrEqualTo(0, "the connection rule compares the time strings");
        }
    }
}
