using ActorScheduler.Messages.MesosV1;
using Variable = ActorScheduler.Messages.MesosV1.Environment.Types.Variable;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// What a local agent does with a task's container settings before its command starts, in the order of a Mesos agent's
/// isolators: SECRET environment variables resolved, the executor's and the task's volumes prepared
/// (<see cref="ContainerVolumes"/>), rlimits turned into a <c>prlimit</c> wrapper (<see cref="ProcessLimits"/>). The
/// rest cannot be had without a container and is accepted, not enforced: an image is not pulled (the command runs on the
/// host, and its TASK_RUNNING says so), <c>linux_info</c> (shared PID namespace, seccomp, IPC mode, /dev/shm size) and
/// network infos are ignored; the notes name each for the agent's log. A failure is the isolator's message, which the
/// agent reports as TASK_FAILED (REASON_CONTAINER_LAUNCH_FAILED, <c>Failed to launch container: …</c>).
/// </summary>
/// <param name="SecretVariables">
/// The value of each SECRET variable of the executor's and the task's command, resolved once here: the environment is
/// built from these, so the value the task gets is the value that was checked (a secret file read twice could differ).
/// </param>
internal sealed record ContainerLaunch(List<string>? LimitOptions, string? RunningMessage, List<string> Notes, IReadOnlyDictionary<Variable, string>? SecretVariables)
{
    /// <summary>Whether the task has anything to prepare: a container of its own or its executor's, or a SECRET variable.</summary>
    public static bool Needed(TaskInfo task, ExecutorInfo? executor) =>
        task.Container is not null || executor?.Container is not null
        || (task.Command?.Environment is { } env && HasSecret(env)) || (executor?.Command?.Environment is { } executorEnv && HasSecret(executorEnv));

    /// <summary>Prepares the task's container; null with the message in <paramref name="error"/> when it cannot be.</summary>
    /// <param name="executorSandbox">The sandbox of the task's executor (task groups), where its volumes go.</param>
    public static ContainerLaunch? Prepare(TaskInfo task, ExecutorInfo? executor, ContainerVolumes.Target taskTarget, string? executorSandbox,
        ProcessLimits.HostLimits limits, bool prlimitAvailable, out string? error)
    {
        var notes = new List<string>();
        var secrets = ResolveSecrets(task, executor, taskTarget.Secrets, out error);
        if (error is null && executor?.Container is { } executorContainer && executorSandbox is not null)
        {
            Directory.CreateDirectory(executorSandbox);
            error = ContainerVolumes.Prepare(executorContainer,
                taskTarget with { Sandbox = executorSandbox, ContainerId = executor.ExecutorId.Value, Nested = false, ParentSource = null }, notes);
            if (executorContainer.NetworkInfos.Count > 0)
            {
                notes.Add("the executor's network infos are not applied (tasks use the host network)");
            }
        }

        if (error is not null)
        {
            return null;
        }

        if (task.Container is not { } container)
        {
            return new ContainerLaunch(null, null, notes, secrets);
        }

        Directory.CreateDirectory(taskTarget.Sandbox);
        error = ContainerVolumes.Prepare(container, taskTarget, notes);
        List<string>? limitOptions = null;
        if (error is null && container.RlimitInfo is { } rlimits)
        {
            limitOptions = prlimitAvailable
                ? ProcessLimits.Options(rlimits, limits, out error)
                : null;
            error ??= prlimitAvailable ? null : "rlimits need the 'prlimit' command (util-linux), which is not on this host's PATH";
        }

        if (error is not null)
        {
            return null;
        }

        var image = container.Mesos?.Image is { } mesosImage ? ImageName(mesosImage) : container.Docker?.Image;
        var running = image is null ? null : $"Image '{image}' was not pulled: the emulator's agents run no containers, so the command runs on the host";
        if (running is not null)
        {
            notes.Add(running);
        }

        if (container.LinuxInfo is { } linux && LinuxSettings(linux).ToList() is { Count: > 0 } settings)
        {
            notes.Add("linux_info is not enforced (" + string.Join(", ", settings) + ")");
        }

        if (container.NetworkInfos.Count > 0)
        {
            notes.Add("network infos are not applied (the task uses the host network)");
        }

        return new ContainerLaunch(limitOptions, running, notes, secrets);
    }

    /// <summary>
    /// The values of the SECRET variables of the executor's and the task's command, each read once; null when there are
    /// none, or when one does not resolve to text the environment can hold (the resolver's message in <paramref name="error"/>).
    /// </summary>
    public static Dictionary<Variable, string>? ResolveSecrets(TaskInfo task, ExecutorInfo? executor, SecretStore secrets, out string? error)
    {
        error = null;
        Dictionary<Variable, string>? values = null;
        var variables = (executor?.Command?.Environment?.Variables ?? Enumerable.Empty<Variable>())
            .Concat(task.Command?.Environment?.Variables ?? Enumerable.Empty<Variable>());
        foreach (var variable in variables)
        {
            if (variable.Type != Variable.Types.Type.Secret || values?.ContainsKey(variable) == true)
            {
                continue;
            }

            if (secrets.Resolve(variable.Secret, out error) is not { } value)
            {
                return null;
            }

            if (value.AsSpan().Contains((byte)0))
            {
                error = $"Environment variable '{variable.Name}' specifies a secret containing null bytes, which is not allowed in the environment";
                return null;
            }

            (values ??= []).Add(variable, System.Text.Encoding.UTF8.GetString(value));
        }

        return values;
    }

    private static bool HasSecret(Messages.MesosV1.Environment environment)
    {
        var variables = environment.Variables;
        for (var i = 0; i < variables.Count; i++)
        {
            if (variables[i].Type == Variable.Types.Type.Secret)
            {
                return true;
            }
        }

        return false;
    }

    private static string ImageName(Image image) => image.Docker?.Name ?? image.Appc?.Name ?? image.Type.ToString();

    private static IEnumerable<string> LinuxSettings(LinuxInfo linux)
    {
        if (linux.HasShareCgroups)
        {
            yield return $"share_cgroups {(linux.ShareCgroups ? "true" : "false")}";
        }

        if (linux.HasSharePidNamespace)
        {
            yield return $"share_pid_namespace {(linux.SharePidNamespace ? "true" : "false")}";
        }

        if (linux.Seccomp is { } seccomp)
        {
            yield return seccomp.Unconfined ? "seccomp unconfined" : $"seccomp profile '{seccomp.ProfileName}'";
        }

        if (linux.HasIpcMode)
        {
            yield return $"ipc_mode {linux.IpcMode}";
        }

        if (linux.HasShmSize)
        {
            yield return $"shm_size {linux.ShmSize} MB";
        }
    }
}
