using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>
/// A small HTTP server for fetcher and HTTP-check tests: serves the texts it is given by path (404 otherwise); a path can be held, so
/// its answer waits until the test releases it (<see cref="Requested"/> says when the request arrived).
/// </summary>
internal sealed class FileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TaskCompletionSource Requested, TaskCompletionSource Release)> _held = new(StringComparer.Ordinal);

    private FileServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Starts the server on an ephemeral loopback port; with a certificate it serves HTTPS.</summary>
    public static async Task<FileServer> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        var server = new FileServer(builder.Build());
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        var bound = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public string Serve(string path, string text)
    {
        _files[path] = text;
        return new Uri(Url, path).ToString();
    }

    /// <summary>From now on <paramref name="path"/> is answered 404.</summary>
    public void Remove(string path) => _files.TryRemove(path, out _);

    /// <summary>The answer to <paramref name="path"/> waits for <see cref="Release"/>.</summary>
    public void Hold(string path) => _held[path] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));

    public Task Requested(string path) => _held[path].Requested.Task;

    public void Release(string path) => _held[path].Release.TrySetResult();

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        if (_held.TryGetValue(path, out var held))
        {
            held.Requested.TrySetResult();
            await held.Release.Task.WaitAsync(context.RequestAborted);
        }

        if (_files.TryGetValue(path, out var text))
        {
            await context.Response.WriteAsync(text);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var held in _held.Values)
        {
            held.Release.TrySetResult();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
