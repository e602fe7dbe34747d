using System.Collections;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Mesos.Emulator;
using ActorScheduler.Specs.Templating;

namespace ActorScheduler.Hosting.Cli;

/// <summary>
/// <c>actorscheduler bootstrap</c>, run by a task in its sandbox (the DC/OS SDK's <c>bootstrap</c> binary, layer 3 of its
/// templating): renders each config template the scheduler named in a <c>CONFIG_TEMPLATE_&lt;NAME&gt;=&lt;template&gt;,&lt;dest&gt;</c>
/// variable — the template fetched into the sandbox by the Mesos fetcher — with the task's environment, into dest.
/// </summary>
public static class BootstrapCommand
{
    /// <param name="environment">The task's environment (the process's own).</param>
    /// <param name="printEnv">First print the environment, sorted, one <c>NAME=value</c> a line.</param>
    /// <param name="template">Render the templates (false: <c>--no-template</c>, nothing is rendered).</param>
    /// <param name="allowMissing">Render a value the environment lacks as empty (DC/OS's bootstrap) instead of failing.</param>
    /// <returns>0 when every template rendered; 1 after an error line for each that did not.</returns>
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> environment, bool printEnv, bool template, bool allowMissing, TextWriter output, TextWriter error)
    {
        if (printEnv)
        {
            foreach (var (name, value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"{name}={value}");
            }
        }

        if (!template)
        {
            return 0;
        }

        var sandbox = Path.GetFullPath(environment.TryGetValue("MESOS_SANDBOX", out var dir) && dir.Length > 0 ? dir : Directory.GetCurrentDirectory());
        var failed = false;
        foreach (var (name, value) in environment.Where(e => e.Key.StartsWith(ConfigTemplateUris.VariablePrefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var problem in await RenderOneAsync(sandbox, name, value, environment, allowMissing, output))
            {
                failed = true;
                await error.WriteLineAsync($"error: {name}: {problem}");
            }
        }

        return failed ? 1 : 0;
    }

    /// <summary>The process environment as a dictionary.</summary>
    public static Dictionary<string, string> ProcessEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            env[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return env;
    }

    /// <summary>Renders one template; the problems, if any (nothing is written then).</summary>
    private static async Task<IReadOnlyList<string>> RenderOneAsync(
        string sandbox, string name, string value, IReadOnlyDictionary<string, string> environment, bool allowMissing, TextWriter output)
    {
        var parts = value.Split(',');
        if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
        {
            return [$"expected '<template>,<destination>' (two paths relative to the sandbox), got '{value}'"];
        }

        var (source, destination) = (parts[0].Trim(), parts[1].Trim());
        if (SandboxPath.Resolve(sandbox, source) is not { } sourcePath)
        {
            return [$"template '{source}' is not a path inside the sandbox {sandbox}"];
        }

        if (SandboxPath.Resolve(sandbox, destination) is not { } destinationPath)
        {
            return [$"destination '{destination}' is not a path inside the sandbox {sandbox}"];
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(sourcePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [$"template file '{source}' not found in the sandbox {sandbox} (the Mesos fetcher downloads it there from the task's URI)"];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"cannot read template file '{source}': {e.Message}"];
        }

        var (rendered, errors) = ConfigTemplateRenderer.Render(text, source, environment, allowMissing);
        if (rendered is null)
        {
            return errors.Select(e => e.ToString()).ToList();
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destinationPath)!);
            await File.WriteAllTextAsync(destinationPath, rendered);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [$"cannot write '{destination}': {e.Message}"];
        }

        await output.WriteLineAsync($"rendered {source} to {destination}");
        return [];
    }
}
