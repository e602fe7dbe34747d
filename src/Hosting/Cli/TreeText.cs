using System.Text;

namespace ActorScheduler.Hosting.Cli;

/// <summary>A node of a tree printed like the DC/OS CLI (plan and pod status).</summary>
public sealed record TreeNode(string Label, IReadOnlyList<TreeNode> Children)
{
    public TreeNode(string label)
        : this(label, Array.Empty<TreeNode>())
    {
    }
}

/// <summary>Draws trees with <c>├─ </c>, <c>└─ </c> and <c>│  </c> guides, one line per node.</summary>
public static class TreeText
{
    public static StringBuilder Render(TreeNode root)
    {
        var text = new StringBuilder().Append(root.Label).Append('\n');
        Children(text, root.Children, string.Empty);
        return text;
    }

    private static void Children(StringBuilder text, IReadOnlyList<TreeNode> children, string indent)
    {
        for (var i = 0; i < children.Count; i++)
        {
            var last = i == children.Count - 1;
            text.Append(indent).Append(last ? "└─ " : "├─ ").Append(children[i].Label).Append('\n');
            Children(text, children[i].Children, indent + (last ? "   " : "│  "));
        }
    }
}
