namespace ActorScheduler.Mesos.Tests.Support;

/// <summary>Awaits a condition on state that has no event to wait for (e.g. the master noticing a closed stream).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}");
            }

            await Task.Delay(20);
        }
    }
}
