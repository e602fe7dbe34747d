using ActorScheduler.Actors.Offers;
using Google.Protobuf.Collections;
using Variable = ActorScheduler.Messages.MesosV1.Environment.Types.Variable;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>A task's environment: one variable per name, where the name first came, with its last value.</summary>
public sealed class TaskInfoBuilderEnvironmentTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(TaskInfoBuilder.IndexedFrom + 10)]
    public void The_last_value_of_a_name_wins_in_the_place_the_name_first_came(int others)
    {
        // A spec's value first, the scheduler's (or a plan parameter's) later: the later one wins, in the spec's place.
        var given = new List<(string, string, bool)> { ("SPEC", "spec", false), ("PORT_HTTP", "1", false) };
        given.AddRange(Enumerable.Range(0, others).Select(i => ($"V{i}", "x", i % 2 == 0)));
        given.Add(("SPEC", "scheduler", true));
        given.Add(("PORT_HTTP", "2", false));

        var into = new RepeatedField<Variable> { new Variable { Name = "BEFORE", Value = "kept" } };
        TaskInfoBuilder.AddLastWins(into, given);

        Assert.Equal(
            new[] { ("BEFORE", "kept"), ("SPEC", "scheduler"), ("PORT_HTTP", "2") }.Concat(Enumerable.Range(0, others).Select(i => ($"V{i}", "x"))),
            into.Select(v => (v.Name, v.Value)));
    }

    [Fact]
    public void A_few_dozen_variables_cost_their_own_objects_and_the_fields_array_only()
    {
        var given = Enumerable.Range(0, 30).Select(i => ($"VARIABLE_{i}", "value", false)).ToArray();
        TaskInfoBuilder.AddLastWins(new RepeatedField<Variable>(), given);

        var into = new RepeatedField<Variable>();
        var before = GC.GetAllocatedBytesForCurrentThread();
        TaskInfoBuilder.AddLastWins(into, given);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // 30 variables, the field's arrays as it grows (8, 16, 32 references) and the enumerator: 2.2 KB, where the
        // dictionary and list of the names built before came to 5.6 KB in all.
        Assert.Equal(30, into.Count);
        Assert.InRange(allocated, 1, 2_500);
    }
}
