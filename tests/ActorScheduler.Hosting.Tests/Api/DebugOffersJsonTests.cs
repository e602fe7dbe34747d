using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Messages.Offers;

namespace ActorScheduler.Hosting.Tests.Api;

/// <summary><c>GET /v2/debug/offers</c>'s summaries: a lacked resource's failure carries the amounts its line says.</summary>
public sealed class DebugOffersJsonTests
{
    [Fact]
    public void A_failure_for_a_lacked_resource_carries_the_need_and_the_most_offered_and_other_failures_do_not()
    {
        const string lacksCpus = "FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation";
        var outcomes = new OfferOutcomes(
            [new PodOfferSummary("big-0", 17, 0, [new FailureCount(lacksCpus, 15, 50.1, 4), new FailureCount("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", 2)])],
            []);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(SchedulerApi.ToJson(outcomes)));

        var summary = json.RootElement.GetProperty("summaries")[0];
        var (lacked, rule) = (summary.GetProperty("failures")[0], summary.GetProperty("failures")[1]);
        Assert.Equal(lacksCpus, lacked.GetProperty("reason").GetString());
        Assert.Equal(15, lacked.GetProperty("count").GetInt64());
        Assert.Equal(50.1, lacked.GetProperty("needs").GetDouble());
        Assert.Equal(4, lacked.GetProperty("most_offered").GetDouble());
        Assert.Equal(["reason", "count"], rule.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            $"big-0: 17 offers evaluated, 0 passed; 15 {lacksCpus} (needs 50.1, offers had at most 4); 2 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE",
            summary.GetProperty("summary").GetString());
    }
}
