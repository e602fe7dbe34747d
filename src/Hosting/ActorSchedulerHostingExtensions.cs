using ActorScheduler.Actors.Pods;
using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Actors;
using ActorScheduler.Actors.Mesos;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Specs.Model;
using Akka.Hosting;

namespace ActorScheduler.Hosting;

/// <summary>Adds ActorScheduler to an Akka.Hosting application.</summary>
public static class ActorSchedulerHostingExtensions
{
    /// <summary>
    /// Registers the protobuf serializer for our events and starts the scheduler root actor (registered under
    /// <see cref="SchedulerRegistryKeys.Scheduler"/>). Persistence is the application's choice (see
    /// <see cref="Persistence.SqliteJournal"/> for the embedded default).
    /// </summary>
    public static AkkaConfigurationBuilder WithActorScheduler(this AkkaConfigurationBuilder builder, ActorSchedulerOptions options)
    {
        var settings = ToSettings(options);
        return builder
            .AddHocon(SchedulerHocon.Text, HoconAddMode.Prepend)
            .WithActors((system, registry) =>
            {
                var root = system.ActorOf(SchedulerRootActor.Props(settings), "scheduler");
                registry.Register<SchedulerRegistryKeys.Scheduler>(root);
            });
    }

    /// <exception cref="ArgumentOutOfRangeException">
    /// A setting out of its range (fewer than one claim a cycle, a negative sweep interval, fewer than one fitness
    /// candidate, an unknown fitness, fewer than one pod decommissioned at once, a negative count of decision records kept,
    /// a permanent-failure timeout under a second).
    /// </exception>
    internal static SchedulerSettings ToSettings(ActorSchedulerOptions options)
    {
        // Refused here, where the application configures the scheduler, not when its actors start.
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxClaimsPerCycle, 1, nameof(options.MaxClaimsPerCycle));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReservationSweepInterval, TimeSpan.Zero, nameof(options.ReservationSweepInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FitnessCandidates, 1, nameof(options.FitnessCandidates));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DecommissionParallelism, 1, nameof(options.DecommissionParallelism));
        ArgumentOutOfRangeException.ThrowIfNegative(options.OfferDecisionRecordsKept, nameof(options.OfferDecisionRecordsKept));
        if (options.PermanentFailureTimeout is { } permanentAfter)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(permanentAfter, TimeSpan.FromSeconds(1), nameof(options.PermanentFailureTimeout));
        }
        if (!Enum.IsDefined(options.Fitness))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Fitness), options.Fitness, "Not a FitnessKind.");
        }

        if (!Enum.IsDefined(options.OfferHold))
        {
            throw new ArgumentOutOfRangeException(nameof(options.OfferHold), options.OfferHold, "Not an OfferHoldMode.");
        }

        var gateway = new GatewaySettings(
            options.MasterUrl,
            options.ServiceName,
            ServiceSpec.RoleOf(options.ServiceName),
            ServiceSpec.PrincipalOf(options.ServiceName),
            options.User ?? Environment.UserName,
            options.FailoverTimeout,
            MaxBackoff: TimeSpan.FromSeconds(15),
            ReconcileDelayFactor: options.ReconcileDelayFactor,
            WebUiUrl: options.ApiUrl?.ToString())
        {
            ImplicitReconcileInterval = options.ImplicitReconcileInterval,
        };
        var env = ImmutableArray<KeyValuePair<string, string>>.Empty;
        if (options.ApiUrl is { } api)
        {
            env = env
                .Add(new("SCHEDULER_API_HOSTNAME", api.Host))
                .Add(new("SCHEDULER_API_PORT", api.Port.ToString(CultureInfo.InvariantCulture)));
        }

        return new SchedulerSettings(options.ServiceName, options.RenderedSpec, options.SpecSource, gateway, options.Executor, env)
        {
            SchedulerEnvironment = options.SchedulerEnvironment,
            SchedulerApi = options.ApiUrl,
            ConfigTemplates = options.ConfigTemplates,
            Recovery = new RecoverySettings(options.EnableBackoff, options.PermanentFailureTimeout),
            MaxClaimsPerCycle = options.MaxClaimsPerCycle,
            OfferHold = options.OfferHold,
            ReservationSweepInterval = options.ReservationSweepInterval,
            Fitness = new PlacementFitness(options.Fitness, options.FitnessCandidates),
            DecommissionParallelism = options.DecommissionParallelism,
            OfferDecisionRecordsKept = options.OfferDecisionRecordsKept,
        };
    }
}
