using System.Net;
using System.Net.Sockets;

namespace ActorScheduler.Hosting.Tests;

/// <summary>
/// Free loopback ports for the servers a test starts. On a file of its own so that other test projects can link it with
/// <see cref="Journal.PostgresServer"/> (the bench's tests run a storm on that server).
/// </summary>
internal static class LoopbackPorts
{
    private static readonly HashSet<int> HandedOut = new();

    /// <summary>
    /// A loopback port free now and not handed out before in this test run. The kernel gives a just-released
    /// ephemeral port out again, so two calls in a row (an API port and a master port) could get the same one
    /// and the second bind of the scheduler would fail; remembering what was handed out prevents that.
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
