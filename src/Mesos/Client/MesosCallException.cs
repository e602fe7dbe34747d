namespace ActorScheduler.Mesos.Client;

/// <summary>The master answered a call with a non-2xx status.</summary>
public sealed class MesosCallException : Exception
{
    /// <summary>Characters of an answer's body the message keeps (a master's refusal is one short line).</summary>
    private const int MaxBodyShown = 300;

    public MesosCallException(int statusCode, string body)
        : base($"Mesos master answered {statusCode}: {Describe(body)}")
    {
        StatusCode = statusCode;
        Body = body;
    }

    public int StatusCode { get; }

    public string Body { get; }

    /// <summary>
    /// The body as the message shows it: on one line and short. An HTML page (a web server, a proxy's error page) is said
    /// to be one rather than dumped: a Mesos master answers in plain text.
    /// </summary>
    private static string Describe(string body)
    {
        var text = string.Join(' ', body.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (text.Length == 0)
        {
            return "(empty body)";
        }

        if (text.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase))
        {
            return "an HTML page, which a Mesos master never sends: is that the address of a Mesos master?";
        }

        return text.Length > MaxBodyShown ? $"{text[..MaxBodyShown]}… ({text.Length} characters)" : text;
    }
}
