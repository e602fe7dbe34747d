using ActorScheduler.Specs.Model;
using Google.Protobuf;

namespace ActorScheduler.Actors.Tls;

/// <summary>
/// What a task gets for one <c>transport-encryption</c> name (DC/OS <c>TLSArtifact</c>): the certificate (PEM, with the
/// chain below the root), its private key (PKCS#8 PEM) and the root CA certificate (PEM) for TLS; a PKCS#12 keystore
/// (the key and chain under alias <c>default</c>) and truststore (the root under <c>dcos-root</c>), both with password
/// <see cref="CertificateAuthority.KeystorePassword"/>, for KEYSTORE. The bytes are the files' contents, shared by every
/// launch that delivers them.
/// </summary>
/// <param name="SansHash">The <see cref="TlsNames.SansHash"/> the certificate was issued for.</param>
/// <param name="Authority">The <see cref="CertificateAuthority.Fingerprint"/> of the CA that signed it.</param>
public sealed record TlsArtifacts(
    string SansHash,
    string Authority,
    ByteString Certificate,
    ByteString PrivateKey,
    ByteString RootCaCertificate,
    ByteString Keystore,
    ByteString Truststore)
{
    /// <summary>The files of <paramref name="type"/> for <paramref name="name"/>, in the sandbox, with their contents.</summary>
    public IEnumerable<(string Path, ByteString Contents)> Files(string name, TransportEncryptionType type)
    {
        if (type == TransportEncryptionType.Tls)
        {
            yield return (name + ".crt", Certificate);
            yield return (name + ".key", PrivateKey);
            yield return (name + ".ca", RootCaCertificate);
        }
        else
        {
            yield return (name + ".keystore", Keystore);
            yield return (name + ".truststore", Truststore);
        }
    }
}

/// <summary>The artifacts of one task of a pod instance for one <c>transport-encryption</c> name.</summary>
/// <param name="Task">The task's name within the pod (<c>server</c>).</param>
public sealed record IssuedTls(string Task, string Name, TlsArtifacts Artifacts);
