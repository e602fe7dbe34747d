using ActorScheduler.Messages.MesosV1;
using SourceType = ActorScheduler.Messages.MesosV1.Volume.Types.Source.Types.Type;
using Variable = ActorScheduler.Messages.MesosV1.Environment.Types.Variable;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The master's validation of a task's environment and <c>ContainerInfo</c> and of a DEFAULT executor's container
/// (Mesos <c>common/validation.cpp</c>, <c>master/validation.cpp</c>), with its messages: a task that fails it gets
/// TASK_ERROR. What the master leaves to the agent's isolators (paths, secret resolution, volume drivers) is checked
/// when the agent prepares the container (<see cref="ContainerVolumes"/>) and fails the task there.
/// </summary>
internal static class ContainerValidation
{
    /// <summary>Why the task's command environment or container is invalid, or null (no allocation when valid).</summary>
    public static string? ValidateTask(TaskInfo task, bool groupMember)
    {
        if (task.Command?.Environment is { } environment && ValidateEnvironment(environment) is { } envError)
        {
            return "Task's `CommandInfo` is invalid: " + envError;
        }

        if (task.Container is not { } container)
        {
            return null;
        }

        if (ValidateContainerInfo(container) is { } containerError)
        {
            return "Task's `ContainerInfo` is invalid: " + containerError;
        }

        return groupMember && container.Type == ContainerInfo.Types.Type.Docker ? "Docker ContainerInfo is not supported on the task" : null;
    }

    /// <summary>Why a DEFAULT executor's container is invalid, or null.</summary>
    public static string? ValidateDefaultExecutor(ExecutorInfo executor)
    {
        if (executor.Container is not { } container)
        {
            return null;
        }

        if (container.Type != ContainerInfo.Types.Type.Mesos)
        {
            return "'ExecutorInfo.container.type' must be 'MESOS' for 'DEFAULT' executor";
        }

        if (container.Mesos?.Image is not null)
        {
            return "'ExecutorInfo.container.mesos.image' must not be set for 'DEFAULT' executor";
        }

        return ValidateContainerInfo(container) is { } error ? "Executor's `ContainerInfo` is invalid: " + error : null;
    }

    /// <summary>The master's environment rules: a VALUE variable carries a value, a SECRET one a valid secret.</summary>
    public static string? ValidateEnvironment(Messages.MesosV1.Environment environment)
    {
        // Indexed: a RepeatedField's enumerator is an object, and every task of a storm passes here.
        var variables = environment.Variables;
        for (var i = 0; i < variables.Count; i++)
        {
            var variable = variables[i];
            switch (variable.Type)
            {
                case Variable.Types.Type.Secret:
                    if (variable.Secret is null)
                    {
                        return $"Environment variable '{variable.Name}' of type 'SECRET' must have a secret set";
                    }

                    if (variable.HasValue)
                    {
                        return $"Environment variable '{variable.Name}' of type 'SECRET' must not have a value set";
                    }

                    if (ValidateSecret(variable.Secret) is { } secretError)
                    {
                        return $"Environment variable '{variable.Name}' specifies an invalid secret: {secretError}";
                    }

                    if (variable.Secret.Value is { } value && value.Data.Span.Contains((byte)0))
                    {
                        return $"Environment variable '{variable.Name}' specifies a secret containing null bytes, which is not allowed in the environment";
                    }

                    break;
                case Variable.Types.Type.Value:
                    if (!variable.HasValue)
                    {
                        return $"Environment variable '{variable.Name}' of type 'VALUE' must have a value set";
                    }

                    if (variable.Secret is not null)
                    {
                        return $"Environment variable '{variable.Name}' of type 'VALUE' must not have a secret set";
                    }

                    break;
                default:
                    return "Environment variable of type 'UNKNOWN' is not allowed";
            }
        }

        return null;
    }

    /// <summary>A REFERENCE secret has a reference and no value, a VALUE secret the other way round.</summary>
    public static string? ValidateSecret(Secret secret) => secret.Type switch
    {
        Secret.Types.Type.Reference when secret.Reference is null => "Secret of type REFERENCE must have the 'reference' field set",
        Secret.Types.Type.Reference when secret.Value is not null =>
            $"Secret '{secret.Reference!.Name}' of type REFERENCE must not have the 'value' field set",
        Secret.Types.Type.Value when secret.Value is null => "Secret of type VALUE must have the 'value' field set",
        Secret.Types.Type.Value when secret.Reference is not null => "Secret of type VALUE must not have the 'reference' field set",
        _ => null,
    };

    /// <summary>Exactly one of <c>host_path</c>, <c>image</c> and <c>source</c>, and a source with its own field set.</summary>
    public static string? ValidateVolume(Volume volume)
    {
        var set = (volume.HasHostPath ? 1 : 0) + (volume.Image is null ? 0 : 1) + (volume.Source is null ? 0 : 1);
        if (set != 1)
        {
            return "Only one of them should be set: 'host_path', 'image' and 'source'";
        }

        return volume.Source switch
        {
            null => null,
            { Type: SourceType.DockerVolume, DockerVolume: null } => "'source.docker_volume' is not set for DOCKER_VOLUME volume",
            { Type: SourceType.HostPath, HostPath: null } => "'source.host_path' is not set for HOST_PATH volume",
            { Type: SourceType.SandboxPath, SandboxPath: null } => "'source.sandbox_path' is not set for SANDBOX_PATH volume",
            { Type: SourceType.Secret, Secret: null } => "'source.secret' is not set for SECRET volume",
            // csi_volume is not modelled, so a CSI_VOLUME source never has it.
            { Type: SourceType.CsiVolume } => "'source.csi_volume' is not set for CSI volume",
            { Type: SourceType.DockerVolume or SourceType.HostPath or SourceType.SandboxPath or SourceType.Secret } => null,
            _ => "'source.type' is unknown",
        };
    }

    /// <summary>Every volume valid; a DOCKER container has its <c>docker</c> info, without a <c>name</c> parameter.</summary>
    public static string? ValidateContainerInfo(ContainerInfo container)
    {
        var volumes = container.Volumes;
        for (var i = 0; i < volumes.Count; i++)
        {
            if (ValidateVolume(volumes[i]) is { } error)
            {
                return "Invalid volume: " + error;
            }
        }

        if (container.Type == ContainerInfo.Types.Type.Docker)
        {
            if (container.Docker is null)
            {
                return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
            }

            if (container.Docker.Parameters.Any(p => p.Key == "name"))
            {
                return "Parameter in DockerInfo must not be 'name'";
            }
        }

        return null;
    }
}
