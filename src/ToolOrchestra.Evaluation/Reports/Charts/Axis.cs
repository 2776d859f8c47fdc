namespace ToolOrchestra.Evaluation.Reports.Charts;

/// <summary>A linear axis from data to pixels with "nice" ticks (1, 2, 2.5, 5 × 10^k) covering the data.</summary>
internal sealed class Axis
{
    public double Min { get; }
    public double Max { get; }
    public IReadOnlyList<double> Ticks { get; }
    private readonly double _from, _to;

    public Axis(IEnumerable<double> values, double from, double to, bool includeZero = true, int tickCount = 5)
    {
        var list = values.Where(double.IsFinite).ToList();
        double lo = list.Count == 0 ? 0 : list.Min(), hi = list.Count == 0 ? 1 : list.Max();
        if (includeZero) { lo = Math.Min(lo, 0); hi = Math.Max(hi, 0); }
        if (hi - lo < 1e-12) { hi = lo + (Math.Abs(lo) > 0 ? Math.Abs(lo) * 0.5 : 1); }
        var step = NiceStep((hi - lo) / tickCount);
        Min = Math.Floor(lo / step) * step;
        Max = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        for (var t = Min; t <= Max + step / 2; t += step) ticks.Add(Math.Round(t / step) * step);
        Ticks = ticks;
        (_from, _to) = (from, to);
    }

    public double this[double value] => _from + (value - Min) / (Max - Min) * (_to - _from);

    /// <summary>Tick labels with as many decimals as the step needs.</summary>
    public string Label(double tick, Func<double, string>? format = null)
    {
        if (format is not null) return format(tick);
        var step = Ticks.Count > 1 ? Ticks[1] - Ticks[0] : 1;
        var decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) + 0.0001), 0, 8);
        return tick.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double raw)
    {
        var exp = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / exp;
        return exp * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10);
    }
}
