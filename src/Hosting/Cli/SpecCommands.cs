using System.Collections.Immutable;
using System.Text.Json;
using ActorScheduler.Hosting.Api;
using ActorScheduler.Specs;

namespace ActorScheduler.Hosting.Cli;

/// <summary><c>actorscheduler validate</c> and <c>actorscheduler render</c>: the spec language without running anything.</summary>
public static class SpecCommands
{
    /// <summary>
    /// Prints "valid" (exit 0) or every located error (exit 1); with <paramref name="json"/>, one JSON document on
    /// <paramref name="output"/> instead: <c>{"valid": …, "errors": [{"file", "line", "column", "path", "message"}, …]}</c>,
    /// same exit codes. With <paramref name="previousPath"/>, also checks the spec as an update of that one (volumes
    /// cannot change, pods cannot shrink without allow-decommission, …), rendered with its own defaults file and the
    /// environment but not <paramref name="overrides"/>. An <c>-o</c> that is no KEY=VALUE is bad arguments: one
    /// <c>error:</c> line on <paramref name="error"/> and exit 2, with <paramref name="json"/> too, as the parser's errors.
    /// </summary>
    public static async Task<int> ValidateAsync(string specPath, IReadOnlyList<string> overrides, TextWriter output, TextWriter error, string? previousPath = null, bool json = false)
    {
        if (!Overrides.TryParse(overrides, out var values, out var overrideError))
        {
            await error.WriteLineAsync($"error: {overrideError}");
            return 2;
        }

        var errors = Check(specPath, values, previousPath);
        if (json)
        {
            var body = new
            {
                valid = errors.IsEmpty,
                errors = errors.Select(e => new { file = e.File, line = e.Line, column = e.Column, path = e.Path, message = e.Message }),
            };
            await output.WriteLineAsync(JsonSerializer.Serialize(body, CliJson.Indented));
        }
        else if (errors.IsEmpty)
        {
            await output.WriteLineAsync("valid");
        }
        else
        {
            foreach (var e in errors)
            {
                await error.WriteLineAsync($"error: {e}");
            }
        }

        return errors.IsEmpty ? 0 : 1;
    }

    /// <summary>
    /// What <c>validate</c> finds, in the order it prints it: the spec's load errors; else those of the previous spec;
    /// else the update checks' refusals, each placed in the spec file. Empty: valid.
    /// </summary>
    internal static ImmutableArray<SpecError> Check(string specPath, IReadOnlyDictionary<string, string> values, string? previousPath)
    {
        var next = ServiceSpecLoader.LoadFile(specPath, values);
        if (!next.IsValid)
        {
            return next.Errors;
        }

        ActorScheduler.Specs.Model.ServiceSpec? previous = null;
        if (previousPath is not null)
        {
            // The -o values are the change being checked: the previous spec is rendered without them.
            var old = ServiceSpecLoader.LoadFile(previousPath);
            if (!old.IsValid)
            {
                return old.Errors;
            }

            previous = old.Spec;
        }

        // A spec loaded from a file always has its source to place a refusal in; the start of the file otherwise.
        return [.. ActorScheduler.Specs.Validation.SpecValidators.Validate(previous, next.Spec!)
            .Select(refusal => next.Locate(refusal) ?? new SpecError(specPath, 1, 1, refusal.Field, refusal.Message))];
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
