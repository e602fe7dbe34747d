using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Mesos.Tests.Support;

namespace ActorScheduler.Mesos.Tests.Conformance;

/// <summary>The master conformance suite against the emulator: always runs, and proves the suite itself can pass.</summary>
public sealed class EmulatorMasterConformanceTests : MasterConformanceSuite, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private MesosEmulator? _emulator;

    public async Task InitializeAsync() => _emulator = await MesosEmulator.StartAsync(TestEmulator.Options(_dir.Path));

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        _dir.Dispose();
    }

    protected override Task<Uri> MasterAsync() => Task.FromResult(_emulator!.Url);
}
