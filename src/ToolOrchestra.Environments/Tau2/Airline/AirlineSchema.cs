using ToolOrchestra.Environments.Tau2.Db;

namespace ToolOrchestra.Environments.Tau2.Airline;

/// <summary>The airline data models (upstream domains/airline/data_model.py), in field declaration order.</summary>
public static class AirlineSchema
{
    public static readonly string[] Cabins = ["business", "economy", "basic_economy"];
    public static readonly Shape CabinClass = Shape.Literal(Cabins);
    public static readonly Shape FlightType = Shape.Literal("round_trip", "one_way");
    public static readonly Shape Insurance = Shape.Literal("yes", "no");

    public static readonly Model Name = new("Name", [Field.Required("first_name", Shape.Str), Field.Required("last_name", Shape.Str)]);

    public static readonly Model Address = new("Address",
    [
        Field.Required("address1", Shape.Str),
        Field.NullDefault("address2", Shape.Str),
        Field.Required("city", Shape.Str),
        Field.Required("country", Shape.Str),
        Field.Required("state", Shape.Str),
        Field.Required("zip", Shape.Str),
    ]);

    public static readonly Model Payment = new("Payment", [Field.Required("payment_id", Shape.Str), Field.Required("amount", Shape.Int)]);

    public static readonly Model CreditCard = new("CreditCard",
    [
        Field.Required("source", Shape.Literal("credit_card")),
        Field.Required("id", Shape.Str),
        Field.Required("brand", Shape.Str),
        Field.Required("last_four", Shape.Str),
    ]);

    public static readonly Model GiftCard = new("GiftCard",
    [
        Field.Required("source", Shape.Literal("gift_card")),
        Field.Required("id", Shape.Str),
        Field.Required("amount", Shape.Float),
    ]);

    public static readonly Model Certificate = new("Certificate",
    [
        Field.Required("source", Shape.Literal("certificate")),
        Field.Required("id", Shape.Str),
        Field.Required("amount", Shape.Float),
    ]);

    public static readonly Shape PaymentMethod = new UnionShape("source", new Dictionary<string, Model>
    {
        ["credit_card"] = CreditCard,
        ["gift_card"] = GiftCard,
        ["certificate"] = Certificate,
    });

    public static readonly Model Passenger = new("Passenger",
    [
        Field.Required("first_name", Shape.Str),
        Field.Required("last_name", Shape.Str),
        Field.Required("dob", Shape.Str),
    ]);

    private static readonly Shape SeatMap = Shape.DictOf(Shape.Int);

    public static readonly Model StatusAvailable = new("FlightDateStatusAvailable",
    [
        Field.Required("status", Shape.Literal("available")),
        Field.Required("available_seats", SeatMap),
        Field.Required("prices", SeatMap),
    ]);

    private static Model TimedStatus(string name, string status, string first, string second) => new(name,
    [
        Field.Required("status", Shape.Literal(status)),
        Field.Required(first, Shape.Str),
        Field.Required(second, Shape.Str),
    ]);

    public static readonly Shape FlightDateStatus = new UnionShape("status", new Dictionary<string, Model>
    {
        ["available"] = StatusAvailable,
        ["landed"] = TimedStatus("FlightDateStatusLanded", "landed", "actual_departure_time_est", "actual_arrival_time_est"),
        ["cancelled"] = new("FlightDateStatusCancelled", [Field.Required("status", Shape.Literal("cancelled"))]),
        ["delayed"] = TimedStatus("FlightDateStatusDelayed", "delayed", "estimated_departure_time_est", "estimated_arrival_time_est"),
        ["flying"] = TimedStatus("FlightDataStatusFlying", "flying", "actual_departure_time_est", "estimated_arrival_time_est"),
        ["on time"] = TimedStatus("FlightDataStatusOnTime", "on time", "estimated_departure_time_est", "estimated_arrival_time_est"),
    });

    public static readonly Model Flight = new("Flight",
    [
        Field.Required("flight_number", Shape.Str),
        Field.Required("origin", Shape.Str),
        Field.Required("destination", Shape.Str),
        Field.Required("scheduled_departure_time_est", Shape.Str),
        Field.Required("scheduled_arrival_time_est", Shape.Str),
        Field.Required("dates", Shape.DictOf(FlightDateStatus)),
    ]);

    public static readonly Model ReservationFlight = new("ReservationFlight",
    [
        Field.Required("flight_number", Shape.Str),
        Field.Required("origin", Shape.Str),
        Field.Required("destination", Shape.Str),
        Field.Required("date", Shape.Str),
        Field.Required("price", Shape.Int),
    ]);

    public static readonly Model FlightInfo = new("FlightInfo", [Field.Required("flight_number", Shape.Str), Field.Required("date", Shape.Str)]);

    public static readonly Model User = new("User",
    [
        Field.Required("user_id", Shape.Str),
        Field.Required("name", Name),
        Field.Required("address", Address),
        Field.Required("email", Shape.Str),
        Field.Required("dob", Shape.Str),
        Field.Required("payment_methods", Shape.DictOf(PaymentMethod)),
        Field.Required("saved_passengers", Shape.ListOf(Passenger)),
        Field.Required("membership", Shape.Literal("gold", "silver", "regular")),
        Field.Required("reservations", Shape.ListOf(Shape.Str)),
    ]);

    public static readonly Model Reservation = new("Reservation",
    [
        Field.Required("reservation_id", Shape.Str),
        Field.Required("user_id", Shape.Str),
        Field.Required("origin", Shape.Str),
        Field.Required("destination", Shape.Str),
        Field.Required("flight_type", FlightType),
        Field.Required("cabin", CabinClass),
        Field.Required("flights", Shape.ListOf(ReservationFlight)),
        Field.Required("passengers", Shape.ListOf(Passenger)),
        Field.Required("payment_history", Shape.ListOf(Payment)),
        Field.Required("created_at", Shape.Str),
        Field.Required("total_baggages", Shape.Int),
        Field.Required("nonfree_baggages", Shape.Int),
        Field.Required("insurance", Insurance),
        Field.NullDefault("status", Shape.Literal("cancelled")),
    ]);

    public static readonly Model Db = new("FlightDB",
    [
        Field.Required("flights", Shape.DictOf(Flight)),
        Field.Required("users", Shape.DictOf(User)),
        Field.Required("reservations", Shape.DictOf(Reservation)),
    ]);
}
