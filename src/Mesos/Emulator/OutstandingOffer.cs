using ActorScheduler.Messages.MesosV1;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>An offer sent and not yet accepted, declined or rescinded; resources in internal form.</summary>
internal sealed record OutstandingOffer(OfferID Id, string FrameworkId, string Role, LocalAgent Agent, ResourcePool Resources);

/// <summary>A refusal installed by DECLINE or by the unused part of an ACCEPT.</summary>
internal sealed record OfferFilter(string FrameworkId, string Role, string AgentId, ResourcePool Resources, DateTimeOffset Expires);
