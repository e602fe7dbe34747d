using System.Diagnostics;

namespace ActorScheduler.Hosting.Tests;

/// <summary>
/// Retrying an assertion about a system the test does not drive by messages (a database row, a log file, another
/// process) for the test classes without a TestKit: TestKit's <c>AwaitAssertAsync</c> where there is none.
/// </summary>
internal static class Polling
{
    /// <summary>Retries <paramref name="assertion"/> every 100 ms until it holds, or rethrows its failure after <paramref name="within"/>.</summary>
    public static Task AwaitAssertAsync(Action assertion, TimeSpan within) =>
        AwaitAssertAsync(() =>
        {
            assertion();
            return Task.CompletedTask;
        }, within);

    /// <inheritdoc cref="AwaitAssertAsync(Action, TimeSpan)"/>
    public static async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (waited.Elapsed < within)
            {
                await Task.Delay(100);
            }
        }
    }
}
