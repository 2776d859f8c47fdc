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
/// The one way our servers (the /retrieve service, the simulated experts, test fakes) listen: Kestrel bound to
/// 127.0.0.1 only, no console logging, port 0 for a free port; a taken port is a <see cref="UserError"/>.
/// </summary>
public static class LoopbackWebApp
{
    /// <summary>A web app that will listen on 127.0.0.1:<paramref name="port"/>; map its routes, then <see cref="StartAsync"/>.</summary>
    public static WebApplication Create(int port)
    {
        if (port is < 0 or > 65535) throw new UserError($"--port must be between 0 and 65535, got {port}.");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        return builder.Build();
    }

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
            throw new UserError($"cannot listen on 127.0.0.1: {e.Message} Choose another --port.", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound.EndsWith('/') ? bound : bound + "/");
    }
}
