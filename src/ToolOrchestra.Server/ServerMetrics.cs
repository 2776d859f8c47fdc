using System.Diagnostics.Metrics;
using ToolOrchestra.Runtime;

namespace ToolOrchestra.Server;

/// <summary>
/// The server's own instruments (the engine's GenAI token, duration and cost metrics come from its meter); both are
/// exported at <c>/metrics</c> in Prometheus' text format.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "ToolOrchestra.Server";
    private readonly Meter _meter = new(MeterName, "1.0");
    private readonly Counter<long> _runs;
    private readonly Counter<long> _refused;
    private readonly Counter<double> _spend;
    private readonly Histogram<double> _wall;
    private long _inFlight;

    public ServerMetrics()
    {
        _runs = _meter.CreateCounter<long>("orchestra.server.runs", "{run}", "Runs finished, by model and stop reason");
        _refused = _meter.CreateCounter<long>("orchestra.server.refused", "{request}", "Requests refused, by HTTP status");
        _spend = _meter.CreateCounter<double>("orchestra.server.spend", "USD", "Dollars spent by finished runs, by model");
        _wall = _meter.CreateHistogram<double>("orchestra.server.run.duration", "s", "Wall-clock seconds per run");
        _meter.CreateObservableGauge("orchestra.server.runs.in_flight", () => Interlocked.Read(ref _inFlight), "{run}", "Runs in progress in this process");
    }

    /// <summary>Counts a run in flight until the returned handle is disposed.</summary>
    public IDisposable InFlight()
    {
        Interlocked.Increment(ref _inFlight);
        return new Leave(this);
    }

    private sealed class Leave(ServerMetrics m) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Decrement(ref m._inFlight); }
    }

    public void Finished(string model, OrchestrationResult r)
    {
        var stop = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(r.StopReason.ToString());
        _runs.Add(1, new("model", model), new("stop_reason", stop));
        _spend.Add((double)r.CostUsd, new KeyValuePair<string, object?>("model", model));
        _wall.Record(r.WallSeconds, new KeyValuePair<string, object?>("model", model));
    }

    public void Refused(int status) => _refused.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Dispose() => _meter.Dispose();
}
