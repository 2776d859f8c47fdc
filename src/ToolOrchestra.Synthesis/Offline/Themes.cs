namespace ToolOrchestra.Synthesis.Offline;

/// <summary>A noun of a domain: singular, plural and the prefix of its record keys.</summary>
public sealed record Noun(string One, string Many, string KeyPrefix);

/// <summary>
/// The vocabulary of one domain theme, filling four entity archetypes: a <b>person</b> who calls (client, patient…),
/// an <b>offering</b> with a price and a limited stock (loan product, screening…), a <b>booking</b> of an offering by a
/// person with a pending → confirmed → paid lifecycle, and a <b>wallet</b> holding the person's balance.
/// </summary>
public sealed record Theme(string Name, Noun Person, Noun Offering, Noun Booking, Noun Wallet, string[] Categories, string[] OfferingNames, string BookVerb, string Unit);

/// <summary>The paper's ten ToolScale domains, as themes of the offline generator.</summary>
public static class Themes
{
    public static readonly IReadOnlyList<Theme> All =
    [
        new("bank", new("client", "clients", "CL"), new("service_plan", "service_plans", "SP"), new("application", "applications", "AP"), new("account", "accounts", "AC"),
            ["savings", "loans", "cards", "insurance"], ["Gold Saver", "Home Loan Plus", "Travel Card", "Student Loan", "Family Cover", "Youth Saver", "Rewards Card", "Auto Loan"], "apply for", "units"),
        new("basketball", new("fan", "fans", "FN"), new("game", "games", "GM"), new("ticket_order", "ticket_orders", "TO"), new("fan_wallet", "fan_wallets", "FW"),
            ["regular_season", "playoffs", "preseason", "all_star"], ["Hawks vs Bulls", "Lakers vs Suns", "Celtics vs Nets", "Heat vs Magic", "Spurs vs Jazz", "Kings vs Blazers"], "buy tickets for", "seats"),
        new("ecommerce", new("customer", "customers", "CU"), new("product", "products", "PR"), new("order", "orders", "OR"), new("gift_card", "gift_cards", "GC"),
            ["electronics", "kitchen", "garden", "books", "toys"], ["Desk Lamp", "Blender", "Garden Hose", "Mystery Novel", "Puzzle Cube", "Headphones", "Kettle", "Trowel Set"], "order", "items"),
        new("medicine", new("patient", "patients", "PA"), new("clinic_service", "clinic_services", "CS"), new("appointment", "appointments", "AT"), new("health_account", "health_accounts", "HA"),
            ["cardiology", "dermatology", "pediatrics", "radiology"], ["Heart Checkup", "Skin Screening", "Child Wellness Visit", "Chest X-Ray", "Blood Panel", "Allergy Test"], "book", "sessions"),
        new("movie", new("member", "members", "MB"), new("screening", "screenings", "SC"), new("booking", "bookings", "BK"), new("member_wallet", "member_wallets", "MW"),
            ["drama", "comedy", "action", "documentary"], ["Night Train 7pm", "Laugh Out 9pm", "Fast Lane 6pm", "Ocean Deep 4pm", "Quiet Hills 8pm", "Last Heist 10pm"], "book", "seats"),
        new("railway", new("passenger", "passengers", "PS"), new("train", "trains", "TR"), new("reservation", "reservations", "RS"), new("travel_card", "travel_cards", "TC"),
            ["express", "regional", "night", "intercity"], ["Coastal Express 101", "Valley Regional 22", "Northern Night 9", "Capital Intercity 5", "Lakeside Regional 14"], "reserve", "seats"),
        new("restaurant", new("guest", "guests", "GU"), new("dish", "dishes", "DI"), new("meal_order", "meal_orders", "MO"), new("loyalty_account", "loyalty_accounts", "LA"),
            ["starters", "mains", "desserts", "drinks"], ["Tomato Soup", "Grilled Salmon", "Chocolate Tart", "Lemonade", "Mushroom Risotto", "Caesar Salad"], "order", "portions"),
        new("school", new("student", "students", "ST"), new("course", "courses", "CO"), new("enrollment", "enrollments", "EN"), new("tuition_account", "tuition_accounts", "TA"),
            ["science", "arts", "languages", "mathematics"], ["Intro to Biology", "Watercolor Basics", "Spanish I", "Algebra II", "Chemistry Lab", "Creative Writing"], "enroll in", "seats"),
        new("travel", new("traveler", "travelers", "TV"), new("tour", "tours", "TU"), new("trip_booking", "trip_bookings", "TB"), new("travel_wallet", "travel_wallets", "TW"),
            ["city", "adventure", "cruise", "culture"], ["Rome Walking Tour", "Alps Hike", "Fjord Cruise", "Kyoto Temples", "Paris Food Tour", "Desert Safari"], "book", "places"),
        new("weather", new("subscriber", "subscribers", "SB"), new("forecast_plan", "forecast_plans", "FP"), new("subscription", "subscriptions", "SU"), new("credit_account", "credit_accounts", "CA"),
            ["agriculture", "aviation", "marine", "outdoor"], ["Farm Frost Alerts", "Pilot Briefing", "Harbor Wind Watch", "Hiker Storm Alerts", "Orchard Rain Plan"], "subscribe to", "licenses"),
    ];

    public static readonly string[] FirstNames = ["Ava", "Noah", "Mia", "Liam", "Zoe", "Omar", "Lena", "Ravi", "Sara", "Ivan", "Yuki", "Chen", "Nora", "Diego", "Amara", "Tom", "Ines", "Kofi", "Elif", "Marta"];
    public static readonly string[] LastNames = ["Garcia", "Smith", "Kim", "Okafor", "Rossi", "Novak", "Silva", "Patel", "Moreau", "Berg", "Tanaka", "Haddad", "Kowalski", "Nguyen", "Brown"];
    public static readonly string[] Cities = ["Lisbon", "Denver", "Osaka", "Nairobi", "Krakow", "Austin", "Lyon", "Pune", "Bergen", "Quito"];
}
