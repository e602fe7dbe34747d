using System.Text.RegularExpressions;

namespace ActorScheduler.Simulation;

/// <summary>
/// Where a simulated agent is, as a Mesos agent's <c>--domain</c> says: a zone in a region. Offers carry it
/// (<c>Offer.domain.fault_domain</c>), so <c>@zone</c> / <c>@region</c> placement rules and <c>SERVICE_REGION</c> see it.
/// </summary>
/// <param name="Region">The region name (<c>us-east-1</c>).</param>
/// <param name="Zone">The zone name (<c>us-east-1a</c>); zone names are unique across regions, as in Mesos.</param>
public sealed partial record FaultDomain(string Region, string Zone)
{
    /// <inheritdoc />
    public override string ToString() => $"{Zone} in {Region}";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the bad part when a name is empty or not a plain name.</summary>
    internal void Validate()
    {
        Check(Region, "region");
        Check(Zone, "zone");

        static void Check(string? name, string what)
        {
            if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            {
                throw new ArgumentException($"A fault domain's {what} name must be non-empty and use only a-z A-Z 0-9 _ . - (got '{name}')");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex NamePattern();
}
