namespace ActorScheduler.Mesos.Tests.Conformance;

/// <summary>
/// The master conformance suite against a real Mesos master, opt-in: set <c>MESOS_MASTER_URL</c> (e.g.
/// <c>http://10.0.0.5:5050</c>, a master with at least one agent with free cpus and mem for role <c>*</c>). Without it
/// every test is reported Skipped with the reason, never passed.
/// </summary>
public sealed class RealMasterConformanceTests : MasterConformanceSuite
{
    /// <summary>The variable naming the master.</summary>
    public const string Variable = "MESOS_MASTER_URL";

    protected override Task<Uri> MasterAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrWhiteSpace(value), $"{Variable} is not set: set it to a real Mesos master (e.g. http://10.0.0.5:5050) to run the conformance suite against it");
        if (!Uri.TryCreate(value!.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"{Variable}='{value}' is not an http:// or https:// URL");
        }

        return Task.FromResult(url);
    }
}
