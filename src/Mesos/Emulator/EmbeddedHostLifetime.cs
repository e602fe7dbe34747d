using Microsoft.Extensions.Hosting;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Keeps the emulator's internal web host away from process signals: the default console lifetime would
/// stop the server on SIGTERM/Ctrl+C behind the embedding application's back. The owner stops it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
