namespace ActorScheduler.Mesos.Client;

/// <summary>The master answered a call with a non-2xx status.</summary>
public sealed class MesosCallException : Exception
{
    public MesosCallException(int statusCode, string body)
        : base($"Mesos master answered {statusCode}: {(string.IsNullOrWhiteSpace(body) ? "(empty body)" : body.Trim())}")
    {
        StatusCode = statusCode;
        Body = body;
    }

    public int StatusCode { get; }

    public string Body { get; }
}
