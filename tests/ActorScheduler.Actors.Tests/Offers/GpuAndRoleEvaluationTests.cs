using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>GPUs as a reserved scalar, and pods of a pre-reserved role consuming only that role's static reservations.</summary>
public sealed class GpuAndRoleEvaluationTests
{
    private const string Refined = "slave_public/hello-world-role";

    private static PodSpec GpuPod(double gpus = 1)
    {
        var pod = TestOffers.HelloPod();
        return pod with { Tasks = [pod.Tasks[0] with { Gpus = gpus }] };
    }

    private static PodSpec PublicPod() => TestOffers.HelloPod() with { PreReservedRole = "slave_public" };

    private static Offer WithGpus(Offer offer, double gpus)
    {
        offer.Resources.Add(Resources.Scalar(Resources.GpusName, gpus));
        return offer;
    }

    private static Resource StaticallyReserved(Resource resource, string role)
    {
        resource.Reservations.Add(new Resource.Types.ReservationInfo { Type = Resource.Types.ReservationInfo.Types.Type.Static, Role = role });
        return resource;
    }

    /// <summary>An offer allocated to <paramref name="allocationRole"/>: 1 cpu and 512 MB unreserved, and 2 cpus, 2048 MB, 1000 MB disk reserved for slave_public.</summary>
    private static Offer PublicOffer(string allocationRole = Refined)
    {
        var offer = TestOffers.Unreserved("agent-1", cpus: 1, mem: 512, disk: 0);
        offer.Resources.Add(StaticallyReserved(Resources.Scalar("cpus", 2), "slave_public"));
        offer.Resources.Add(StaticallyReserved(Resources.Scalar("mem", 2048), "slave_public"));
        offer.Resources.Add(StaticallyReserved(Resources.Scalar("disk", 1000), "slave_public"));
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = allocationRole };
        return offer;
    }

    [Fact]
    public void A_pod_asking_for_gpus_reserves_them_for_its_task()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(GpuPod()), WithGpus(TestOffers.Unreserved(), 2), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var gpus = Assert.Single(evaluation.Operations[0].Reserve.Resources, r => r.Name == "gpus");
        Assert.Equal(1, Resources.Scalar(gpus));
        Assert.NotEqual(Resources.ExecutorOwner, Resources.Owner(gpus));
        var task = Assert.Single(evaluation.Tasks).Info;
        Assert.Equal(Resources.ResourceId(gpus), Resources.ResourceId(Assert.Single(task.Resources, r => r.Name == "gpus")));
        Assert.Contains("PASS(ResourceEvaluationStage): Offer has sufficient unreserved 'gpus': 1 needed, 2 available", evaluation.Explanation);
    }

    [Fact]
    public void An_offer_without_gpus_fails_with_the_gpus_named_and_the_pre_check_skips_it_alike()
    {
        var offer = TestOffers.Unreserved();
        var requirement = TestOffers.Requirement(GpuPod());

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Equal("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'gpus' for new reservation: 1 needed, 0 available", evaluation.FailureReason);
        var need = OfferFit.NewFootprintNeed(requirement.Pod, TestOffers.Context.Executor);
        Assert.Equal(1, need.Gpus);
        Assert.Equal(OfferOutcomeTracker.ReasonOf(evaluation.Explanation), OfferFit.Skip(requirement, need, offer, OfferFit.Unreserved(offer)));
    }

    [Fact]
    public void A_pod_without_gpus_says_nothing_of_them()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), WithGpus(TestOffers.Unreserved(), 2), TestOffers.Context);

        Assert.True(evaluation.Passed);
        Assert.DoesNotContain(evaluation.Explanation, l => l.Contains("gpus", StringComparison.Ordinal));
        Assert.DoesNotContain(evaluation.Operations[0].Reserve.Resources, r => r.Name == "gpus");
    }

    [Fact]
    public void A_relaunch_reuses_the_reserved_gpus_by_id_and_a_bigger_spec_grows_them_in_place()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(GpuPod()), WithGpus(TestOffers.Unreserved(), 2), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", first.Footprint);
        var reservedId = Resources.ResourceId(first.Footprint.Single(r => r.Name == "gpus"));
        var offer = WithGpus(TestOffers.WithReserved("agent-1", first.Footprint), 1);

        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(GpuPod(), footprint), offer, TestOffers.Context);
        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal([Offer.Types.Operation.Types.Type.LaunchGroup], relaunch.Operations.Select(o => o.Type));
        Assert.Equal(reservedId, Resources.ResourceId(Assert.Single(Assert.Single(relaunch.Tasks).Info.Resources, r => r.Name == "gpus")));

        var grown = OfferEvaluator.Evaluate(TestOffers.Requirement(GpuPod(2), footprint), offer, TestOffers.Context);
        Assert.True(grown.Passed, string.Join("\n", grown.Explanation));
        var delta = Assert.Single(grown.Operations[0].Reserve.Resources);
        Assert.Equal(("gpus", 1.0, reservedId), (delta.Name, Resources.Scalar(delta), Resources.ResourceId(delta)));
        Assert.Equal(2, Resources.Scalar(grown.Footprint.Single(r => r.Name == "gpus")));
    }

    [Fact]
    public void Gpus_a_spec_adds_to_a_footprint_are_reserved_and_gpus_it_drops_are_given_back()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved(), TestOffers.Context);
        var offer = WithGpus(TestOffers.WithReserved("agent-1", first.Footprint), 1);

        var added = OfferEvaluator.Evaluate(TestOffers.Requirement(GpuPod(), new Footprint("agent-1", "agent-1.local", first.Footprint)), offer, TestOffers.Context);
        Assert.True(added.Passed, string.Join("\n", added.Explanation));
        var reserved = Assert.Single(added.Operations[0].Reserve.Resources);
        Assert.Equal(Resources.ResourceId(reserved), Resources.ResourceId(added.Footprint.Single(r => r.Name == "gpus")));

        var back = WithGpus(TestOffers.WithReserved("agent-1", added.Footprint), 0);
        var dropped = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(), new Footprint("agent-1", "agent-1.local", added.Footprint)), back, TestOffers.Context);
        Assert.True(dropped.Passed, string.Join("\n", dropped.Explanation));
        Assert.Equal(Offer.Types.Operation.Types.Type.Unreserve, dropped.Operations[0].Type);
        Assert.DoesNotContain(dropped.Footprint, r => r.Name == "gpus");
        Assert.DoesNotContain(Assert.Single(dropped.Tasks).Info.Resources, r => r.Name == "gpus");
    }

    [Fact]
    public void A_pod_of_a_pre_reserved_role_refines_that_roles_static_reservation()
    {
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod()), PublicOffer(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var reserved = evaluation.Operations[0].Reserve.Resources;
        Assert.All(reserved, r =>
        {
            Assert.Equal(2, r.Reservations.Count);
            Assert.Equal((Resource.Types.ReservationInfo.Types.Type.Static, "slave_public"), (r.Reservations[0].Type, r.Reservations[0].Role));
            Assert.Equal((Resource.Types.ReservationInfo.Types.Type.Dynamic, Refined), (r.Reservations[1].Type, r.Reservations[1].Role));
            Assert.Equal(Refined, r.AllocationInfo.Role);
        });
        // 0.6 cpus: more than the unreserved 1 cpu could not tell apart, so the reserved 2 are what was counted.
        Assert.Contains("PASS(ResourceEvaluationStage): Offer has sufficient 'cpus' reserved for role 'slave_public': 0.6 needed, 2 available", evaluation.Explanation);
    }

    [Fact]
    public void A_pod_of_a_pre_reserved_role_never_takes_unreserved_resources()
    {
        var offer = TestOffers.Unreserved();
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = Refined };

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod()), offer, TestOffers.Context);

        Assert.Equal("FAIL(ResourceEvaluationStage): offer has no resources reserved for role 'slave_public'", evaluation.FailureReason);

        var small = PublicOffer();
        small.Resources[5] = StaticallyReserved(Resources.Scalar("mem", 100), "slave_public");
        Assert.StartsWith("FAIL(ResourceEvaluationStage): Offer lacks sufficient 'mem' reserved for role 'slave_public' for new reservation: 288 needed, 100 available",
            OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod()), small, TestOffers.Context).FailureReason);
    }

    [Fact]
    public void The_pre_check_of_a_pod_of_a_pre_reserved_role_skips_for_the_full_evaluations_reason_with_its_amounts()
    {
        var requirement = TestOffers.Requirement(PublicPod());
        var need = OfferFit.NewFootprintNeed(requirement.Pod, TestOffers.Context.Executor);
        // 0.6 cpus with the executor; the offer reserves 0.2 for slave_public (its unreserved cpu is not the pod's).
        var small = TestOffers.ReservedFor("slave_public", cpus: 0.2);

        var reason = OfferOutcomeTracker.ReasonOf(OfferEvaluator.Evaluate(requirement, small, TestOffers.Context).Explanation, out var needed, out var had);
        var skip = OfferFit.Skip(requirement, need, small, OfferFit.Unreserved(small));

        Assert.Equal("FAIL(ResourceEvaluationStage): Offer lacks sufficient 'cpus' reserved for role 'slave_public' for new reservation", reason);
        Assert.Equal(reason, skip);
        Assert.Equal((0.6, 0.2), (needed, had));
        Assert.Equal((needed, had), (OfferFit.AmountOf(skip!, "slave_public", need), OfferFit.OfferedAmountOf(skip!, "slave_public", small, OfferFit.Unreserved(small))));

        // Nothing reserved for the role: the full evaluation's reason, without amounts, either way.
        var none = TestOffers.Unreserved();
        none.AllocationInfo = new Resource.Types.AllocationInfo { Role = Refined };
        var noneSkip = OfferFit.Skip(requirement, need, none, OfferFit.Unreserved(none));
        Assert.Equal(OfferOutcomeTracker.ReasonOf(OfferEvaluator.Evaluate(requirement, none, TestOffers.Context).Explanation), noneSkip);
        Assert.True(double.IsNaN(OfferFit.OfferedAmountOf(noneSkip!, "slave_public", none, OfferFit.Unreserved(none))));
    }

    [Fact]
    public void A_pod_without_a_pre_reserved_role_never_takes_a_roles_resources_nor_offers_of_its_refined_role()
    {
        // Allocated to the service role, as a master offers static reservations only to the role and its sub-roles: 1 cpu
        // unreserved is too little, the 2 cpus of slave_public are not the pod's.
        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(cpus: 1.5)), PublicOffer("hello-world-role"), TestOffers.Context);
        Assert.Equal("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for new reservation: 1.6 needed, 1 available", evaluation.FailureReason);

        var requirement = TestOffers.Requirement(TestOffers.HelloPod());
        var refined = PublicOffer();
        Assert.Equal(EvaluationContext.OtherRoleOffer, OfferEvaluator.Evaluate(requirement, refined, TestOffers.Context).FailureReason);
        Assert.Equal(EvaluationContext.OtherRoleOffer, TestOffers.Context.RoleRefusal(requirement.Pod, refined));
        Assert.StartsWith("FAIL(RoleEvaluationStage): offer is allocated to role 'hello-world-role', not to 'slave_public/hello-world-role'",
            TestOffers.Context.RoleRefusal(PublicPod(), PublicOffer("hello-world-role")));
    }

    [Fact]
    public void A_relaunch_finds_the_refined_reservations_by_id_and_what_nobody_owns_goes_back_to_the_role()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod()), PublicOffer(), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        offer.AllocationInfo = new Resource.Types.AllocationInfo { Role = Refined };

        var relaunch = OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod(), new Footprint("agent-1", "agent-1.local", first.Footprint)), offer, TestOffers.Context);
        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal(
            first.Footprint.Where(r => Resources.Owner(r) != Resources.ExecutorOwner).Select(Resources.ResourceId).Order(),
            Assert.Single(relaunch.Tasks).Info.Resources.Select(Resources.ResourceId).Order());

        var cleanup = UnexpectedResources.Cleanup(offer, new HashSet<string>(), "hello-world-role");
        var unreserve = cleanup[^1].Unreserve.Resources;
        Assert.Equal(first.Footprint.Length, unreserve.Count);
        Assert.All(unreserve, r => Assert.Equal("slave_public", Resources.PreReservedRoleOf(r)));
    }

    [Fact]
    public void A_pod_of_a_pre_reserved_role_takes_a_MOUNT_disk_reserved_for_that_role_not_an_unreserved_one()
    {
        static Resource Mount(string root)
        {
            var disk = Resources.Scalar("disk", 1024);
            disk.Disk = new Resource.Types.DiskInfo
            {
                Source = new Resource.Types.DiskInfo.Types.Source
                {
                    Type = Resource.Types.DiskInfo.Types.Source.Types.Type.Mount,
                    Mount = new Resource.Types.DiskInfo.Types.Source.Types.Mount { Root = root },
                },
            };
            return disk;
        }

        var pod = PublicPod() with { Tasks = [PublicPod().Tasks[0] with { Volumes = [new VolumeSpec("data", VolumeType.Mount, 512)] }] };
        var offer = PublicOffer();
        offer.Resources.Add(Mount("/mnt/free"));
        offer.Resources.Add(StaticallyReserved(Mount("/mnt/public"), "slave_public"));

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        var disk = Assert.Single(evaluation.Operations[0].Reserve.Resources, r => r.Disk?.Source is not null);
        Assert.Equal(("/mnt/public", "slave_public", Refined), (disk.Disk.Source.Mount.Root, disk.Reservations[0].Role, disk.Reservations[1].Role));
    }

    [Fact]
    public void What_a_claim_of_a_pre_reserved_role_leaves_is_less_of_that_roles_resources_and_all_the_unreserved_ones()
    {
        var offer = PublicOffer();
        var claim = OfferEvaluator.Evaluate(TestOffers.Requirement(PublicPod()), offer, TestOffers.Context);

        var rest = OfferRemainder.After(offer, claim);

        Assert.Equal(new OfferFit.Scalars(1, 512, 0), OfferFit.Unreserved(rest));
        var left = OfferFit.Unreserved(rest, "slave_public");
        Assert.Equal((1.4, 2048 - 288, 1000 - 256 - 25), (Math.Round(left.Cpus, 6), left.Mem, left.Disk));
    }
}
