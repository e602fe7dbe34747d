using System.Threading.Channels;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// Runs work items one at a time, in order, on one consumer loop: all master state changes go through
/// here, so their order is that of a single real master.
/// </summary>
internal sealed class SerialQueue
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Exception> _onError;
    private readonly Task _loop;

    public SerialQueue(Action<Exception> onError)
    {
        _onError = onError;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues an item; false once the queue stopped.</summary>
    public bool Post(Action action) => _work.Writer.TryWrite(action);

    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(() =>
            {
                try
                {
                    tcs.SetResult(func());
                }
                catch (Exception e)
                {
                    tcs.SetException(e);
                }
            }))
        {
            tcs.SetException(new ObjectDisposedException(nameof(SerialQueue), "The emulator has stopped"));
        }

        return tcs.Task;
    }

    public Task InvokeAsync(Action action) => InvokeAsync(() =>
    {
        action();
        return true;
    });

    /// <summary>Runs what is queued, then ends the loop.</summary>
    public Task StopAsync()
    {
        _work.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var action in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
    }
}
