using ActorScheduler.Hosting.Api;
using ActorScheduler.Hosting.Tests.EndToEnd;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary>The real endpoints on a free loopback port, asking the scheduler <paramref name="scheduler"/> gives, and a client of them.</summary>
internal sealed class ApiUnderTest(WebApplication app, HttpClient http) : IAsyncDisposable
{
    public HttpClient Http { get; } = http;

    public static async Task<ApiUnderTest> StartAsync(Func<IActorRef> scheduler, CancellationToken schedulerStopped = default, bool jsonErrors = true, TimeSpan? timeout = null)
    {
        var port = SchedulerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        if (jsonErrors)
        {
            app.UseJsonErrors();
        }

        app.MapSchedulerApi(scheduler, schedulerStopped);
        await app.StartAsync();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        if (timeout is { } given)
        {
            http.Timeout = given;
        }

        return new ApiUnderTest(app, http);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
