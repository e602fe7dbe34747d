using System.Text;

namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>A TextWriter that may be written from one thread while a test reads it from another.</summary>
internal sealed class ConcurrentStringWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
