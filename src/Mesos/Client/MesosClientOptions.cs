namespace ActorScheduler.Mesos.Client;

/// <summary>Options of <see cref="MesosSchedulerClient"/>.</summary>
public sealed class MesosClientOptions
{
    /// <summary>Encoding of calls and of the event stream. Protobuf by default.</summary>
    public MesosContentType ContentType { get; set; } = MesosContentType.Protobuf;

    /// <summary>Timeout of each non-streaming call and of waiting for the SUBSCRIBE response headers.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>How many 307 redirects one request follows before giving up.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Handler to send requests with (tests). When null the client owns a <see cref="SocketsHttpHandler"/>
    /// with auto-redirect off; a supplied handler is not disposed by the client and should not follow
    /// redirects itself.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }
}
