using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Tests.Yaml;

/// <summary>Task keys that are pure data: <c>labels</c> and <c>kill-grace-period</c>.</summary>
public sealed class TaskDataKeysTests
{
    private static string Spec(string taskLines) => $"""
        name: svc
        pods:
          hello:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: echo hi
                cpus: 0.1
                memory: 32
        {taskLines}
        """;

    private static TaskSpec LoadTask(string taskLines)
    {
        var result = ServiceSpecLoader.LoadRendered(Spec(taskLines), "svc.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!.Pods[0].Tasks[0];
    }

    private static string[] Errors(string taskLines) =>
        [.. ServiceSpecLoader.LoadRendered(Spec(taskLines), "svc.yml").Errors.Select(e => e.ToString())];

    [Fact]
    public void Labels_should_be_read_in_order_with_colons_kept_in_values()
    {
        var task = LoadTask("        labels: 'team:storage, url:http://x:80,empty:'");

        Assert.Equal<KeyValuePair<string, string>>([new("team", "storage"), new("url", "http://x:80"), new("empty", "")], task.Labels);
    }

    [Theory]
    [InlineData("")]
    [InlineData("        labels:")]
    [InlineData("        labels: ''")]
    public void Missing_or_empty_labels_should_be_none(string taskLines)
    {
        var task = LoadTask(taskLines);

        Assert.Empty(task.Labels);
        Assert.Null(task.KillGracePeriodSeconds);
    }

    [Theory]
    [InlineData("team", "label 1 'team' has no ':' between key and value")]
    [InlineData("a:1,,b:2", "label 2 is empty")]
    [InlineData("a:1,:2", "label 2 ':2' has an empty key")]
    [InlineData("a:1,a:2", "label 2 repeats the key 'a'")]
    public void Bad_labels_should_say_which_label(string labels, string problem)
    {
        Assert.Equal(
            [$"svc.yml:11:17: pods.hello.tasks.server.labels: expected labels as 'key:value,key2:value2'; {problem}"],
            Errors($"        labels: '{labels}'"));
    }

    [Fact]
    public void Labels_as_a_mapping_should_be_an_error()
    {
        Assert.Equal(
            ["svc.yml:12:11: pods.hello.tasks.server.labels: expected labels as 'key:value,key2:value2', found a mapping"],
            Errors("        labels:\n          a: b"));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("30", 30)]
    public void Kill_grace_period_should_be_seconds(string value, int seconds)
    {
        Assert.Equal(seconds, LoadTask($"        kill-grace-period: {value}").KillGracePeriodSeconds);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("5s")]
    [InlineData("1.5")]
    public void Kill_grace_period_should_be_a_whole_number_of_seconds_at_least_zero(string value)
    {
        Assert.Equal(
            [$"svc.yml:11:28: pods.hello.tasks.server.kill-grace-period: expected an integer >= 0, found '{value}'"],
            Errors($"        kill-grace-period: {value}"));
    }

    [Fact]
    public void Fingerprint_should_change_with_labels_and_grace_period_but_not_when_they_are_absent()
    {
        var plain = LoadTask("");
        var labelled = LoadTask("        labels: 'a:1,b:2'");

        Assert.Equal(SpecFingerprint.Of(plain), SpecFingerprint.Of(plain with { Labels = [] }));
        Assert.NotEqual(SpecFingerprint.Of(plain), SpecFingerprint.Of(labelled));
        Assert.Equal(SpecFingerprint.Of(labelled), SpecFingerprint.Of(LoadTask("        labels: 'b:2,a:1'")));
        Assert.NotEqual(SpecFingerprint.Of(labelled), SpecFingerprint.Of(LoadTask("        labels: 'a:1,b:3'")));
        Assert.NotEqual(SpecFingerprint.Of(plain), SpecFingerprint.Of(plain with { KillGracePeriodSeconds = 0 }));
    }
}
