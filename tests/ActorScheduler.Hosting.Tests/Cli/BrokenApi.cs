using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>How a <see cref="BrokenApi"/> fails each request.</summary>
public enum BrokenAnswer
{
    /// <summary>Reads the request and closes the connection without a word.</summary>
    Close,

    /// <summary>Sends the headers and the start of a JSON body shorter than its Content-Length, then closes.</summary>
    CutOff,

    /// <summary>Reads the request and never answers.</summary>
    Silent,
}

/// <summary>A server at a scheduler's address that breaks every answer one way (raw TCP: HttpListener cannot).</summary>
internal sealed class BrokenApi : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly BrokenAnswer _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _serving;

    public BrokenApi(BrokenAnswer answer)
    {
        _answer = answer;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Completes when the first request has been read whole.</summary>
    public Task RequestReceived => _received.Task;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped — also between the loop's check and the accept ("Not listening": InvalidOperationException).
                return;
            }

            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            _received.TrySetResult();
            switch (_answer)
            {
                case BrokenAnswer.CutOff:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"plans\": [\"dep"), _stop.Token);
                    client.Dispose();
                    break;
                case BrokenAnswer.Silent:
                    lock (_held)
                    {
                        _held.Add(client);
                    }

                    break;
                default:
                    client.Dispose();
                    break;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _serving.Wait(TimeSpan.FromSeconds(5));
        lock (_held)
        {
            _held.ForEach(c => c.Dispose());
        }

        _stop.Dispose();
    }
}
