using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ToolOrchestra.Core;

namespace ToolOrchestra.Tools;

/// <summary>
/// The one way our servers (the /retrieve service, the simulated experts, <c>orchestra serve</c>, test fakes) listen:
/// Kestrel bound to 127.0.0.1 unless told otherwise, no console logging, port 0 for a free port, a taken port is a
/// <see cref="UserError"/>, and every request passes the <see cref="WebGuard"/> (Host check, JSON bodies, size cap).
/// </summary>
public static class LoopbackWebApp
{
    /// <summary>A web app that will listen on 127.0.0.1:<paramref name="port"/>; map its routes, then <see cref="StartAsync"/>.</summary>
    public static WebApplication Create(int port, WebGuard? guard = null) => Create(IPAddress.Loopback, port, guard ?? WebGuard.Default);

    /// <summary>
    /// A web app on <paramref name="bind"/>:<paramref name="port"/>. A caller binding beyond loopback must require keys
    /// (the guard's <see cref="WebGuard.ApiKey"/> or its own). <paramref name="configure"/> adds services before the app is built.
    /// </summary>
    public static WebApplication Create(IPAddress bind, int port, WebGuard guard, Action<WebApplicationBuilder>? configure = null)
    {
        if (port is < 0 or > 65535) throw new UserError($"--port must be between 0 and 65535, got {port}.");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(bind, port);
            k.Limits.MaxRequestBodySize = guard.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        guard.Apply(app, bind);
        return app;
    }

    /// <summary>Parses a <c>--bind</c> address (an IP literal, or <c>localhost</c>).</summary>
    public static IPAddress ParseBind(string value, string where = "--bind") =>
        value.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(value, out var ip) ? ip
        : throw new UserError($"{where} '{value}' is not an IP address; give e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).");

    /// <summary>Starts the app and returns its base address with a trailing slash, e.g. http://127.0.0.1:1401/.</summary>
    public static async Task<Uri> StartAsync(WebApplication app, CancellationToken ct = default)
    {
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new UserError($"cannot listen: {e.Message} Choose another --port.", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound.EndsWith('/') ? bound : bound + "/");
    }
}
