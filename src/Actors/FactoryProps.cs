using Akka.Actor;

namespace ActorScheduler.Actors;

/// <summary>
/// Props that make their actor with a plain factory delegate. <c>Props.Create(() =&gt; new T(...))</c> takes the lambda
/// apart as an expression tree and builds every instance by reflection, which cost the scheduler ~0.1 ms for each of the
/// 20,000 pod and step actors of a 10,000-pod service. For actors of this process only (not remote deployment).
/// </summary>
internal static class FactoryProps
{
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase =>
        Props.CreateBy(new Producer<TActor>(factory));

    private sealed class Producer<TActor>(Func<TActor> factory) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor)
        {
        }
    }
}
