using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Specs;

namespace ActorScheduler.Hosting.Cli;

/// <summary><c>actorscheduler validate</c> and <c>actorscheduler render</c>: the spec language without running anything.</summary>
public static class SpecCommands
{
    /// <summary>
    /// Prints "valid" (exit 0) or every located error (exit 1). With <paramref name="previousPath"/>, also checks the
    /// spec as an update of that one (volumes cannot change, pods cannot shrink without allow-decommission, …), rendered
    /// with its own defaults file and the environment but not <paramref name="overrides"/>.
    /// </summary>
    public static async Task<int> ValidateAsync(string specPath, IReadOnlyList<string> overrides, TextWriter output, TextWriter error, string? previousPath = null)
    {
        var (next, nextExit) = await LoadAsync(specPath, overrides, error);
        if (next is null)
        {
            return nextExit;
        }

        ActorScheduler.Specs.Model.ServiceSpec? previous = null;
        if (previousPath is not null)
        {
            // The -o values are the change being checked: the previous spec is rendered without them.
            var (old, oldExit) = await LoadAsync(previousPath, [], error);
            if (old is null)
            {
                return oldExit;
            }

            previous = old.Spec;
        }

        var refusals = ActorScheduler.Specs.Validation.SpecValidators.Validate(previous, next.Spec!);
        foreach (var refusal in refusals)
        {
            await error.WriteLineAsync($"error: {(object?)next.Locate(refusal) ?? refusal}");
        }

        if (!refusals.IsEmpty)
        {
            return 1;
        }

        await output.WriteLineAsync("valid");
        return 0;
    }

    /// <summary>Prints the rendered spec and its plans as trees, or (<paramref name="json"/>) both as JSON.</summary>
    public static async Task<int> RenderAsync(string specPath, IReadOnlyList<string> overrides, bool json, TextWriter output, TextWriter error)
    {
        var (loaded, exit) = await LoadAsync(specPath, overrides, error);
        if (loaded is null)
        {
            return exit;
        }

        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { rendered = loaded.RenderedText, spec = loaded.Spec }, SpecJson.Options));
            return 0;
        }

        await output.WriteAsync(loaded.RenderedText);
        if (!loaded.RenderedText!.EndsWith('\n'))
        {
            await output.WriteLineAsync();
        }

        foreach (var plan in loaded.Spec!.Plans)
        {
            await output.WriteLineAsync();
            await output.WriteAsync(PlanTree.Render(plan));
        }

        return 0;
    }

    /// <summary>
    /// Renders and loads a spec file, printing every located error: the spec, or the command's exit code when it has
    /// errors (1), or when an <c>-o</c> is no KEY=VALUE (2, bad arguments, as for <c>run</c>).
    /// </summary>
    internal static async Task<(SpecLoadResult? Loaded, int Exit)> LoadAsync(string specPath, IReadOnlyList<string> overrides, TextWriter error)
    {
        if (!Overrides.TryParse(overrides, out var values, out var overrideError))
        {
            await error.WriteLineAsync($"error: {overrideError}");
            return (null, 2);
        }

        var loaded = ServiceSpecLoader.LoadFile(specPath, values);
        foreach (var e in loaded.Errors)
        {
            await error.WriteLineAsync($"error: {e}");
        }

        return loaded.IsValid ? (loaded, 0) : (null, 1);
    }
}
