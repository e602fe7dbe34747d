using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests;

/// <summary>A config template's text is part of its task's fingerprint once the config store gives it its digest.</summary>
public sealed class ConfigTemplateDigestsTests
{
    private static readonly ConfigTemplateSpec _config = new("settings", "worker.conf.mustache", "conf/worker.conf");
    private static readonly TaskSpec _task = new("run", GoalState.Running, "sleep 1", 0.1, 64, [], []) { Configs = [_config] };
    private static readonly ServiceSpec _spec = new("svc", null, [new PodSpec("worker", 1, false, [_task], [])], []);

    private static string Fingerprint(ServiceSpec spec) => SpecFingerprint.Of(spec.Pods[0]);

    private static ImmutableDictionary<string, string> Templates(string text) =>
        ImmutableDictionary<string, string>.Empty.Add("worker.conf.mustache", text);

    [Fact]
    public void A_changed_template_text_changes_the_fingerprint_and_the_same_text_keeps_it()
    {
        var first = ConfigTemplateDigests.Apply(_spec, Templates("threads={{THREADS}}\n"));
        var same = ConfigTemplateDigests.Apply(_spec, Templates("threads={{THREADS}}\n"));
        var changed = ConfigTemplateDigests.Apply(_spec, Templates("threads={{THREADS}}\nlog={{LOG_LEVEL}}\n"));

        Assert.Equal(Fingerprint(first), Fingerprint(same));
        Assert.NotEqual(Fingerprint(first), Fingerprint(changed));
    }

    [Fact]
    public void Without_the_text_the_fingerprint_is_the_one_the_spec_alone_had()
    {
        // Tasks launched before digests existed keep their fingerprint as long as no text is at hand.
        Assert.Equal(Fingerprint(_spec), Fingerprint(ConfigTemplateDigests.Apply(_spec, ImmutableDictionary<string, string>.Empty)));
        Assert.Equal("ConfigTemplateSpec { Name = settings, Template = worker.conf.mustache, Destination = conf/worker.conf }",
            (_config with { ContentDigest = "abc" }).ToString());
    }

    [Fact]
    public void A_spec_without_configs_is_returned_as_it_is()
    {
        var plain = _spec with { Pods = [_spec.Pods[0] with { Tasks = [_task with { Configs = [] }] }] };

        Assert.Same(plain, ConfigTemplateDigests.Apply(plain, Templates("x")));
    }
}
