using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Validation;

namespace ActorScheduler.Bench;

/// <summary>
/// How long the spec language takes on a big service: a generated template with N pod types (each with a resource
/// set, ports, a volume, checks, placement and two tasks, plus a deploy plan with custom steps) is loaded from disk,
/// rendered, parsed, mapped and update-validated against itself, as <c>actorscheduler run</c> does at start.
/// </summary>
internal static class SpecLoadBench
{
    /// <summary>The options <c>spec-load</c> takes (each with a value).</summary>
    public static readonly string[] ValuedOptions = ["--pods", "--iterations"];

    /// <exception cref="BadOptionException">An option is unknown or malformed.</exception>
    /// <param name="output">Where the RESULT line goes.</param>
    public static int Run(string[] args, TextWriter output)
    {
        var options = BenchOptions.Parse(args, ValuedOptions);
        var pods = options.Int("--pods", 500, min: 1);
        var iterations = options.Int("--iterations", 7, min: 1);
        var dir = Directory.CreateTempSubdirectory("actorscheduler-bench-");
        try
        {
            var path = Path.Combine(dir.FullName, "svc.yml");
            File.WriteAllText(path, Generate(pods));
            File.WriteAllText(Path.Combine(dir.FullName, "svc.env"), "FRAMEWORK_NAME=big\nCPUS=0.1\nSLEEP=3600\n");
            var environment = new Dictionary<string, string>();

            var timings = new List<double>();
            int tasks = 0, steps = 0;
            for (var i = 0; i < iterations + 1; i++)
            {
                var watch = Stopwatch.StartNew();
                var loaded = ServiceSpecLoader.LoadFile(path, null, environment);
                if (!loaded.IsValid)
                {
                    Console.Error.WriteLine(string.Join('\n', loaded.Errors.Take(5)));
                    return 1;
                }

                var refusals = SpecValidators.Validate(loaded.Spec, loaded.Spec!);
                watch.Stop();
                if (!refusals.IsEmpty)
                {
                    Console.Error.WriteLine(string.Join('\n', refusals.Take(5)));
                    return 1;
                }

                tasks = loaded.Spec!.Pods.Sum(p => p.Tasks.Length);
                steps = loaded.Spec.Plans.Sum(p => p.Phases.Sum(f => f.Steps.Length));
                if (i > 0)
                {
                    timings.Add(watch.Elapsed.TotalMilliseconds); // the first run warms the JIT and is not counted
                }

                Console.Error.WriteLine($"run {i}{(i == 0 ? " (warm-up)" : "")}: {watch.Elapsed.TotalMilliseconds:F1} ms");
            }

            timings.Sort();
            var bytes = new FileInfo(path).Length;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT bench=spec-load pods={pods} tasks={tasks} steps={steps} bytes={bytes} iterations={iterations} median_ms={timings[timings.Count / 2]:F1} best_ms={timings[0]:F1}"));
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Generate(int pods)
    {
        var text = new StringBuilder("name: {{FRAMEWORK_NAME}}\npods:\n");
        for (var i = 0; i < pods; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $$$"""
                  pod-{{{i}}}:
                    count: 3
                    placement: '[["hostname", "MAX_PER", "2"], ["@zone", "GROUP_BY", "3"]]'
                    resource-sets:
                      main:
                        cpus: {{CPUS}}
                        memory: 256
                        ports:
                          http:
                            port: 0
                            env-key: HTTP_PORT
                            ranges: [{begin: 31000, end: 32000}]
                        volume:
                          path: data
                          type: ROOT
                          size: 100
                    tasks:
                      init:
                        goal: ONCE
                        cmd: ./init.sh
                        resource-set: main
                      server:
                        goal: RUNNING
                        cmd: ./server --sleep {{SLEEP}}
                        resource-set: main
                        readiness-check:
                          cmd: curl -f localhost:$HTTP_PORT/ready
                          interval: 5
                        health-check:
                          cmd: curl -f localhost:$HTTP_PORT/health
                        env:
                          INDEX: "{{{i}}}"

                """);
        }

        text.Append("plans:\n  deploy:\n    strategy: serial\n    phases:\n");
        for (var i = 0; i < pods; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"      pod-{i}:\n        pod: pod-{i}\n        strategy: parallel\n        steps:\n          - default: [[init], [server]]\n");
        }

        return text.ToString();
    }
}
