namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>run</c>'s TLS options for the cluster's remoting: <c>--cluster-tls-certificate</c> and its password, read from
/// <c>--cluster-tls-password-file</c> or <see cref="PasswordVariable"/>, never from the command line (where any user of
/// the machine reads it in the process list), and the cluster's CA (<c>--cluster-tls-ca</c>) with its revoked serial
/// numbers (<c>--cluster-tls-revoked</c>). They are checked by <see cref="SchedulerClusterTls"/>, as an embedding
/// application's are.
/// </summary>
internal static class RunClusterTls
{
    /// <summary>The environment variable that holds the certificate's password.</summary>
    internal const string PasswordVariable = "ACTORSCHEDULER_CLUSTER_TLS_PASSWORD";

    internal const string CertificateOption = "--cluster-tls-certificate";

    internal const string PasswordFileOption = "--cluster-tls-password-file";

    internal const string CaOption = "--cluster-tls-ca";

    internal const string RevokedOption = "--cluster-tls-revoked";

    /// <summary>How <c>run</c> names the TLS settings in <see cref="SchedulerClusterTls"/>'s refusals.</summary>
    private static readonly SchedulerClusterTls.TlsNames Names = new(CertificateOption, CaOption, RevokedOption);

    /// <summary>The first TLS option given, to name it when no <c>--cluster-port</c> is; null when none is.</summary>
    internal static string? GivenOption(RunArguments args) =>
        args.ClusterTlsCertificate is not null ? CertificateOption
        : args.ClusterTlsPasswordFile is not null ? PasswordFileOption
        : args.ClusterTlsCa is not null ? CaOption
        : args.ClusterTlsRevoked is not null ? RevokedOption
        : null;

    /// <summary>The banner's line for TLS on the cluster's remoting: the shared pinned certificate, or this node's and the CA.</summary>
    internal static string Banner(SchedulerClusterOptions cluster) =>
        cluster.TlsCaFile is null
            ? $"             TLS: every node presents and accepts only the certificate of {cluster.TlsCertificateFile} (mutual, pinned)"
            : $"             TLS: this node presents {cluster.TlsCertificateFile} and accepts a node whose certificate the CA of {cluster.TlsCaFile} signed{(cluster.TlsRevokedFile is null ? string.Empty : $", unless {cluster.TlsRevokedFile} revokes it")} (mutual)";

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
        cluster?.TlsCertificateFile is not { } file || reason?.ExitCode != AkkaTlsHandshakeFailureExitCode
            ? null
            : cluster.TlsCaFile is { } ca
                ? $"error: Akka stopped this node: a TLS handshake with another node of the cluster failed ({reason}): every node needs TLS and a {CertificateOption} signed by the CA of {CaOption} ({file} and {ca} here), valid and not revoked (see the lines above)"
                : $"error: Akka stopped this node: a TLS handshake with another node of the cluster failed ({reason}): every node needs the same {CertificateOption} ({file} here) and TLS (see the lines above)";

    /// <summary>
    /// The certificate file and password of <paramref name="args"/> (both null without a certificate), or why they cannot
    /// be used in <paramref name="error"/>: a password file without a certificate, both a password file and the variable
    /// (which one is meant?), a password file that cannot be read, a certificate <see cref="SchedulerClusterTls.Load"/>
    /// refuses, a CA without a certificate or revoked serial numbers without a CA, or a CA file, revocation list or
    /// this node's certificate that <see cref="SchedulerClusterTls.Trust"/> refuses.
    /// </summary>
    internal static (string? File, string? Password) Read(RunArguments args, out string? error)
    {
        error = null;
        if (args.ClusterTlsRevoked is not null && args.ClusterTlsCa is null)
        {
            error = $"{RevokedOption} needs {CaOption}: the serial numbers it lists are of certificates that CA signed";
            return default;
        }

        if (args.ClusterTlsCertificate is not { } file)
        {
            if (args.ClusterTlsPasswordFile is not null)
            {
                error = $"{PasswordFileOption} needs {CertificateOption}: the password opens the nodes' certificate";
            }
            else if (args.ClusterTlsCa is not null)
            {
                error = $"{CaOption} needs {CertificateOption}: this node's certificate, signed by that CA, with its private key";
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

        var now = DateTimeOffset.UtcNow;
        using var certificate = SchedulerClusterTls.Load(file, password, CertificateOption, now, out error);
        if (certificate is not null && args.ClusterTlsCa is { } ca)
        {
            SchedulerClusterTls.Trust(certificate, file, ca, args.ClusterTlsRevoked, Names, now, out error);
        }

        return error is null ? (file, password) : default;
    }
}
