using System.Net;
using System.Net.Sockets;

namespace ActorScheduler.Hosting.Tests;

/// <summary>
/// A TCP forwarder on a free loopback port to a server on another (the PostgreSQL fixture), forwarding bytes both ways,
/// that can be told to <see cref="Freeze"/>: its connections stay open and new ones are still accepted, but no byte
/// crosses until <see cref="Thaw"/> — what a client sees of a server stopped with SIGSTOP or cut off by a network
/// partition, which refuses nothing and answers nothing. Bytes read while frozen are held and delivered on thawing, as
/// a server resumed with SIGCONT would answer late. <see cref="FreezeOn"/> freezes it at a given query, so that a test
/// meets the server frozen at a chosen moment (a replay begun, a multi-row write under way) rather than at whatever the
/// scheduler happened to be doing when the test froze it.
/// </summary>
internal sealed class FreezingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Socket> _sockets = [];
    private TaskCompletionSource _open = Opened();
    private byte[]? _trigger;
    private TaskCompletionSource<DateTimeOffset>? _triggered;

    private FreezingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>A proxy to <c>127.0.0.1:<paramref name="targetPort"/></c>, forwarding.</summary>
    public static FreezingProxy Start(int targetPort) => new(targetPort);

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Stops forwarding, the connections kept open.</summary>
    public void Freeze()
    {
        lock (_sockets)
        {
            FreezeLocked();
        }
    }

    /// <summary>Stops forwarding, under the lock on <see cref="_sockets"/>.</summary>
    private void FreezeLocked()
    {
        if (_open.Task.IsCompleted)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// Freezes at the first bytes a client sends that hold <paramref name="text"/> (UTF-8), before they are forwarded: the
    /// server never sees them, as a query sent to a server that froze just before it. The SQL of a query travels as text
    /// (PostgreSQL's Parse and Query messages), so a fragment of it names the query; it must not be longer than the first
    /// bytes of the message that holds it, read at once (16 KiB). The task completes with the moment it froze.
    /// </summary>
    public Task<DateTimeOffset> FreezeOn(string text)
    {
        lock (_sockets)
        {
            _trigger = System.Text.Encoding.UTF8.GetBytes(text);
            _triggered = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _triggered.Task;
        }
    }

    /// <summary>Forwards again, the bytes held first.</summary>
    public void Thaw()
    {
        lock (_sockets)
        {
            _open.TrySetResult();
        }
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (_sockets)
                {
                    _sockets.Add(client);
                    _sockets.Add(server);
                }

                _ = ConnectAndPumpAsync(client, server);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task ConnectAndPumpAsync(Socket client, Socket server)
    {
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            client.Dispose();
            server.Dispose();
            return;
        }

        await Task.WhenAll(PumpAsync(client, server, fromClient: true), PumpAsync(server, client, fromClient: false));
    }

    /// <summary>
    /// Copies <paramref name="from"/> to <paramref name="to"/> while open; either side's end closes both. What a client
    /// sends is matched against the <see cref="FreezeOn"/> trigger first.
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                Task open;
                lock (_sockets)
                {
                    if (fromClient && _trigger is { } trigger && buffer.AsSpan(0, read).IndexOf(trigger) >= 0)
                    {
                        _trigger = null;
                        FreezeLocked();
                        _triggered!.TrySetResult(DateTimeOffset.UtcNow);
                    }

                    open = _open.Task;
                }

                await open.WaitAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // A side closed or reset, or the proxy is disposed.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }
}
