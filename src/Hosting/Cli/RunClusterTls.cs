namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>run</c>'s TLS options for the cluster's remoting: <c>--cluster-tls-certificate</c> and its password, read from
/// <c>--cluster-tls-password-file</c> or <see cref="PasswordVariable"/>, never from the command line (where any user of
/// the machine reads it in the process list). The certificate is checked by <see cref="SchedulerClusterTls.Load"/>, as an
/// embedding application's is.
/// </summary>
internal static class RunClusterTls
{
    /// <summary>The environment variable that holds the certificate's password.</summary>
    internal const string PasswordVariable = "ACTORSCHEDULER_CLUSTER_TLS_PASSWORD";

    internal const string CertificateOption = "--cluster-tls-certificate";

    internal const string PasswordFileOption = "--cluster-tls-password-file";

    /// <summary>The first TLS option given, to name it when no <c>--cluster-port</c> is; null when none is.</summary>
    internal static string? GivenOption(RunArguments args) =>
        args.ClusterTlsCertificate is not null ? CertificateOption
        : args.ClusterTlsPasswordFile is not null ? PasswordFileOption
        : null;

    /// <summary>
    /// The exit code Akka.NET 1.5 gives the coordinated shutdown it runs when a TLS handshake this node started fails (its
    /// internal <c>TlsHandshakeFailureReason</c>): the only public sign of that reason.
    /// </summary>
    private const int AkkaTlsHandshakeFailureExitCode = 79;

    /// <summary>
    /// Why Akka stopped this node, as <c>run</c>'s error line, when it stopped it for a failed TLS handshake with another
    /// node (null otherwise): Akka 1.5 runs the actor system's coordinated shutdown on a failed outbound handshake instead
    /// of retrying, so a node given another certificate, or seeded with a node that has no TLS, would otherwise just stop
    /// with <c>stopping…</c> and exit 0, as if asked to.
    /// </summary>
    internal static string? StoppedByHandshake(Akka.Actor.CoordinatedShutdown.Reason? reason, SchedulerClusterOptions? cluster) =>
        cluster?.TlsCertificateFile is { } file && reason?.ExitCode == AkkaTlsHandshakeFailureExitCode
            ? $"error: Akka stopped this node: a TLS handshake with another node of the cluster failed ({reason}): every node needs the same {CertificateOption} ({file} here) and TLS (see the lines above)"
            : null;

    /// <summary>
    /// The certificate file and password of <paramref name="args"/> (both null without a certificate), or why they cannot
    /// be used in <paramref name="error"/>: a password file without a certificate, both a password file and the variable
    /// (which one is meant?), a password file that cannot be read, or a certificate <see cref="SchedulerClusterTls.Load"/>
    /// refuses.
    /// </summary>
    internal static (string? File, string? Password) Read(RunArguments args, out string? error)
    {
        error = null;
        if (args.ClusterTlsCertificate is not { } file)
        {
            if (args.ClusterTlsPasswordFile is not null)
            {
                error = $"{PasswordFileOption} needs {CertificateOption}: the password opens the nodes' certificate";
            }

            return default;
        }

        var password = (args.EnvironmentVariable ?? Environment.GetEnvironmentVariable)(PasswordVariable);
        if (args.ClusterTlsPasswordFile is { } passwordFile)
        {
            if (!string.IsNullOrEmpty(password))
            {
                error = $"{PasswordFileOption} and ${PasswordVariable} both give the certificate's password: give one";
                return default;
            }

            try
            {
                // The file's one line; the newline an editor or echo leaves is not part of the password.
                password = File.ReadAllText(passwordFile).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = $"{PasswordFileOption}: cannot read {passwordFile}: {e.Message.TrimEnd('.')}";
                return default;
            }
        }

        using var certificate = SchedulerClusterTls.Load(file, password, CertificateOption, DateTimeOffset.UtcNow, out error);
        return error is null ? (file, password) : default;
    }
}
