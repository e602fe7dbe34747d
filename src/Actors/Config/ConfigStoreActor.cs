using ActorScheduler.Actors.Persistence;
using System.Collections.Immutable;
using ActorScheduler.Messages.Configs;
using ActorScheduler.Messages.Events;
using ActorScheduler.Specs;
using ActorScheduler.Specs.Validation;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;

namespace ActorScheduler.Actors.Config;

/// <summary>
/// Keeps every accepted spec version (the rendered YAML) and the deploy target. A new candidate becomes the
/// target when it differs from it and is valid; a refused candidate leaves the target where it was and its
/// errors go to the deploy plan. It also keeps the rollback history (<see cref="RollbackHistory"/>), rebuilt from the
/// target events.
/// </summary>
internal sealed class ConfigStoreActor : SchedulerPersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, ConfigStored> _configs = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();
    private string? _targetId;
    private RollbackHistory _history = RollbackHistory.Empty;

    // Stored configs loaded as targets (the target, and those pods recover tasks on): loaded once, shared by every asker.
    private readonly Dictionary<string, StoredTarget> _loaded = new(StringComparer.Ordinal);
    private bool _deploymentCompleted;

    public ConfigStoreActor(string service)
    {
        PersistenceId = $"{service}/config";

        Recover<ConfigStored>(Store);
        Recover<TargetConfigSet>(SetTarget);
        Recover<ConfigRejected>(_ => { });
        Recover<DeploymentCompleted>(_ => _deploymentCompleted = true);

        Command<ApplySpec>(OnApplySpec);
        Command<RollBack>(OnRollBack);
        Command<ConfigProtocol.GetConfigurations>(_ => Sender.Tell(new ConfigProtocol.ConfigurationIds(_order.ToImmutableArray(), _targetId)));
        Command<ConfigProtocol.GetConfiguration>(m =>
        {
            var id = m.Id ?? _targetId;
            Sender.Tell(id is not null && _configs.TryGetValue(id, out var stored)
                ? new ConfigProtocol.Configuration(id, stored.Source, stored.RenderedYaml, stored.At?.ToDateTime() ?? default, id == _targetId, stored.SchedulerEnv.ToImmutableDictionary())
                {
                    ConfigTemplates = stored.ConfigTemplates.ToImmutableDictionary(),
                }
                : new ConfigProtocol.ConfigurationNotFound(m.Id));
        });
        Command<GetStoredTarget>(m => Sender.Tell(LoadStored(m.ConfigId)));
        Command<IsDeploymentCompleted>(_ => Sender.Tell(_deploymentCompleted));
        Command<GetTarget>(_ => Sender.Tell(Target() is { } target
            ? new TargetConfigReady(target, ImmutableArray<string>.Empty, _deploymentCompleted)
            : new TargetConfigRefused(ImmutableArray<string>.Empty)));
        Command<MarkDeploymentCompleted>(m =>
        {
            if (!_deploymentCompleted)
            {
                Persist(new DeploymentCompleted { ConfigId = m.ConfigId, At = Now() }, _ => _deploymentCompleted = true);
            }
        });
    }

    public override string PersistenceId { get; }

    public static Props Props(string service) => Akka.Actor.Props.Create(() => new ConfigStoreActor(service));

    private void OnApplySpec(ApplySpec candidate)
    {
        var replyTo = Sender;
        var current = Target();
        if (current is not null && Same(_configs[current.ConfigId], candidate))
        {
            replyTo.Tell(new TargetConfigReady(current, ImmutableArray<string>.Empty, _deploymentCompleted));
            return;
        }

        // A restart with the spec file an update (through the API) has since replaced keeps the newer target: going
        // back is `update rollback`, not a side effect of restarting.
        if (candidate.AtStartup && current is not null && _order.IndexOf(_targetId!) is var targetAt &&
            _order.Take(targetAt).Any(id => Same(_configs[id], candidate)))
        {
            _log.Warning("The spec from {0} is an older version than the target {1}; keeping the target (use `update rollback` to go back)", candidate.Source, current.ConfigId);
            replyTo.Tell(new TargetConfigReady(current, ImmutableArray<string>.Empty, _deploymentCompleted));
            return;
        }

        if (current is null && _targetId is not null)
        {
            // The target no longer loads (a check this version added refuses it): there is no spec to check the candidate
            // against, so it is checked on its own, as a first deploy is. It is the operator's way out of such a target.
            _log.Warning(
                "The target config {0}: {1}; the config from {2} is checked on its own: the checks against the target (pod counts, volumes, user, region, …) are skipped",
                _targetId, LoadStored(_targetId).Error, candidate.Source);
        }

        SpecLoadResult loaded;
        ImmutableArray<string> refusals;
        try
        {
            loaded = ServiceSpecLoader.LoadRendered(candidate.RenderedYaml, candidate.Source, candidate.SchedulerEnvironment);
            refusals = loaded.IsValid
                ? SpecValidators.Validate(current?.Spec, loaded.Spec!).Select(e => e.ToString()).ToImmutableArray()
                : ImmutableArray<string>.Empty;
        }
        catch (Exception e)
        {
            // A spec the checks did not foresee must not crash the store (and with it every later update): it is
            // refused, the target stays, and the operator sees why.
            _log.Error(e, "Config from {0} could not be validated", candidate.Source);
            var failed = ImmutableArray.Create($"{candidate.Source}: the spec could not be validated ({e.GetType().Name}: {e.Message}); the target is unchanged");
            replyTo.Tell(current is null ? new TargetConfigRefused(failed) : new TargetConfigReady(current, failed, _deploymentCompleted));
            return;
        }

        var errors = loaded.Errors.Select(e => e.ToString()).ToImmutableArray();
        if (!loaded.IsValid)
        {
            var rejected = new ConfigRejected { Source = candidate.Source, Errors = { errors }, At = Now() };
            Persist(rejected, _ =>
            {
                _log.Warning("Config from {0} rejected: {1}", candidate.Source, string.Join("; ", errors));
                replyTo.Tell(current is null ? new TargetConfigRefused(errors) : new TargetConfigReady(current, errors, _deploymentCompleted));
            });
            return;
        }

        // Update validation against the current target (DC/OS ConfigurationUpdater): a refused update keeps the old
        // target, and its errors go to the deploy plan.
        if (!refusals.IsEmpty)
        {
            var rejected = new ConfigRejected { Source = candidate.Source, Errors = { refusals }, At = Now() };
            Persist(rejected, _ =>
            {
                _log.Warning("Config update from {0} refused: {1}", candidate.Source, string.Join("; ", refusals));
                replyTo.Tell(current is null ? new TargetConfigRefused(refusals) : new TargetConfigReady(current, refusals, _deploymentCompleted));
            });
            return;
        }

        var stored = new ConfigStored
        {
            ConfigId = Guid.NewGuid().ToString(),
            ServiceName = loaded.Spec!.Name,
            RenderedYaml = candidate.RenderedYaml,
            Source = candidate.Source,
            At = Now(),
            SchedulerEnv = { candidate.SchedulerEnvironment.ToDictionary() },
            ConfigTemplates = { candidate.ConfigTemplates.ToDictionary() },
        };
        var target = new TargetConfigSet { ConfigId = stored.ConfigId, At = stored.At, Rollback = candidate.RollsBack };
        PersistAll(new object[] { stored, target }, e =>
        {
            switch (e)
            {
                case ConfigStored s:
                    Store(s);
                    break;
                case TargetConfigSet t:
                    SetTarget(t);
                    _log.Info("Target config is now {0} (from {1})", t.ConfigId, candidate.Source);
                    replyTo.Tell(new TargetConfigReady(new TargetConfig(t.ConfigId, ConfigTemplateDigests.Apply(loaded.Spec, candidate.ConfigTemplates)), ImmutableArray<string>.Empty, _deploymentCompleted));
                    break;
            }
        });
    }

    /// <summary>
    /// <c>update rollback</c>: the stored config <see cref="RollBack.ToId"/>, or the newest of the rollback history, offered
    /// again as a candidate (validated as an update of the target, stored under a new id); or why there is none.
    /// </summary>
    private void OnRollBack(RollBack rollback)
    {
        var id = rollback.ToId ?? _history.Next;
        if (id is null || !_configs.TryGetValue(id, out var stored))
        {
            Sender.Tell(new NoRollbackTarget(
                rollback.ToId is not null ? $"No configuration {rollback.ToId} to roll back to (see GET /v1/configurations)"
                : _targetId is null ? "Nothing to roll back to: there is no target yet"
                : $"Nothing to roll back to: no earlier target is left before config {_targetId} (each rollback goes one further back; --to <id> deploys any stored version)"));
            return;
        }

        OnApplySpec(new ApplySpec(
            stored.RenderedYaml,
            $"rollback to {id} ({stored.Source})",
            stored.SchedulerEnv.ToImmutableDictionary(),
            Templates: stored.ConfigTemplates.ToImmutableDictionary())
        {
            RollsBack = rollback.ToId is null,
        });
    }

    private void SetTarget(TargetConfigSet set)
    {
        _history = _history.Moved(_targetId, set.Rollback);
        _targetId = set.ConfigId;
    }

    private void Store(ConfigStored stored)
    {
        if (!_configs.ContainsKey(stored.ConfigId))
        {
            _order.Add(stored.ConfigId);
        }

        _configs[stored.ConfigId] = stored;
    }

    private TargetConfig? Target() => _targetId is null ? null : LoadStored(_targetId).Target;

    /// <summary>
    /// A stored config as a target (the target, or a config a pod recovers a task on), with its templates' digests, or
    /// why it is not one; loaded once.
    /// </summary>
    private StoredTarget LoadStored(string configId)
    {
        if (_loaded.TryGetValue(configId, out var known))
        {
            return known;
        }

        if (!_configs.TryGetValue(configId, out var stored))
        {
            // Not cached: it may be stored later (it cannot today; ids are made here).
            return new StoredTarget(configId, null, "not in the config store");
        }

        var loaded = ServiceSpecLoader.LoadRendered(stored.RenderedYaml, stored.Source, stored.SchedulerEnv);
        var answer = loaded.IsValid
            ? new StoredTarget(configId, new TargetConfig(configId, ConfigTemplateDigests.Apply(loaded.Spec!, stored.ConfigTemplates)), null)
            : new StoredTarget(configId, null, $"it no longer loads: {string.Join("; ", loaded.Errors.Select(e => e.ToString()))}");
        _loaded[configId] = answer;
        return answer;
    }

    /// <summary>The candidate is this stored version: same text, scheduler environment and config templates.</summary>
    private static bool Same(ConfigStored stored, ApplySpec candidate) =>
        stored.RenderedYaml == candidate.RenderedYaml
        && SameValues(stored.SchedulerEnv, candidate.SchedulerEnvironment)
        && SameValues(stored.ConfigTemplates, candidate.ConfigTemplates);

    private static bool SameValues(IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> candidate) =>
        stored.Count == candidate.Count && stored.All(e => candidate.TryGetValue(e.Key, out var value) && value == e.Value);

    private static Timestamp Now() => Timestamp.FromDateTime(DateTime.UtcNow);
}

/// <summary>Offer a rendered spec as the new target, with the scheduler environment captured when it was loaded.</summary>
/// <param name="AtStartup">The spec file given to <c>run</c>: an older version than the target does not replace it.</param>
/// <param name="Templates">The text of the spec's task config templates, by the file name the spec gives.</param>
internal sealed record ApplySpec(
    string RenderedYaml,
    string Source,
    IReadOnlyDictionary<string, string>? Environment = null,
    bool AtStartup = false,
    IReadOnlyDictionary<string, string>? Templates = null)
{
    /// <summary>A rollback to the newest entry of the rollback history, which it takes off (not a <c>--to</c>).</summary>
    public bool RollsBack { get; init; }

    public IReadOnlyDictionary<string, string> SchedulerEnvironment => Environment ?? ImmutableDictionary<string, string>.Empty;

    public IReadOnlyDictionary<string, string> ConfigTemplates => Templates ?? ImmutableDictionary<string, string>.Empty;
}

/// <summary>
/// Deploy a stored config again (<c>update rollback</c>): <paramref name="ToId"/>, or (null) the target that was in place
/// before the current one was set, one further back with each rollback (<see cref="RollbackHistory"/>). Answered as an
/// <see cref="ApplySpec"/> of that config, or with <see cref="NoRollbackTarget"/>.
/// </summary>
internal sealed record RollBack(string? ToId);

/// <summary>A rollback found nothing to deploy: an unknown id, or the history is exhausted; the target is unchanged.</summary>
internal sealed record NoRollbackTarget(string Message);

/// <summary>
/// The target to deploy, with the errors of a refused candidate (if any) for the deploy plan, and whether a deployment
/// has ever completed (then a spec's <c>update</c> plan replaces <c>deploy</c>).
/// </summary>
internal sealed record TargetConfigReady(TargetConfig Target, ImmutableArray<string> Errors, bool DeploymentCompleted = false);

/// <summary>The deploy plan reached COMPLETE; persisted once.</summary>
internal sealed record MarkDeploymentCompleted(string ConfigId);

/// <summary>Has a deploy plan ever reached COMPLETE? Answered with a <see cref="bool"/>.</summary>
internal sealed record IsDeploymentCompleted
{
    public static IsDeploymentCompleted Instance { get; } = new();
}

/// <summary>
/// The current target, answered with <see cref="TargetConfigReady"/> (no errors), or <see cref="TargetConfigRefused"/>
/// when there is none; after every spec handed to the store before it.
/// </summary>
internal sealed record GetTarget
{
    public static GetTarget Instance { get; } = new();
}

/// <summary>There is no target: the first candidate was refused.</summary>
internal sealed record TargetConfigRefused(ImmutableArray<string> Errors);

/// <summary>Pod → config store: a stored config as a target, to recover a task on the config it ran → <see cref="StoredTarget"/>.</summary>
internal sealed record GetStoredTarget(string ConfigId);

/// <summary>The stored config <paramref name="ConfigId"/> as a target, or (null) why there is none.</summary>
internal sealed record StoredTarget(string ConfigId, TargetConfig? Target, string? Error);
