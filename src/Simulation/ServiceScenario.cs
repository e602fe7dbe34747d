using System.Collections.Immutable;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Model;
using Akka.Actor;
using Akka.Configuration;

namespace ActorScheduler.Simulation;

/// <summary>
/// A scenario test of a service spec in the spirit of the DC/OS SDK's <c>ServiceTestRunner</c>: the real scheduler
/// actors (in-memory journal) against a <see cref="SimulatedCluster"/>, driven by <see cref="Send"/> and
/// <see cref="Expect"/> ticks. <see cref="Run"/> may be called several times: the cluster, the journal and the
/// running scheduler carry over. Dispose it to stop everything.
/// </summary>
public sealed class ServiceScenario : IAsyncDisposable
{
    private const string AkkaConfig = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """;

    private readonly ScenarioOptions _options;
    private readonly SpecLoadResult _loaded;
    private readonly string _source;
    private readonly string _specPathOrYaml;
    private readonly bool _isYaml;
    private ScenarioContext? _context;

    /// <summary>
    /// A scenario of the spec at <paramref name="specPathOrYaml"/>: a file path (a relative one is resolved against the
    /// current directory, which in a test run is not the repository: name a spec copied next to the test assembly with
    /// <c>Path.Combine(AppContext.BaseDirectory, "svc.yml")</c>), or the YAML itself when it spans several lines.
    /// </summary>
    /// <exception cref="FileNotFoundException">A single line that names no file; the message gives the full path looked for.</exception>
    /// <exception cref="ArgumentException">The spec does not load; the message lists its errors.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An offer setting of <paramref name="options"/> is out of range.</exception>
    public ServiceScenario(string specPathOrYaml, ScenarioOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(specPathOrYaml);
        _options = options ?? new ScenarioOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.StartTimeout, TimeSpan.Zero, nameof(ScenarioOptions.StartTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxClaimsPerCycle, 1, nameof(ScenarioOptions.MaxClaimsPerCycle));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.DecommissionParallelism, 1, nameof(ScenarioOptions.DecommissionParallelism));
        ArgumentNullException.ThrowIfNull(_options.Fitness, nameof(ScenarioOptions.Fitness));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Fitness.Candidates, 1, nameof(ScenarioOptions.Fitness));
        if (!Enum.IsDefined(_options.Fitness.Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(ScenarioOptions.Fitness), _options.Fitness.Kind, "Not a FitnessKind.");
        }

        if (!Enum.IsDefined(_options.OfferHold))
        {
            throw new ArgumentOutOfRangeException(nameof(ScenarioOptions.OfferHold), _options.OfferHold, "Not an OfferHoldMode.");
        }

        _isYaml = specPathOrYaml.Contains('\n');
        // A file is read again by every update: kept as a full path, it does not depend on the current directory then.
        _specPathOrYaml = _isYaml ? specPathOrYaml : Path.GetFullPath(specPathOrYaml);
        if (!_isYaml && !File.Exists(_specPathOrYaml))
        {
            throw new FileNotFoundException(
                $"The spec file {_specPathOrYaml} does not exist (a relative path is resolved against the current directory, "
                + $"{Directory.GetCurrentDirectory()}). For a spec copied next to the test assembly, use "
                + $"Path.Combine(AppContext.BaseDirectory, \"{specPathOrYaml}\"); inline YAML spans several lines.",
                _specPathOrYaml);
        }

        _loaded = Load(_options.Values);
        if (_loaded.Spec is null || _loaded.RenderedText is null || !_loaded.Errors.IsEmpty)
        {
            throw new ArgumentException(
                $"The spec {(_isYaml ? "(inline YAML)" : _specPathOrYaml)} does not load:{System.Environment.NewLine}{string.Join(System.Environment.NewLine, _loaded.Errors)}",
                nameof(specPathOrYaml));
        }

        _source = _isYaml ? "(inline scenario YAML)" : _specPathOrYaml;
    }

    /// <summary>The loaded spec.</summary>
    public ServiceSpec Spec => _loaded.Spec!;

    /// <summary>The simulated cluster (created by the first <see cref="Run"/>).</summary>
    public SimulatedCluster? Cluster => _context?.Cluster;

    /// <summary>
    /// Runs the ticks in order. A tick that fails (an expectation not met in time, bad input) stops the run with a
    /// <see cref="ScenarioFailedException"/> listing every tick and marking the failing one.
    /// </summary>
    public async Task Run(params ScenarioTick[] ticks)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        var context = _context ??= CreateContext();
        for (var i = 0; i < ticks.Length; i++)
        {
            try
            {
                await ticks[i].RunAsync(context).ConfigureAwait(false);
            }
            catch (TickFailedException e)
            {
                throw new ScenarioFailedException(ticks, i, e.Message + MasterLogTail(context));
            }
            catch (Exception e) when (e is not ScenarioFailedException)
            {
                throw new ScenarioFailedException(ticks, i, $"{e.GetType().Name}: {e.Message}", e);
            }
        }
    }

    /// <summary>Stops the scheduler, its ActorSystem and the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_context is { } context)
        {
            await context.System.Terminate().ConfigureAwait(false);
            await context.Cluster.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The scenario's spec rendered again with <paramref name="values"/> over the scenario's values.</summary>
    private SpecLoadResult RenderUpdate(IReadOnlyDictionary<string, string> values)
    {
        var merged = new Dictionary<string, string>(_options.Values);
        foreach (var (key, value) in values)
        {
            merged[key] = value;
        }

        return Load(merged);
    }

    /// <summary>
    /// Loads the scenario's spec with <paramref name="values"/> and the scenario's environment, as <c>run</c> and
    /// <c>update start</c> do: the rendered text, the captured scheduler environment and the config templates.
    /// </summary>
    private SpecLoadResult Load(IReadOnlyDictionary<string, string> values)
    {
        var path = _isYaml ? Path.Combine(Path.GetTempPath(), $"actorscheduler-scenario-{Guid.NewGuid():N}.yml") : _specPathOrYaml;
        try
        {
            if (_isYaml)
            {
                File.WriteAllText(path, _specPathOrYaml);
            }

            return ServiceSpecLoader.LoadFile(path, values, _options.Environment);
        }
        finally
        {
            if (_isYaml)
            {
                File.Delete(path);
            }
        }
    }

    private static string MasterLogTail(ScenarioContext context)
    {
        var log = context.Cluster.Log;
        return log.Count == 0 ? string.Empty : $"{System.Environment.NewLine}master log (last {Math.Min(8, log.Count)}):{System.Environment.NewLine}  "
            + string.Join(System.Environment.NewLine + "  ", log.TakeLast(8));
    }

    private ScenarioContext CreateContext()
    {
        var cluster = new SimulatedCluster(_options.Seed, timedAllocation: _options.TimedAllocation, masterDomain: _options.MasterDomain);
        var config = ConfigurationFactory.ParseString(AkkaConfig).WithFallback(ConfigurationFactory.ParseString(SchedulerHocon.Text));
        var system = ActorSystem.Create("simulation", config);
        var gateway = cluster.GatewayFor(Spec.Name) with { RegistryMaxAgentAge = _options.RegistryMaxAgentAge };
        var settings = new SchedulerSettings(Spec.Name, _loaded.RenderedText!, _source, gateway, new ExecutorResources(), ImmutableArray<KeyValuePair<string, string>>.Empty)
        {
            SchedulerEnvironment = _loaded.SchedulerEnvironment,
            ConfigTemplates = _loaded.ConfigTemplates,
            Recovery = _options.Recovery,
            Clock = cluster.Clock,
            MaxClaimsPerCycle = _options.MaxClaimsPerCycle,
            OfferHold = _options.OfferHold,
            Fitness = _options.Fitness,
            DecommissionParallelism = _options.DecommissionParallelism,
            GivenUpPatience = _options.GivenUpPatience,
        };
        return new ScenarioContext(cluster, system, Spec, settings, _options) { RenderUpdate = RenderUpdate };
    }
}
