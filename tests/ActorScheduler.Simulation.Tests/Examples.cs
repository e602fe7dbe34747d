namespace ActorScheduler.Simulation.Tests;

/// <summary>Paths of the bundled example specs (found from the test's output directory up to the repository).</summary>
internal static class Examples
{
    public static string Spec(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name, "svc.yml");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"examples/{name}/svc.yml not found above {AppContext.BaseDirectory}");
    }
}
