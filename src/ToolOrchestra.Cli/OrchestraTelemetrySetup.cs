using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ToolOrchestra.Core.Telemetry;

namespace ToolOrchestra.Cli;

/// <summary>
/// OTLP export for the CLI, on when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or a per-signal
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>_METRICS_</c> / <c>_LOGS_</c>) variable is set; the exporter reads the
/// other <c>OTEL_EXPORTER_OTLP_*</c> variables (protocol, headers) itself. Off, nothing is recorded. Spans and log records
/// are redacted (<see cref="SecretRedactingLogProcessor"/>) before an exporter sees them.
/// </summary>
internal static class OrchestraTelemetrySetup
{
    public static bool Configured(string signal) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable($"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"));

    public static IServiceCollection AddOrchestraTelemetry(this IServiceCollection services)
    {
        var resource = ResourceBuilder.CreateDefault().AddService(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "orchestra");
        // Built here, not by a host. A container does not dispose instances it was handed, and a short command ends
        // before the batch exporters' first tick, so they are flushed (disposed) when the process exits.
        if (Configured("TRACES"))
            services.AddSingleton(Flushed(Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(OrchestraTelemetry.SourceName)
                .AddProcessor(new SecretRedactingSpanProcessor()).AddOtlpExporter().Build()));
        if (Configured("METRICS"))
            services.AddSingleton(Flushed(Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(OrchestraTelemetry.SourceName).AddOtlpExporter().Build()));
        services.AddLogging(b =>
        {
            b.ClearProviders();
            if (Configured("LOGS")) b.AddOpenTelemetry(o => { o.SetResourceBuilder(resource); o.AddProcessor(new SecretRedactingLogProcessor()); o.AddOtlpExporter(); });
        });
        return services;
    }

    private static T Flushed<T>(T provider) where T : IDisposable
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => provider.Dispose();
        return provider;
    }
}
