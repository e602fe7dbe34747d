using System.Text;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Hosting.Cli;

/// <summary>Renders plans as trees, like the DC/OS CLI's <c>plan status</c>.</summary>
public static class PlanTree
{
    /// <summary>
    /// A running plan, with statuses and errors; a PREPARED step (offers evaluated, none fitted yet) also shows its
    /// message — why the offers do not fit — where the DC/OS CLI shows only the status.
    /// </summary>
    public static string Render(PlanInfo plan)
    {
        var text = Draw(
            $"{plan.Name} ({plan.Strategy} strategy) ({plan.Status.ToWireName()})",
            plan.Phases.Select(phase => (
                $"{phase.Name} ({phase.Strategy} strategy) ({phase.Status.ToWireName()})",
                phase.Steps.Select(step => step.Status == Status.Prepared && step.Message.Length > 0
                    ? $"{step.Name} ({step.Status.ToWireName()}) {step.Message}"
                    : $"{step.Name} ({step.Status.ToWireName()})"))));
        foreach (var error in plan.Errors)
        {
            text.Append($"ERROR: {error}\n");
        }

        return text.ToString();
    }

    /// <summary>A plan as the spec defines it (no statuses yet).</summary>
    public static string Render(PlanSpec plan) => Draw(
        $"{plan.Name} ({Strategy.DisplayName(plan.Strategy)} strategy)",
        plan.Phases.Select(phase => (
            $"{phase.Name} ({Strategy.DisplayName(phase.Strategy)} strategy)",
            phase.Steps.Select(step => step.Name)))).ToString();

    private static StringBuilder Draw(string root, IEnumerable<(string Phase, IEnumerable<string> Steps)> phases) =>
        TreeText.Render(new TreeNode(root, phases.Select(p => new TreeNode(p.Phase, p.Steps.Select(s => new TreeNode(s)).ToList())).ToList()));
}
