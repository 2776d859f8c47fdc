using System.CommandLine;
using System.Globalization;
using ToolOrchestra.Core;
using ToolOrchestra.Runtime.Storage;

namespace ToolOrchestra.Cli;

/// <summary>
/// Range checks of option values, so that a number the parser accepts but the work cannot use (0 workers, -1 trials,
/// NaN seconds) is refused up front in one line naming the option, instead of surfacing later as a stack trace.
/// </summary>
internal static class OptionChecks
{
    /// <summary>The longest wait any option may ask for: one day (timers reject far larger spans).</summary>
    public const double MaxSeconds = 86_400;

    public static int AtLeast(int value, int min, string option) =>
        value >= min ? value : throw new UserError($"{option} must be at least {min}, got {value}.");

    public static int Between(int value, int min, int max, string option) =>
        value >= min && value <= max ? value : throw new UserError($"{option} must be between {min} and {max}, got {value}.");

    /// <summary>A finite number of seconds above 0 and at most a day.</summary>
    public static double Seconds(double value, string option) =>
        double.IsFinite(value) && value > 0 && value <= MaxSeconds ? value
            : throw new UserError($"{option} must be a number of seconds above 0 and at most {MaxSeconds.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}.");

    /// <summary>A finite number within [min, max].</summary>
    public static double Range(double value, double min, double max, string option) =>
        double.IsFinite(value) && value >= min && value <= max ? value
            : throw new UserError($"{option} must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, got {value.ToString(CultureInfo.InvariantCulture)}.");

    /// <summary>A folder to write into: refused when a file already has that name.</summary>
    public static string Folder(string path, string option) =>
        File.Exists(path) ? throw new UserError($"{option} {path}: is a file; give a folder path (it is created when missing).") : path;

    /// <summary>
    /// <c>--json</c> for a command whose output is JSON anyway: accepted so that every command printing results takes
    /// the same flag (scripts pass it without knowing which commands need it).
    /// </summary>
    public static Option<bool> AlwaysJson() => new("--json") { Description = "Accepted for consistency: this command always prints JSON" };

    /// <summary>A QA protocol variant by name (null when not given), refused naming the option and the choices.</summary>
    public static Runtime.Qa.QaProtocolVariant? Protocol(string? name, string option = "--protocol")
    {
        if (name is null) return null;
        try { return Runtime.Qa.QaProtocolVariant.Parse(name); }
        catch (UserError e) { throw new UserError($"{option}: {e.Message}"); }
    }

    /// <summary>The server store of <c>serve</c> and <c>keys</c> when not given: its folder, runs/, is ours to create.</summary>
    public static readonly string DefaultServerStore = Path.Combine("runs", "orchestra.db");

    /// <summary>A <c>--store</c> of the server: the default's folder is created, any other folder must exist (see <see cref="StoreLocation"/>).</summary>
    public static StoreLocation ServerStore(string value)
    {
        if (value == DefaultServerStore) Directory.CreateDirectory(Path.GetDirectoryName(DefaultServerStore)!);
        return StoreLocation.Parse(value, "--store");
    }

    /// <summary>A file to read: refused when missing, naming the option.</summary>
    public static string ExistingFile(string path, string option) =>
        File.Exists(path) ? path
            : throw new UserError(Directory.Exists(path) ? $"{option} {path}: is a folder; give a file." : $"{option} {path}: file not found; check the path.");
}
