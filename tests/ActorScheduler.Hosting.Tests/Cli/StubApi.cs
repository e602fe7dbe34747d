using System.Net;
using System.Text;
using ActorScheduler.Hosting.Tests.EndToEnd;

namespace ActorScheduler.Hosting.Tests.Cli;

/// <summary>
/// A scheduler API that answers fixed JSON by path (query string ignored), for CLI tests that need answers no running
/// scheduler gives easily; any other path is 404.
/// </summary>
internal sealed class StubApi : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, string> _answers;
    private readonly int _status;
    private readonly string _contentType;
    private readonly Task _serving;

    /// <param name="status">The status of the answers found (a server that is no scheduler answers 404 with HTML, say).</param>
    public StubApi(Dictionary<string, string> answers, int status = 200, string contentType = "application/json")
    {
        _answers = answers;
        _status = status;
        _contentType = contentType;
        var port = SchedulerProcess.FreePort();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped: also between the IsListening check and the wait (InvalidOperationException "call Start()"),
                // which a test that asks nothing and disposes at once can hit.
                return;
            }

            var found = _answers.TryGetValue(context.Request.Url!.AbsolutePath.TrimStart('/'), out var body);
            context.Response.StatusCode = found ? _status : 404;
            context.Response.ContentType = found ? _contentType : "application/json";
            var bytes = Encoding.UTF8.GetBytes(found ? body! : """{"message":"not found"}""");
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
