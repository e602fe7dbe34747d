using ActorScheduler.Hosting.Tests.EndToEnd;
using Xunit.Abstractions;

namespace ActorScheduler.Hosting.Tests.Cluster;

/// <summary>
/// What the tests that run clustered scheduler nodes as <c>actorscheduler run --cluster-port</c> OS processes share
/// (<see cref="ClusterKillEndToEndTests"/>, <see cref="ClusterJournalLostEndToEndTests"/>): a node started as an operator
/// starts one, and the timeline of what its log says happened.
/// </summary>
internal static class ClusterNodeProcesses
{
    /// <summary>
    /// Starts node <paramref name="name"/> of hello-world (data dir <paramref name="dir"/>/<paramref name="name"/>) on the
    /// shared <paramref name="journal"/> and <paramref name="master"/>, joining the node on <paramref name="seedPort"/>
    /// (itself when it is its own <paramref name="clusterPort"/>: it then forms the cluster), with the test cluster
    /// timings (<see cref="ClusteredSchedulerTests.TestTimingOptions"/>). <c>--verbose</c> logs Akka's INFO lines, which
    /// tell when a node is Up, takes the singleton over or leaves.
    /// </summary>
    /// With <paramref name="tls"/> (<c>--cluster-tls-*</c> options) the seed is an <c>akka.ssl.tcp://</c> address.
    public static SchedulerProcess Start(string dir, string name, string journal, Uri master, int apiPort, int clusterPort, int seedPort, params string[] tls) =>
        SchedulerProcess.Launch(apiPort, [
            "run", Path.Combine(SchedulerProcess.RepoRoot, "examples/hello-world/svc.yml"), "-o", "SLEEP_DURATION=300",
            "--data-dir", Path.Combine(dir, name), "--api-port", apiPort.ToString(), "--master", master.ToString(),
            "--journal-connection", journal, "--cluster-port", clusterPort.ToString(),
            "--cluster-seed", $"{(tls.Length > 0 ? "akka.ssl.tcp" : "akka.tcp")}://actorscheduler@127.0.0.1:{seedPort}", "--verbose",
            .. ClusteredSchedulerTests.TestTimingOptions, .. tls,
        ]);

    /// <summary>The <c>error:</c> lines a node's <c>run</c> printed (its standard output and error together).</summary>
    public static string[] ErrorLines(SchedulerProcess node) =>
        node.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// Where the seconds went: the lines of the nodes' log files (in their data dirs under <paramref name="dir"/>,
    /// timestamped) that contain one of <paramref name="marks"/>, as seconds after <paramref name="since"/>.
    /// </summary>
    public static void WriteTimeline(ITestOutputHelper log, string dir, DateTime since, IEnumerable<string> names, IReadOnlyList<string> marks)
    {
        foreach (var name in names)
        {
            var file = Path.Combine(dir, name, "actorscheduler.log");
            foreach (var line in File.Exists(file) ? File.ReadLines(file) : [])
            {
                if (line.Length > 24 && DateTime.TryParse(line[..24], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out var at)
                    && at >= since && marks.Any(line.Contains))
                {
                    log.WriteLine($"  node {name} +{(at - since).TotalSeconds:0.0}s {line[25..Math.Min(line.Length, 260)]}");
                }
            }
        }
    }
}
