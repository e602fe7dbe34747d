namespace ActorScheduler.Hosting.Tests.Hosting;

/// <summary>What an embedding application sets on <see cref="ActorSchedulerOptions"/> reaches the scheduler's settings.</summary>
public sealed class ActorSchedulerOptionsTests
{
    private static readonly Uri Master = new("http://127.0.0.1:5050");

    private const string Spec = "name: hello-world\npods:\n  hello:\n    count: 1\n    tasks:\n      server: {goal: RUNNING, cmd: sleep 1, cpus: 0.1, memory: 32}\n";

    [Fact]
    public void Timeouts_and_resources_that_would_break_the_service_are_refused_when_configured()
    {
        Assert.Equal("FailoverTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, FailoverTimeout = TimeSpan.FromSeconds(-5) })).ParamName);
        Assert.Equal("FailoverTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, FailoverTimeout = TimeSpan.Zero })).ParamName);
        Assert.Equal("ImplicitReconcileInterval", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, ImplicitReconcileInterval = TimeSpan.Zero })).ParamName);
        Assert.Equal("ReconcileDelayFactor", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, ReconcileDelayFactor = -1 })).ParamName);
        Assert.Equal("RegistryMaxAgentAge", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, RegistryMaxAgentAge = TimeSpan.Zero })).ParamName);
        Assert.Equal("Executor", Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, Executor = new ActorScheduler.Actors.Offers.ExecutorResources(Cpus: -1) })).ParamName);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:5050/")]
    [InlineData("mesos/master")]
    public void A_master_url_that_is_not_http_is_refused_when_configured(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = new Uri(url, UriKind.RelativeOrAbsolute) }));

        Assert.Equal("MasterUrl", error.ParamName);
    }

    [Fact]
    public void A_relative_api_url_is_refused_when_configured()
    {
        Assert.Equal("ApiUrl", Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, ApiUrl = new Uri("api", UriKind.Relative) })).ParamName);
    }

    [Fact]
    public void A_spec_that_does_not_load_is_refused_with_its_located_errors()
    {
        var empty = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", MasterUrl = Master, RenderedSpec = " " }));
        var broken = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", MasterUrl = Master, RenderedSpec = "name: hello-world\npods: [" }));

        Assert.Equal(("RenderedSpec", "RenderedSpec"), (empty.ParamName, broken.ParamName));
        Assert.Contains("(embedded):2:", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_operator_ca_reaches_the_scheduler_and_a_bad_one_is_refused_when_configured()
    {
        var dir = Directory.CreateTempSubdirectory("tls-options-").FullName;
        try
        {
            using var key = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=ops CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var (certificateFile, keyFile) = (Path.Combine(dir, "ca.crt"), Path.Combine(dir, "ca.key"));
            File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
            File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

            var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, TlsCaCertificateFile = certificateFile, TlsCaKeyFile = keyFile });
            Assert.Equal(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), settings.TlsAuthority!.Fingerprint);
            Assert.Null(ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master }).TlsAuthority);

            var alone = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, TlsCaKeyFile = keyFile }));
            Assert.Equal("TlsCaCertificateFile", alone.ParamName);
            var swapped = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, TlsCaCertificateFile = keyFile, TlsCaKeyFile = certificateFile }));
            Assert.StartsWith($"TlsCaCertificateFile: {keyFile}, {certificateFile}: not a PEM certificate", swapped.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_service_name_other_than_the_specs_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions { RenderedSpec = Spec, MasterUrl = Master, ServiceName = "other" }));

        Assert.Equal("ServiceName", error.ParamName);
        Assert.Contains("'hello-world'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_masters_registry_max_agent_age_reaches_the_gateway_and_defaults_to_the_masters_two_weeks()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master };

        Assert.Equal(TimeSpan.FromDays(14), ActorSchedulerHostingExtensions.ToSettings(options).Gateway.RegistryMaxAgentAge);
        Assert.Equal(TimeSpan.FromDays(3), ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, RegistryMaxAgentAge = TimeSpan.FromDays(3),
        }).Gateway.RegistryMaxAgentAge);
    }

    [Fact]
    public void The_offer_settings_reach_the_scheduler()
    {
        var settings = ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world",
            RenderedSpec = Spec,
            MasterUrl = Master,
            MaxClaimsPerCycle = 64,
            ReservationSweepInterval = TimeSpan.FromMinutes(10),
            Fitness = ActorScheduler.Actors.Offers.FitnessKind.Spread,
            FitnessCandidates = 40,
            OfferHold = ActorScheduler.Actors.Offers.OfferHoldMode.None,
            OfferDecisionRecordsKept = 500,
        });

        Assert.Equal((64, TimeSpan.FromMinutes(10)), (settings.MaxClaimsPerCycle, settings.ReservationSweepInterval));
        Assert.Equal(ActorScheduler.Actors.Offers.OfferHoldMode.None, settings.OfferHold);
        Assert.Equal(500, settings.OfferDecisionRecordsKept);
        Assert.Equal(new ActorScheduler.Actors.Offers.PlacementFitness(ActorScheduler.Actors.Offers.FitnessKind.Spread, 40), settings.Fitness);
    }

    [Fact]
    public void Fewer_than_one_fitness_candidate_or_an_unknown_fitness_is_refused_when_configured()
    {
        var candidates = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, FitnessCandidates = 0,
        }));
        var kind = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, Fitness = (ActorScheduler.Actors.Offers.FitnessKind)7,
        }));

        Assert.Equal(("FitnessCandidates", "Fitness"), (candidates.ParamName, kind.ParamName));
    }

    [Fact]
    public void An_unknown_offer_hold_mode_is_refused_when_configured()
    {
        var hold = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, OfferHold = (ActorScheduler.Actors.Offers.OfferHoldMode)5,
        }));

        Assert.Equal("OfferHold", hold.ParamName);
    }

    [Fact]
    public void Capped_cycles_keep_offers_for_the_work_left_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master };

        Assert.Equal(ActorScheduler.Actors.Offers.OfferHoldMode.Backlog, ActorSchedulerHostingExtensions.ToSettings(options).OfferHold);
    }

    [Fact]
    public void A_negative_sweep_interval_or_fewer_than_one_claim_a_cycle_is_refused_when_configured()
    {
        var sweep = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, ReservationSweepInterval = TimeSpan.FromSeconds(-1),
        }));
        var claims = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, MaxClaimsPerCycle = 0,
        }));

        var decommission = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, DecommissionParallelism = 0,
        }));
        var kept = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, OfferDecisionRecordsKept = -1,
        }));

        var permanent = Assert.Throws<ArgumentOutOfRangeException>(() => ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, PermanentFailureTimeout = TimeSpan.FromSeconds(-5),
        }));

        Assert.Equal(("ReservationSweepInterval", "MaxClaimsPerCycle", "DecommissionParallelism", "OfferDecisionRecordsKept", "PermanentFailureTimeout"),
            (sweep.ParamName, claims.ParamName, decommission.ParamName, kept.ParamName, permanent.ParamName));
    }

    [Fact]
    public void A_scale_in_decommissions_one_pod_at_a_time_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master };

        Assert.Equal(1, ActorSchedulerHostingExtensions.ToSettings(options).DecommissionParallelism);
        Assert.Equal(8, ActorSchedulerHostingExtensions.ToSettings(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, DecommissionParallelism = 8,
        }).DecommissionParallelism);
    }

    [Fact]
    public void Reservations_are_swept_hourly_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master };

        Assert.Equal(TimeSpan.FromHours(1), ActorSchedulerHostingExtensions.ToSettings(options).ReservationSweepInterval);
    }

    [Fact]
    public void Pods_are_bin_packed_over_sixteen_offers_unless_told_otherwise()
    {
        var options = new ActorSchedulerOptions { ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master };

        Assert.Equal(new ActorScheduler.Actors.Offers.PlacementFitness(ActorScheduler.Actors.Offers.FitnessKind.BinPack, 16), ActorSchedulerHostingExtensions.ToSettings(options).Fitness);
    }

    [Fact]
    public void A_journal_connection_that_is_none_is_refused_when_configured()
    {
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "options-test");

        var error = Assert.Throws<ArgumentException>(() => builder.WithActorScheduler(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, JournalConnection = "Host=127.0.0.1;Username=sched",
        }));

        Assert.Equal("JournalConnection", error.ParamName);
        Assert.StartsWith("JournalConnection names no database: give Database=…", error.Message);
    }

    [Fact]
    public void A_journal_server_that_does_not_answer_is_refused_when_configured_naming_its_host_and_port()
    {
        var port = EndToEnd.SchedulerProcess.FreePort();
        var builder = new Akka.Hosting.AkkaConfigurationBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection(), "options-test");

        var error = Assert.Throws<Persistence.PostgresJournalException>(() => builder.WithActorScheduler(new ActorSchedulerOptions
        {
            ServiceName = "hello-world", RenderedSpec = Spec, MasterUrl = Master, JournalConnection = $"postgres://sched:secret@127.0.0.1:{port}/journal",
        }));

        Assert.Equal($"journal server 127.0.0.1:{port} is unreachable (Connection refused): start PostgreSQL there, or fix Host and Port in JournalConnection", error.Message);
    }
}
