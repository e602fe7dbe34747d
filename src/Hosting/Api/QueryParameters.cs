using System.Globalization;

namespace ActorScheduler.Hosting.Api;

/// <summary>
/// Query parameters the API reads as numbers or flags, parsed here rather than by ASP.NET's binder, whose refusal is a
/// bare 400 with an empty body: a bad value gets a message naming the parameter and the value. Pure.
/// </summary>
public static class QueryParameters
{
    /// <summary>
    /// A whole number from 0 to <see cref="int.MaxValue"/> (digits only), or <paramref name="fallback"/> when absent or
    /// empty; otherwise the error: <c>limit must be a whole number from 0 to 2147483647, not 'abc'</c>.
    /// </summary>
    public static (int Value, string? Error) WholeNumber(string name, string? raw, int fallback) =>
        string.IsNullOrEmpty(raw) ? (fallback, null)
        : int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? (value, null)
        : (fallback, $"{name} must be a whole number from 0 to {int.MaxValue}, not '{raw}'");

    /// <summary>
    /// <c>true</c> or <c>false</c> (any case), or false when absent or empty; otherwise the error:
    /// <c>verbose must be true or false, not 'yes'</c>.
    /// </summary>
    public static (bool Value, string? Error) Flag(string name, string? raw) =>
        string.IsNullOrEmpty(raw) ? (false, null)
        : bool.TryParse(raw, out var value) ? (value, null)
        : (false, $"{name} must be true or false, not '{raw}'");
}
