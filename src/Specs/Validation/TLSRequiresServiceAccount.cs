using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Validation;

/// <summary>
/// Tasks with <c>transport-encryption</c> get certificates the scheduler obtains from the cluster CA and stores as
/// secrets, which needs a service account: the spec must name its principal explicitly (<c>scheduler.principal</c>,
/// <see cref="ServiceSpec.Principal"/>); the default <c>&lt;name&gt;-principal</c> is not a service account.
/// </summary>
public sealed class TLSRequiresServiceAccount : ISpecValidator
{
    public IEnumerable<SpecValidationError> Validate(ServiceSpec? previous, ServiceSpec next)
    {
        if (!string.IsNullOrEmpty(next.Principal))
        {
            yield break;
        }

        var encrypted = next.Pods
            .SelectMany(pod => pod.Tasks.Where(t => !t.TransportEncryption.IsDefaultOrEmpty).Select(t => $"{pod.Type}.{t.Name}"))
            .ToList();
        if (encrypted.Count > 0)
        {
            yield return SpecValidationError.Change("scheduler.principal", previous?.Principal, next.Principal,
                $"{(encrypted.Count == 1 ? "Task" : "Tasks")} {string.Join(", ", encrypted.Select(t => $"'{t}'"))} " +
                $"{(encrypted.Count == 1 ? "uses" : "use")} transport-encryption, which needs a service account to obtain " +
                "certificates: set scheduler.principal to the principal of the service's service account, or remove " +
                "transport-encryption");
        }
    }
}
