using ActorScheduler.Actors.Config;
using ActorScheduler.Messages.Events;
using Akka;
using Akka.Actor;
using Akka.Persistence;
using Google.Protobuf.WellKnownTypes;
using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests.Config;

public sealed class ConfigStoreActorTests : ActorTestKit
{
    private static string Spec(int count, int volumeSize) => $"""
        name: svc
        pods:
          web:
            count: {count}
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 100
                cpus: 0.1
                memory: 32
                volume:
                  path: data
                  type: ROOT
                  size: {volumeSize}
        """;

    [Fact]
    public void ConfigStore_should_keep_the_target_when_an_update_is_refused_and_move_it_when_valid()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));

        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>();
        Assert.Empty(first.Errors);

        // A volume change is refused: the target stays, the errors come back for the deploy plan.
        store.Tell(new ApplySpec(Spec(1, 20), "v2.yml"));
        var refused = ExpectMsg<TargetConfigReady>();
        Assert.Equal(first.Target.ConfigId, refused.Target.ConfigId);
        Assert.Contains(refused.Errors, e => e.Contains("Fatal: false") && e.Contains("volume", StringComparison.OrdinalIgnoreCase));

        // Scaling out is a valid update: a new target.
        store.Tell(new ApplySpec(Spec(3, 10), "v3.yml"));
        var scaled = ExpectMsg<TargetConfigReady>();
        Assert.Empty(scaled.Errors);
        Assert.NotEqual(first.Target.ConfigId, scaled.Target.ConfigId);
        Assert.Equal(3, scaled.Target.Spec.Pods[0].Count);

        // Shrinking without allow-decommission is refused, against the newest target.
        store.Tell(new ApplySpec(Spec(2, 10), "v4.yml"));
        var shrink = ExpectMsg<TargetConfigReady>();
        Assert.Equal(scaled.Target.ConfigId, shrink.Target.ConfigId);
        Assert.NotEmpty(shrink.Errors);
    }

    [Fact]
    public void ConfigStore_should_give_a_stored_config_that_is_no_longer_the_target_to_recover_on()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>().Target;
        store.Tell(new ApplySpec(Spec(3, 10), "v2.yml"));
        Assert.NotEqual(first.ConfigId, ExpectMsg<TargetConfigReady>().Target.ConfigId);

        store.Tell(new GetStoredTarget(first.ConfigId));
        var stored = ExpectMsg<StoredTarget>();
        Assert.Equal(first.ConfigId, stored.Target!.ConfigId);
        Assert.Equal(1, stored.Target.Spec.Pods[0].Count);
        Assert.Null(stored.Error);

        store.Tell(new GetStoredTarget("no-such-config"));
        var missing = ExpectMsg<StoredTarget>();
        Assert.Null(missing.Target);
        Assert.Equal("not in the config store", missing.Error);
    }

    [Fact]
    public void ConfigStore_should_recover_its_target_after_a_restart()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>();
        Watch(store);
        store.Tell(PoisonPill.Instance);
        ExpectTerminated(store);

        var restarted = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        restarted.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));

        Assert.Equal(first.Target.ConfigId, ExpectMsg<TargetConfigReady>().Target.ConfigId);
    }

    [Fact]
    public void ConfigStore_should_treat_a_changed_taskcfg_variable_as_a_new_target_and_replay_it_after_a_restart()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>();

        var routed = new Dictionary<string, string> { ["TASKCFG_ALL_MODE"] = "fast" };
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml", routed));
        var second = ExpectMsg<TargetConfigReady>();
        Assert.NotEqual(first.Target.ConfigId, second.Target.ConfigId);
        Assert.Contains(new KeyValuePair<string, string>("MODE", "fast"), second.Target.Spec.Pods[0].Tasks[0].Env);

        Watch(store);
        store.Tell(PoisonPill.Instance);
        ExpectTerminated(store);
        var restarted = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        restarted.Tell(new ApplySpec(Spec(1, 10), "v1.yml", routed));

        var replayed = ExpectMsg<TargetConfigReady>();
        Assert.Equal(second.Target.ConfigId, replayed.Target.ConfigId);
        Assert.Contains(new KeyValuePair<string, string>("MODE", "fast"), replayed.Target.Spec.Pods[0].Tasks[0].Env);
    }

    [Fact]
    public void ConfigStore_should_remember_a_completed_deployment_across_restarts()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>();
        Assert.False(first.DeploymentCompleted);

        store.Tell(new MarkDeploymentCompleted(first.Target.ConfigId));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        Assert.True(ExpectMsg<TargetConfigReady>().DeploymentCompleted);

        Watch(store);
        store.Tell(PoisonPill.Instance);
        ExpectTerminated(store);
        var restarted = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        restarted.Tell(new ApplySpec(Spec(2, 10), "v2.yml"));

        var next = ExpectMsg<TargetConfigReady>();
        Assert.NotEqual(first.Target.ConfigId, next.Target.ConfigId);
        Assert.True(next.DeploymentCompleted);
    }

    [Fact]
    public void ConfigStore_should_store_config_templates_with_the_version_and_treat_a_changed_template_as_a_new_target()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml", Templates: new Dictionary<string, string> { ["app.conf"] = "a={{A}}" }));
        var first = ExpectMsg<TargetConfigReady>();
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml", Templates: new Dictionary<string, string> { ["app.conf"] = "a={{A}}" }));
        Assert.Equal(first.Target.ConfigId, ExpectMsg<TargetConfigReady>().Target.ConfigId);

        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml", Templates: new Dictionary<string, string> { ["app.conf"] = "a={{A}}\nb=2" }));
        var second = ExpectMsg<TargetConfigReady>();
        Assert.NotEqual(first.Target.ConfigId, second.Target.ConfigId);

        store.Tell(new Messages.Configs.ConfigProtocol.GetConfiguration(first.Target.ConfigId));
        Assert.Equal("a={{A}}", ExpectMsg<Messages.Configs.ConfigProtocol.Configuration>().ConfigTemplates["app.conf"]);
        store.Tell(new Messages.Configs.ConfigProtocol.GetConfiguration(null));
        Assert.Equal("a={{A}}\nb=2", ExpectMsg<Messages.Configs.ConfigProtocol.Configuration>().ConfigTemplates["app.conf"]);
    }

    [Fact]
    public void ConfigStore_should_give_a_stored_config_fetched_for_recovery_the_same_template_digests_as_when_it_was_the_target()
    {
        const string spec = """
            name: svc
            pods:
              web:
                count: {0}
                tasks:
                  server:
                    goal: RUNNING
                    cmd: sleep 100
                    cpus: 0.1
                    memory: 32
                    configs:
                      app:
                        template: app.conf
                        dest: conf/app.conf
            """;
        var templates = new Dictionary<string, string> { ["app.conf"] = "a={{A}}" };
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(string.Format(spec, 1), "v1.yml", Templates: templates));
        var first = ExpectMsg<TargetConfigReady>().Target;
        store.Tell(new ApplySpec(string.Format(spec, 2), "v2.yml", Templates: templates));
        ExpectMsg<TargetConfigReady>();

        store.Tell(new GetStoredTarget(first.ConfigId));
        var stored = ExpectMsg<StoredTarget>().Target!;

        var digest = first.Spec.Pods[0].Tasks[0].Configs[0].ContentDigest;
        Assert.NotNull(digest);
        Assert.Equal(digest, stored.Spec.Pods[0].Tasks[0].Configs[0].ContentDigest);
    }

    /// <summary>A valid spec whose version shows in its task's command (<c>sleep 10n</c>), so any version may follow any other.</summary>
    private static string Version(int n) => Spec(1, 10).Replace("cmd: sleep 100", $"cmd: sleep {n}0", StringComparison.Ordinal);

    private static string CommandOf(TargetConfigReady ready) => ready.Target.Spec.Pods[0].Tasks[0].Command;

    private IActorRef Restarted(IActorRef store)
    {
        Watch(store);
        store.Tell(PoisonPill.Instance);
        ExpectTerminated(store);
        return Sys.ActorOf(ConfigStoreActor.Props("svc"));
    }

    [Fact]
    public void ConfigStore_should_roll_back_one_target_further_with_each_rollback_across_a_restart_until_none_is_left()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        foreach (var n in new[] { 1, 2, 3 })
        {
            store.Tell(new ApplySpec(Version(n), $"v{n}.yml"));
            Assert.Equal($"sleep {n}0", CommandOf(ExpectMsg<TargetConfigReady>()));
        }

        store.Tell(new RollBack(null));
        var toSecond = ExpectMsg<TargetConfigReady>();
        Assert.Equal("sleep 20", CommandOf(toSecond));
        Assert.Empty(toSecond.Errors);

        // The history is rebuilt from the journal: the next rollback still goes back, not forward to v3.
        store = Restarted(store);
        store.Tell(new RollBack(null));
        var toFirst = ExpectMsg<TargetConfigReady>();
        Assert.Equal("sleep 10", CommandOf(toFirst));
        Assert.NotEqual(toSecond.Target.ConfigId, toFirst.Target.ConfigId);

        store.Tell(new RollBack(null));
        var none = ExpectMsg<NoRollbackTarget>();
        Assert.Equal($"Nothing to roll back to: no earlier target is left before config {toFirst.Target.ConfigId} (each rollback goes one further back; --to <id> deploys any stored version)", none.Message);
        store.Tell(GetTarget.Instance);
        Assert.Equal(toFirst.Target.ConfigId, ExpectMsg<TargetConfigReady>().Target.ConfigId);
    }

    [Fact]
    public void ConfigStore_should_roll_back_an_update_made_after_a_rollback_to_the_rolled_back_target()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Version(1), "v1.yml"));
        ExpectMsg<TargetConfigReady>();
        store.Tell(new ApplySpec(Version(2), "v2.yml"));
        ExpectMsg<TargetConfigReady>();
        store.Tell(new RollBack(null));
        Assert.Equal("sleep 10", CommandOf(ExpectMsg<TargetConfigReady>()));

        // An update is undone by a rollback, back to the target it replaced; then nothing is left.
        store.Tell(new ApplySpec(Version(3), "v3.yml"));
        ExpectMsg<TargetConfigReady>();
        store.Tell(new RollBack(null));
        Assert.Equal("sleep 10", CommandOf(ExpectMsg<TargetConfigReady>()));
        store.Tell(new RollBack(null));
        ExpectMsg<NoRollbackTarget>();
    }

    [Fact]
    public void ConfigStore_should_treat_a_rollback_to_an_id_as_an_update_that_a_plain_rollback_undoes()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Version(1), "v1.yml"));
        var first = ExpectMsg<TargetConfigReady>().Target.ConfigId;
        store.Tell(new ApplySpec(Version(2), "v2.yml"));
        ExpectMsg<TargetConfigReady>();
        store.Tell(new ApplySpec(Version(3), "v3.yml"));
        ExpectMsg<TargetConfigReady>();

        store.Tell(new RollBack(first));
        Assert.Equal("sleep 10", CommandOf(ExpectMsg<TargetConfigReady>()));
        store.Tell(new RollBack(null));
        Assert.Equal("sleep 30", CommandOf(ExpectMsg<TargetConfigReady>()));
        store.Tell(new RollBack(null));
        Assert.Equal("sleep 20", CommandOf(ExpectMsg<TargetConfigReady>()));

        store.Tell(new RollBack("no-such-id"));
        Assert.Equal("No configuration no-such-id to roll back to (see GET /v1/configurations)", ExpectMsg<NoRollbackTarget>().Message);
    }

    [Fact]
    public void ConfigStore_should_keep_its_rollback_history_when_a_rollback_is_refused()
    {
        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        store.Tell(new ApplySpec(Spec(1, 10), "v1.yml"));
        ExpectMsg<TargetConfigReady>();
        store.Tell(new ApplySpec(Spec(2, 10), "v2.yml"));
        var scaled = ExpectMsg<TargetConfigReady>();

        // Going back to one pod is a scale-in the spec does not allow: refused, the target and the history stay.
        foreach (var _ in new[] { 1, 2 })
        {
            store.Tell(new RollBack(null));
            var refused = ExpectMsg<TargetConfigReady>();
            Assert.Equal(scaled.Target.ConfigId, refused.Target.ConfigId);
            Assert.NotEmpty(refused.Errors);
        }
    }

    [Fact]
    public async Task ConfigStore_should_check_a_spec_on_its_own_when_the_target_no_longer_loads_and_say_the_checks_against_it_are_skipped()
    {
        // An older version took a target that a check of this one refuses (a plan named decommission).
        var refused = Spec(1, 10) + """

            plans:
              decommission:
                phases:
                  web:
                    pod: web
            """;
        var old = Sys.ActorOf(Props.Create(() => new OlderConfigStore("svc")));
        var at = Timestamp.FromDateTime(DateTime.UtcNow);
        var stored = new ConfigStored { ConfigId = "old-target", ServiceName = "svc", RenderedYaml = refused, Source = "old.yml", At = at };
        old.Tell(new object[] { stored, new TargetConfigSet { ConfigId = stored.ConfigId, At = at } });
        ExpectMsg<Done>();
        Sys.Stop(old);

        var store = Sys.ActorOf(ConfigStoreActor.Props("svc"));
        // The same spec again: refused with its errors, there is no target to keep.
        store.Tell(new ApplySpec(refused, "svc.yml"));
        Assert.Contains(ExpectMsg<TargetConfigRefused>().Errors, e => e.StartsWith("svc.yml:", StringComparison.Ordinal) && e.Contains("plans.decommission: 'decommission' is the scheduler's own plan"));

        // A fixed spec becomes the target, though it changes a volume (refused against a target that loads): checked
        // on its own, with a warning saying why.
        TargetConfigReady fixedTarget = null!;
        await EventFilter.Warning(contains: "The target config old-target: it no longer loads: old.yml:").ExpectOneAsync(async () =>
        {
            store.Tell(new ApplySpec(Spec(1, 20), "svc.yml"));
            fixedTarget = await ExpectMsgAsync<TargetConfigReady>();
        });
        Assert.Empty(fixedTarget.Errors);
        Assert.NotEqual("old-target", fixedTarget.Target.ConfigId);
    }

    /// <summary>The config stream as an older version's config store wrote it: appends the events it is given.</summary>
    private sealed class OlderConfigStore : ReceivePersistentActor
    {
        public OlderConfigStore(string service)
        {
            PersistenceId = $"{service}/config";
            Command<object[]>(events =>
            {
                var replyTo = Sender;
                PersistAll(events, _ => { });
                DeferAsync(Done.Instance, done => replyTo.Tell(done));
            });
        }

        public override string PersistenceId { get; }
    }
}
