using System.Globalization;
using System.Text.Json.Nodes;
using ToolOrchestra.Environments.Tau2.Db;
using ToolOrchestra.Environments.Tau2.Json;
using P = ToolOrchestra.Environments.Tau2.ToolParameter;

namespace ToolOrchestra.Environments.Tau2.Airline;

/// <summary>
/// The airline agent tools (upstream AirlineTools), rule by rule, including upstream's quirks: fixed new ids
/// (HATHAT/HATHAU/HATHAV, certificate_3221322..4), the fixed clock 2024-05-15T15:00:00, no seat release on
/// cancellation, no seat update on flight changes, unvalidated baggage assignment, and the un-padded "2024-05-{day+1}"
/// second-leg date of one-stop searches.
/// </summary>
public sealed class AirlineTools(Database db) : Toolkit("AirlineTools", db, Catalog)
{
    public const string Now = "2024-05-15T15:00:00";
    private static readonly string[] NewReservationIds = ["HATHAT", "HATHAU", "HATHAV"];
    private static readonly long[] NewPaymentIds = [3221322, 3221323, 3221324];

    private const string PaymentIdDescription = "The payment id stored in user profile, such as 'credit_card_7815826', 'gift_card_7815826', 'certificate_7815826'.";

    private static readonly JsonObject FlightInfoSchema = P.ObjectSchema(
        ("flight_number", "string", "Flight number, such as 'HAT001'."),
        ("date", "string", "The date for the flight in the format 'YYYY-MM-DD', such as '2024-05-01'."));
    private static readonly JsonObject PassengerSchema = P.ObjectSchema(
        ("first_name", "string", "Passenger's first name"),
        ("last_name", "string", "Passenger's last name"),
        ("dob", "string", "Date of birth in YYYY-MM-DD format"));
    private static readonly JsonObject PaymentSchema = P.ObjectSchema(
        ("payment_id", "string", "Unique identifier for the payment"),
        ("amount", "integer", "Payment amount in dollars"));

    private static readonly IReadOnlyList<ToolFunction> Catalog = new ToolCatalog<AirlineTools>()
        .Tool("book_reservation", ToolType.Write, "Book a reservation.", (t, a) => t.BookReservation(a),
            P.Str("user_id", "The ID of the user to book the reservation such as 'sara_doe_496'`."),
            P.Str("origin", "The IATA code for the origin city such as 'SFO'."),
            P.Str("destination", "The IATA code for the destination city such as 'JFK'."),
            P.Enum("flight_type", "The type of flight such as 'one_way' or 'round_trip'.", "round_trip", "one_way"),
            P.Enum("cabin", "The cabin class such as 'basic_economy', 'economy', or 'business'.", AirlineSchema.Cabins),
            P.Array("flights", "An array of objects containing details about each piece of flight.", FlightInfoSchema),
            P.Array("passengers", "An array of objects containing details about each passenger.", PassengerSchema),
            P.Array("payment_methods", "An array of objects containing details about each payment method.", PaymentSchema),
            P.Int("total_baggages", "The total number of baggage items to book the reservation."),
            P.Int("nonfree_baggages", "The number of non-free baggage items to book the reservation."),
            P.Enum("insurance", "Whether the reservation has insurance.", "yes", "no"))
        .Tool("calculate", ToolType.Generic, Descriptions.Calculate, (_, a) => Calculate(a),
            P.Str("expression", Descriptions.CalculateExpression))
        .Tool("cancel_reservation", ToolType.Write, "Cancel the whole reservation.", (t, a) => t.CancelReservation(a),
            P.Str("reservation_id", "The reservation ID, such as 'ZFA04Y'."))
        .Tool("get_reservation_details", ToolType.Read, "Get the details of a reservation.", (t, a) => Py.Clone(t.Reservation(a["reservation_id"])),
            P.Str("reservation_id", "The reservation ID, such as '8JX2WO'."))
        .Tool("get_user_details", ToolType.Read, "Get the details of a user, including their reservations.", (t, a) => Py.Clone(t.User(a["user_id"])),
            P.Str("user_id", "The user ID, such as 'sara_doe_496'."))
        .Tool("list_all_airports", ToolType.Read, "Returns a list of all available airports.", (_, _) => ListAllAirports())
        .Tool("search_direct_flight", ToolType.Read, "Search for direct flights between two cities on a specific date.",
            (t, a) => new JsonArray(t.SearchDirect(a["date"], a["origin"], a["destination"], null).Select(f => (JsonNode?)f).ToArray()),
            P.Str("origin", "The origin city airport in three letters, such as 'JFK'."),
            P.Str("destination", "The destination city airport in three letters, such as 'LAX'."),
            P.Str("date", "The date of the flight in the format 'YYYY-MM-DD', such as '2024-01-01'."))
        .Tool("search_onestop_flight", ToolType.Read, "Search for one-stop flights between two cities on a specific date.", (t, a) => t.SearchOneStop(a),
            P.Str("origin", "The origin city airport in three letters, such as 'JFK'."),
            P.Str("destination", "The destination city airport in three letters, such as 'LAX'."),
            P.Str("date", "The date of the flight in the format 'YYYY-MM-DD', such as '2024-05-01'."))
        .Tool("send_certificate", ToolType.Write, "Send a certificate to a user. Be careful!", (t, a) => t.SendCertificate(a),
            P.Str("user_id", "The ID of the user to book the reservation, such as 'sara_doe_496'."),
            P.Int("amount", "The amount of the certificate to send."))
        .Tool("transfer_to_human_agents", ToolType.Generic, Descriptions.TransferToHumanAgents, (_, _) => "Transfer successful",
            P.Str("summary", "A summary of the user's issue."))
        .Tool("update_reservation_baggages", ToolType.Write, "Update the baggage information of a reservation.", (t, a) => t.UpdateBaggages(a),
            P.Str("reservation_id", "The reservation ID, such as 'ZFA04Y'"),
            P.Int("total_baggages", "The updated total number of baggage items included in the reservation."),
            P.Int("nonfree_baggages", "The updated number of non-free baggage items included in the reservation."),
            P.Str("payment_id", PaymentIdDescription))
        .Tool("update_reservation_flights", ToolType.Write, "Update the flight information of a reservation.", (t, a) => t.UpdateFlights(a),
            P.Str("reservation_id", "The reservation ID, such as 'ZFA04Y'."),
            P.Enum("cabin", "The cabin class of the reservation", AirlineSchema.Cabins),
            P.Array("flights", "An array of objects containing details about each piece of flight in the ENTIRE new reservation. Even if the a flight segment is not changed, it should still be included in the array.", FlightInfoSchema),
            P.Str("payment_id", PaymentIdDescription))
        .Tool("update_reservation_passengers", ToolType.Write, "Update the passenger information of a reservation.", (t, a) => t.UpdatePassengers(a),
            P.Str("reservation_id", "The reservation ID, such as 'ZFA04Y'."),
            P.Array("passengers", "An array of objects containing details about each passenger.", PassengerSchema))
        .Tool("get_flight_status", ToolType.Read, "Get the status of a flight.", (t, a) => t.FlightInstance(a["flight_number"], a["date"])["status"]!.GetValue<string>(),
            P.Str("flight_number", "The flight number."),
            P.Str("date", "The date of the flight."))
        .Build();

    private Database Data => Db!;

    // ---- lookups (upstream _get_*) ----

    private string UserKey(JsonNode? userId) =>
        Py.Str(userId) is { } id && Data.Contains("users", id) ? id : throw new ToolError($"User {Py.ToStr(userId)} not found");

    private JsonObject User(JsonNode? userId) => Data.Get("users", UserKey(userId))!;

    private string ReservationKey(JsonNode? reservationId) =>
        Py.Str(reservationId) is { } id && Data.Contains("reservations", id) ? id : throw new ToolError($"Reservation {Py.ToStr(reservationId)} not found");

    private JsonObject Reservation(JsonNode? reservationId) => Data.Get("reservations", ReservationKey(reservationId))!;

    private string FlightKey(JsonNode? flightNumber) =>
        Py.Str(flightNumber) is { } n && Data.Contains("flights", n) ? n : throw new ToolError($"Flight {Py.ToStr(flightNumber)} not found");

    private JsonObject FlightInstance(JsonNode? flightNumber, JsonNode? date)
    {
        var flight = Data.Get("flights", FlightKey(flightNumber))!;
        if (Py.Str(date) is { } d && flight["dates"]![d] is JsonObject instance) return instance;
        throw new ToolError($"Flight {Py.ToStr(flightNumber)} not found on date {Py.ToStr(date)}");
    }

    private string NewReservationId() =>
        NewReservationIds.FirstOrDefault(id => !Data.Contains("reservations", id)) ?? throw new ToolError("Too many reservations");

    private static JsonNode? SeatsOrPrice(JsonObject instance, string field, JsonNode? cabin) =>
        Py.Str(cabin) is { } c && instance[field] is JsonObject map && map.ContainsKey(c) ? map[c] : throw ToolError.KeyError(Py.ToStr(cabin));

    // ---- tools ----

    /// <summary>upstream's travel insurance fee in <c>book_reservation</c> (policy: "The travel insurance is 30 dollars per passenger").</summary>
    private const long InsurancePerPassenger = 30;

    /// <summary>
    /// upstream's price of one non-free checked bag, charged by <c>book_reservation</c> and
    /// <c>update_reservation_baggages</c> (policy: "Each extra baggage is 50 dollars").
    /// </summary>
    private const long NonFreeBagPrice = 50;

    /// <summary>
    /// upstream <c>book_reservation</c>, step by step in its order (so the first failing check names the same error):
    /// build the reservation, price each flight (checking status and seats), add insurance and bag fees, check the
    /// payments, then (only when every check passed) charge them, take the seats and store the reservation.
    /// </summary>
    private JsonNode BookReservation(ToolArgs a)
    {
        var flights = PyArgs.Models(a["flights"], AirlineSchema.FlightInfo, "flight_number");
        var passengers = PyArgs.Models(a["passengers"], AirlineSchema.Passenger, "first_name");
        var payments = PyArgs.Models(a["payment_methods"], AirlineSchema.Payment, "payment_id");
        var userId = UserKey(a["user_id"]);
        var user = Data.Get("users", userId)!;
        var reservationId = NewReservationId();

        var reservation = NewReservation(a, reservationId, passengers, payments);
        var cabin = reservation["cabin"]!.GetValue<string>();
        var pax = passengers.Count;

        var totalPrice = AddFlights(reservation, flights, cabin, pax, out var booked);
        if (a.Str("insurance") == "yes") totalPrice += PyNum.Int(InsurancePerPassenger * pax);
        totalPrice += PyNum.Int(NonFreeBagPrice) * PyNum.From(a["nonfree_baggages"], t => $"unsupported operand type(s) for +=: 'int' and '{t}'");

        CheckPayments(user, payments, totalPrice);
        ChargePayments(userId, payments);
        foreach (var (number, date) in booked)
        {
            var seats = (JsonObject)Data.Edit("flights", number)["dates"]![date]!["available_seats"]!;
            seats[cabin] = Py.Long(seats[cabin]) - pax;
        }
        Data.Set("reservations", reservationId, reservation);
        ((JsonArray)Data.Edit("users", userId)["reservations"]!).Add(reservationId);
        return Py.Clone(reservation)!;
    }

    /// <summary>The validated reservation record, with no flights yet.</summary>
    private static JsonObject NewReservation(ToolArgs a, string reservationId, IReadOnlyList<JsonObject> passengers, IReadOnlyList<JsonObject> payments) =>
        ShapeValidator.Construct(AirlineSchema.Reservation, new JsonObject
        {
            ["reservation_id"] = reservationId,
            ["user_id"] = Py.Clone(a["user_id"]),
            ["origin"] = Py.Clone(a["origin"]),
            ["destination"] = Py.Clone(a["destination"]),
            ["flight_type"] = Py.Clone(a["flight_type"]),
            ["cabin"] = Py.Clone(a["cabin"]),
            ["flights"] = new JsonArray(),
            ["passengers"] = new JsonArray(passengers.Select(p => Py.Clone(p)).ToArray()),
            ["payment_history"] = new JsonArray(payments.Select(p => Py.Clone(p)).ToArray()),
            ["created_at"] = Now,
            ["total_baggages"] = Py.Clone(a["total_baggages"]),
            ["nonfree_baggages"] = Py.Clone(a["nonfree_baggages"]),
            ["insurance"] = Py.Clone(a["insurance"]),
        });

    /// <summary>
    /// Adds each flight to the reservation at its cabin price, failing on a flight that is not available or lacks
    /// seats for every passenger; returns the fare total (price × passengers, summed) and the (flight, date) instances
    /// whose seats are taken once payment succeeds.
    /// </summary>
    private PyNum AddFlights(JsonObject reservation, IReadOnlyList<JsonObject> flights, string cabin, int pax, out List<(string Number, string Date)> booked)
    {
        var total = PyNum.Int(0);
        booked = [];
        foreach (var info in flights)
        {
            var number = info["flight_number"]!.GetValue<string>();
            var date = info["date"]!.GetValue<string>();
            var flight = Data.Get("flights", FlightKey(info["flight_number"]))!;
            var instance = FlightInstance(info["flight_number"], info["date"]);
            if (instance["status"]!.GetValue<string>() != "available")
                throw new ToolError($"Flight {number} not available on date {date}");
            if (Py.Long(instance["available_seats"]![cabin]) < pax)
                throw new ToolError($"Not enough seats on flight {number}");
            var price = Py.Long(instance["prices"]![cabin]);
            ((JsonArray)reservation["flights"]!).Add(new JsonObject
            {
                ["flight_number"] = number,
                ["origin"] = Py.Clone(flight["origin"]),
                ["destination"] = Py.Clone(flight["destination"]),
                ["date"] = date,
                ["price"] = price,
            });
            booked.Add((number, date));
            total += PyNum.Int(price * pax);
        }
        return total;
    }

    /// <summary>
    /// upstream's checks before any charge: each payment method is the user's, a gift card or certificate covers its
    /// amount, and the amounts add up to the total price exactly.
    /// </summary>
    private static void CheckPayments(JsonObject user, IReadOnlyList<JsonObject> payments, PyNum totalPrice)
    {
        var methods = (JsonObject)user["payment_methods"]!;
        foreach (var payment in payments)
        {
            var id = payment["payment_id"]!.GetValue<string>();
            if (methods[id] is not JsonObject method) throw new ToolError($"Payment method {id} not found");
            var source = method["source"]!.GetValue<string>();
            if (source is "gift_card" or "certificate" && Py.Num(method["amount"]) < Py.Long(payment["amount"]))
                throw new ToolError($"Not enough balance in payment method {id}");
        }
        var totalPayment = payments.Sum(p => Py.Long(p["amount"]));
        if (totalPayment != totalPrice.Value)
            throw new ToolError($"Payment amount does not add up, total price is {totalPrice}, but paid {totalPayment.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Deducts the payments: a gift card's balance drops (kept a float, as upstream's <c>amount: float</c>), a
    /// certificate is used up whole; a certificate used twice fails on its second use, after the first deductions.
    /// </summary>
    private void ChargePayments(string userId, IReadOnlyList<JsonObject> payments)
    {
        foreach (var payment in payments)
        {
            var id = payment["payment_id"]!.GetValue<string>();
            var editable = (JsonObject)Data.Edit("users", userId)["payment_methods"]!;
            if (editable[id] is not JsonObject method) throw ToolError.KeyError(id);
            switch (method["source"]!.GetValue<string>())
            {
                case "gift_card":
                    method["amount"] = Py.Float(Py.Num(method["amount"]) - Py.Long(payment["amount"]));
                    break;
                case "certificate":
                    editable.Remove(id);
                    break;
            }
        }
    }

    private static string Calculate(ToolArgs a) =>
        Calculator.Calculate(a.Str("expression") ?? throw new ToolError($"'{Py.TypeName(a["expression"])}' object is not iterable"));

    private JsonNode CancelReservation(ToolArgs a)
    {
        var reservation = Data.Edit("reservations", ReservationKey(a["reservation_id"]));
        var history = (JsonArray)reservation["payment_history"]!;
        var refunds = history.Select(p => new JsonObject
        {
            ["payment_id"] = Py.Clone(p!["payment_id"]),
            ["amount"] = Py.Int(-Py.Long(p["amount"])),
        }).ToList();
        foreach (var refund in refunds) history.Add(refund);
        reservation["status"] = "cancelled";
        return Py.Clone(reservation)!;
    }

    private static readonly (string Iata, string City)[] Airports =
    [
        ("SFO", "San Francisco"), ("JFK", "New York"), ("LAX", "Los Angeles"), ("ORD", "Chicago"), ("DFW", "Dallas"),
        ("DEN", "Denver"), ("SEA", "Seattle"), ("ATL", "Atlanta"), ("MIA", "Miami"), ("BOS", "Boston"),
        ("PHX", "Phoenix"), ("IAH", "Houston"), ("LAS", "Las Vegas"), ("MCO", "Orlando"), ("EWR", "Newark"),
        ("CLT", "Charlotte"), ("MSP", "Minneapolis"), ("DTW", "Detroit"), ("PHL", "Philadelphia"), ("LGA", "LaGuardia"),
    ];

    private static JsonNode ListAllAirports() =>
        new JsonArray(Airports.Select(a => (JsonNode?)new JsonObject { ["iata"] = a.Iata, ["city"] = a.City }).ToArray());

    /// <summary>upstream <c>_search_direct_flight</c>: available flights on the date, in database order.</summary>
    private List<JsonObject> SearchDirect(JsonNode? date, JsonNode? origin, JsonNode? destination, string? leaveAfter)
    {
        var results = new List<JsonObject>();
        var day = Py.Str(date);
        foreach (var (_, flight) in Data.Records("flights"))
        {
            if (origin is not null && !Py.Equal(flight["origin"], origin)) continue;
            if (destination is not null && !Py.Equal(flight["destination"], destination)) continue;
            if (day is null || flight["dates"]![day] is not JsonObject instance) continue;
            if (instance["status"]!.GetValue<string>() != "available") continue;
            var departure = flight["scheduled_departure_time_est"]!.GetValue<string>();
            if (leaveAfter is not null && string.CompareOrdinal(departure, leaveAfter) < 0) continue;
            results.Add(new JsonObject
            {
                ["flight_number"] = Py.Clone(flight["flight_number"]),
                ["origin"] = Py.Clone(flight["origin"]),
                ["destination"] = Py.Clone(flight["destination"]),
                ["status"] = "available",
                ["scheduled_departure_time_est"] = departure,
                ["scheduled_arrival_time_est"] = Py.Clone(flight["scheduled_arrival_time_est"]),
                ["date"] = null,
                ["available_seats"] = Py.Clone(instance["available_seats"]),
                ["prices"] = Py.Clone(instance["prices"]),
            });
        }
        return results;
    }

    private JsonNode SearchOneStop(ToolArgs a)
    {
        var results = new JsonArray();
        var date = a["date"];
        foreach (var first in SearchDirect(date, a["origin"], null, null))
        {
            first["date"] = Py.Clone(date);
            var arrival = first["scheduled_arrival_time_est"]!.GetValue<string>();
            var secondDate = arrival.Contains("+1") ? NextDayQuirk(date) : date;
            foreach (var second in SearchDirect(secondDate, first["destination"], a["destination"], arrival))
            {
                second["date"] = Py.Clone(secondDate);
                results.Add(new JsonArray(Py.Clone(first), second));
            }
        }
        return results;
    }

    /// <summary>upstream's <c>f"2024-05-{int(date[-2:]) + 1}"</c>: month fixed to May, day not zero-padded.</summary>
    private static JsonNode NextDayQuirk(JsonNode? date)
    {
        var text = Py.Str(date) ?? throw new ToolError($"'{Py.TypeName(date)}' object is not subscriptable");
        var tail = text.Length >= 2 ? text[^2..] : text;
        if (!long.TryParse(tail.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var day))
            throw new ToolError($"invalid literal for int() with base 10: {Py.StrRepr(tail)}");
        return Py.String("2024-05-" + (day + 1).ToString(CultureInfo.InvariantCulture));
    }

    private string SendCertificate(ToolArgs a)
    {
        var userId = UserKey(a["user_id"]);
        foreach (var n in NewPaymentIds)
        {
            var id = "certificate_" + n.ToString(CultureInfo.InvariantCulture);
            if (((JsonObject)Data.Get("users", userId)!["payment_methods"]!).ContainsKey(id)) continue;
            var certificate = ShapeValidator.Construct(AirlineSchema.Certificate, new JsonObject
            {
                ["id"] = id,
                ["amount"] = Py.Clone(a["amount"]),
                ["source"] = "certificate",
            });
            ((JsonObject)Data.Edit("users", userId)["payment_methods"]!)[id] = certificate;
            return $"Certificate {id} added to user {userId} with amount {a.Text("amount")}.";
        }
        throw new ToolError("Too many certificates");
    }

    /// <summary>upstream <c>_payment_for_update</c>: checks, gift-card deduction, then a Payment unless the delta is 0.</summary>
    private JsonObject? PaymentForUpdate(string userId, JsonNode? paymentId, PyNum total)
    {
        var methods = (JsonObject)Data.Get("users", userId)!["payment_methods"]!;
        if (Py.Str(paymentId) is not { } id || methods[id] is not JsonObject method) throw new ToolError("Payment method not found");
        var source = method["source"]!.GetValue<string>();
        if (source == "certificate") throw new ToolError("Certificate cannot be used to update reservation");
        if (source == "gift_card" && Py.Num(method["amount"]) < total.Value) throw new ToolError("Gift card balance is not enough");
        if (source == "gift_card")
        {
            var editable = (JsonObject)((JsonObject)Data.Edit("users", userId)["payment_methods"]!)[id]!;
            editable["amount"] = Py.Float(Py.Num(editable["amount"]) - total.Value);
        }
        if (total.IsZero) return null;
        return ShapeValidator.Construct(AirlineSchema.Payment, new JsonObject { ["payment_id"] = id, ["amount"] = total.ToNode() });
    }

    private JsonNode UpdateBaggages(ToolArgs a)
    {
        var reservationId = ReservationKey(a["reservation_id"]);
        var current = Data.Get("reservations", reservationId)!;
        var userId = UserKey(current["user_id"]);
        var stored = PyNum.From(current["nonfree_baggages"], t => $"unsupported operand type(s) for -: 'int' and '{t}'");
        var delta = PyNum.From(a["nonfree_baggages"], t => $"unsupported operand type(s) for -: '{t}' and '{stored.TypeName}'") - stored;
        var total = PyNum.Int(NonFreeBagPrice) * PyNum.Max(PyNum.Int(0), delta);
        var payment = PaymentForUpdate(userId, a["payment_id"], total);
        var reservation = Data.Edit("reservations", reservationId);
        if (payment is not null) ((JsonArray)reservation["payment_history"]!).Add(payment);
        reservation["total_baggages"] = Py.Clone(a["total_baggages"]); // attribute assignment: not validated upstream
        reservation["nonfree_baggages"] = Py.Clone(a["nonfree_baggages"]);
        return Py.Clone(reservation)!;
    }

    private JsonNode UpdateFlights(ToolArgs a)
    {
        var flights = PyArgs.Models(a["flights"], AirlineSchema.FlightInfo, "flight_number");
        var reservationId = ReservationKey(a["reservation_id"]);
        var current = Data.Get("reservations", reservationId)!;
        var userId = UserKey(current["user_id"]);
        var pax = ((JsonArray)current["passengers"]!).Count;
        var oldFlights = ((JsonArray)current["flights"]!).Select(f => (JsonObject)f!).ToList();
        var sameCabin = Py.Equal(a["cabin"], current["cabin"]);

        long total = 0;
        var newFlights = new List<JsonObject>();
        foreach (var info in flights)
        {
            var match = sameCabin
                ? oldFlights.FirstOrDefault(f => Py.Equal(f["flight_number"], info["flight_number"]) && Py.Equal(f["date"], info["date"]))
                : null;
            if (match is not null)
            {
                total += Py.Long(match["price"]) * pax;
                newFlights.Add(match);
                continue;
            }
            var number = info["flight_number"]!.GetValue<string>();
            var date = info["date"]!.GetValue<string>();
            var flight = Data.Get("flights", FlightKey(info["flight_number"]))!;
            var instance = FlightInstance(info["flight_number"], info["date"]);
            if (instance["status"]!.GetValue<string>() != "available")
                throw new ToolError($"Flight {number} not available on date {date}");
            if (Py.Long(SeatsOrPrice(instance, "available_seats", a["cabin"])) < pax)
                throw new ToolError($"Not enough seats on flight {number}");
            var price = Py.Long(SeatsOrPrice(instance, "prices", a["cabin"]));
            newFlights.Add(new JsonObject
            {
                ["flight_number"] = number,
                ["origin"] = Py.Clone(flight["origin"]),
                ["destination"] = Py.Clone(flight["destination"]),
                ["date"] = date,
                ["price"] = price,
            });
            total += price * pax;
        }
        total -= oldFlights.Sum(f => Py.Long(f["price"])) * pax;

        var payment = PaymentForUpdate(userId, a["payment_id"], PyNum.Int(total));
        var reservation = Data.Edit("reservations", reservationId);
        if (payment is not null) ((JsonArray)reservation["payment_history"]!).Add(payment);
        reservation["flights"] = new JsonArray(newFlights.Select(f => Py.Clone(f)).ToArray());
        reservation["cabin"] = Py.Clone(a["cabin"]); // not validated upstream
        return Py.Clone(reservation)!;
    }

    private JsonNode UpdatePassengers(ToolArgs a)
    {
        var passengers = PyArgs.Models(a["passengers"], AirlineSchema.Passenger, "first_name");
        var reservationId = ReservationKey(a["reservation_id"]);
        if (passengers.Count != ((JsonArray)Data.Get("reservations", reservationId)!["passengers"]!).Count)
            throw new ToolError("Number of passengers does not match");
        var reservation = Data.Edit("reservations", reservationId);
        reservation["passengers"] = new JsonArray(passengers.Select(p => Py.Clone(p)).ToArray());
        return Py.Clone(reservation)!;
    }
}
