using System.Text;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Hosting.Cli;

/// <summary>Renders a plan as a tree, exactly like the DC/OS CLI's <c>plan status</c>.</summary>
public static class PlanTree
{
    public static string Render(PlanInfo plan)
    {
        var text = new StringBuilder();
        text.Append($"{plan.Name} ({plan.Strategy} strategy) ({plan.Status.ToWireName()})\n");
        for (var p = 0; p < plan.Phases.Length; p++)
        {
            var phase = plan.Phases[p];
            var lastPhase = p == plan.Phases.Length - 1;
            text.Append(lastPhase ? "└─ " : "├─ ").Append($"{phase.Name} ({phase.Strategy} strategy) ({phase.Status.ToWireName()})\n");
            for (var s = 0; s < phase.Steps.Length; s++)
            {
                var step = phase.Steps[s];
                text.Append(lastPhase ? "   " : "│  ")
                    .Append(s == phase.Steps.Length - 1 ? "└─ " : "├─ ")
                    .Append($"{step.Name} ({step.Status.ToWireName()})\n");
            }
        }

        foreach (var error in plan.Errors)
        {
            text.Append($"ERROR: {error}\n");
        }

        return text.ToString();
    }
}
