using ActorScheduler.Messages.MesosV1;
using SandboxPathType = ActorScheduler.Messages.MesosV1.Volume.Types.Source.Types.SandboxPath.Types.Type;
using SourceType = ActorScheduler.Messages.MesosV1.Volume.Types.Source.Types.Type;

namespace ActorScheduler.Mesos.Emulator;

/// <summary>
/// The volumes of a container's <c>ContainerInfo</c> on a local agent, as the Mesos volume isolators prepare them, with
/// their messages — but a plain process has no mount namespace, so each volume is a symlink (a SECRET one a file) in the
/// sandbox, as Mesos's own POSIX filesystem isolator links persistent and SANDBOX_PATH volumes:
/// <list type="bullet">
/// <item>HOST_PATH (and the legacy absolute <c>host_path</c>): a link to the host path, which must exist;</item>
/// <item>SANDBOX_PATH (and the legacy relative <c>host_path</c>): SELF, a link to a directory of the sandbox; PARENT,
/// only for the tasks of a task group, a link to the executor's sandbox directory (its persistent volume when one is
/// at that path);</item>
/// <item>DOCKER_VOLUME: the emulator plays one volume driver shared by every agent: a directory per (driver, name)
/// under the data dir, so the volume follows a task to another agent; driver options are kept, not interpreted;</item>
/// <item>SECRET: a file holding the resolved secret, mode 0400 (RO) or 0600 (RW).</item>
/// </list>
/// A relative container path is in the sandbox; an absolute one (<c>/etc/app</c>), which Mesos mounts over the host's
/// own path, lands at the same path under the sandbox (<c>$MESOS_SANDBOX/etc/app</c>), and a note says so. RO is not
/// enforced (Mesos warns alike for linked volumes). Image volumes are refused: no image is pulled.
/// </summary>
internal static class ContainerVolumes
{
    /// <summary>Where a container's volumes go and what they may refer to.</summary>
    /// <param name="ContainerId">The container as messages name it (the task's id, or the executor's).</param>
    /// <param name="Nested">A task of a task group (a nested container of the DEFAULT executor).</param>
    /// <param name="ParentSource">For a nested container: the directory of its executor's sandbox path (SANDBOX_PATH PARENT).</param>
    public sealed record Target(string Sandbox, string ContainerId, bool Nested, Func<string, string>? ParentSource, SecretStore Secrets, string? DockerVolumeRoot);

    /// <summary>Prepares every volume of <paramref name="container"/>; the isolator's message on the first failure, else null.</summary>
    public static string? Prepare(ContainerInfo container, Target target, List<string> notes)
    {
        HashSet<(string, string)>? dockerVolumes = null;
        foreach (var volume in container.Volumes)
        {
            if (ContainerValidation.ValidateVolume(volume) is { } invalid)
            {
                return "Invalid volume: " + invalid;
            }

            if (volume.Image is not null)
            {
                return $"Image volume at '{volume.ContainerPath}' is not supported: the emulator's agents pull no images";
            }

            if (Place(target.Sandbox, volume.ContainerPath, notes, out var error) is not { } at)
            {
                return error;
            }

            if (volume.Mode == Volume.Types.Mode.Ro && volume.Source?.Type != SourceType.Secret)
            {
                notes.Add($"read-only volume '{volume.ContainerPath}' is writable (no read-only mount without a container)");
            }

            error = volume switch
            {
                { HasHostPath: true } when Path.IsPathRooted(volume.HostPath) => HostPath(volume.HostPath, at),
                { HasHostPath: true } => SandboxDir(new Volume.Types.Source.Types.SandboxPath { Type = SandboxPathType.Self, Path = volume.HostPath }, at, target, volume.ContainerPath),
                { Source.Type: SourceType.HostPath } => Path.IsPathRooted(volume.Source.HostPath.Path)
                    ? HostPath(volume.Source.HostPath.Path, at)
                    : $"Path '{volume.Source.HostPath.Path}' in HOST_PATH volume is not absolute",
                { Source.Type: SourceType.SandboxPath } => SandboxDir(volume.Source.SandboxPath, at, target, volume.ContainerPath),
                { Source.Type: SourceType.DockerVolume } => DockerVolume(volume.Source.DockerVolume, at, target, dockerVolumes ??= []),
                { Source.Type: SourceType.Secret } => SecretFile(volume.Source.Secret, volume.Mode, at, target.Secrets),
                _ => null,
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>The directory the emulator keeps a Docker volume in: <c>&lt;root&gt;/&lt;driver&gt;/&lt;name&gt;</c>.</summary>
    public static string DockerVolumeDir(string root, string driver, string name) => Path.Combine(root, driver, name);

    /// <summary>
    /// Makes <paramref name="link"/> a symlink to <paramref name="target"/>, replacing a file, link or directory there
    /// (a sandbox reused by a relaunch); a link onto itself is a directory.
    /// </summary>
    public static void Link(string link, string target)
    {
        if (string.Equals(Path.TrimEndingDirectorySeparator(link), Path.TrimEndingDirectorySeparator(target), StringComparison.Ordinal))
        {
            Directory.CreateDirectory(link);
            return;
        }

        Remove(link);
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, target);
    }

    /// <summary>Where a volume goes in the sandbox: a relative path in it, an absolute one at that path under it.</summary>
    private static string? Place(string sandbox, string containerPath, List<string> notes, out string? error)
    {
        error = null;
        var relative = containerPath.TrimStart('/');
        if (SandboxPath.Resolve(sandbox, relative) is not { } at)
        {
            error = $"Container path '{containerPath}' does not name a path in the sandbox";
            return null;
        }

        if (relative.Length != containerPath.Length)
        {
            notes.Add($"volume '{containerPath}' is at $MESOS_SANDBOX/{relative} (an absolute container path needs a mount namespace)");
        }

        return at;
    }

    private static string? HostPath(string hostPath, string at)
    {
        if (!File.Exists(hostPath) && !Directory.Exists(hostPath))
        {
            return $"Path '{hostPath}' in HOST_PATH volume does not exist";
        }

        Link(at, hostPath);
        return null;
    }

    private static string? SandboxDir(Volume.Types.Source.Types.SandboxPath source, string at, Target target, string containerPath)
    {
        if (Path.IsPathRooted(source.Path))
        {
            return $"Path '{source.Path}' in SANDBOX_PATH volume is absolute";
        }

        string? root;
        switch (source.Type)
        {
            case SandboxPathType.Self:
                // Mesos: a relative container path is the sandbox itself, a symlink the task can make.
                if (!Path.IsPathRooted(containerPath))
                {
                    return "'container_path' is relative for SANDBOX_PATH volume SELF type";
                }

                root = SandboxPath.Resolve(target.Sandbox, source.Path);
                break;
            case SandboxPathType.Parent:
                if (!target.Nested || target.ParentSource is null)
                {
                    return "SANDBOX_PATH volume PARENT type only works for nested container";
                }

                root = SandboxPath.Resolve(target.Sandbox, source.Path) is null ? null : target.ParentSource(source.Path);
                break;
            default:
                return "Unknown SANDBOX_PATH volume type";
        }

        if (root is null)
        {
            return $"Path '{source.Path}' in SANDBOX_PATH volume is outside the sandbox";
        }

        Directory.CreateDirectory(root);
        Link(at, root);
        return null;
    }

    private static string? DockerVolume(Volume.Types.Source.Types.DockerVolume source, string at, Target target, HashSet<(string, string)> seen)
    {
        if (!source.HasDriver)
        {
            return $"The volume driver is not specified for volume '{source.Name}' with container {target.ContainerId}";
        }

        if (!IsPlainName(source.Driver) || !IsPlainName(source.Name))
        {
            return $"Docker volume with driver '{source.Driver}' and name '{source.Name}': the emulator's volume driver needs a non-empty driver "
                + "and name without '/' that are not '.' or '..'";
        }

        if (!seen.Add((source.Driver, source.Name)))
        {
            return $"Found duplicate docker volume with driver '{source.Driver}' and name '{source.Name}'";
        }

        if (target.DockerVolumeRoot is not { } root)
        {
            return "The emulator has no directory for Docker volumes";
        }

        var dir = DockerVolumeDir(root, source.Driver, source.Name);
        Directory.CreateDirectory(dir);
        Link(at, dir);
        return null;
    }

    private static string? SecretFile(Secret secret, Volume.Types.Mode mode, string at, SecretStore secrets)
    {
        if (ContainerValidation.ValidateSecret(secret) is { } invalid)
        {
            return "Invalid secret specified in volume: " + invalid;
        }

        if (secrets.Resolve(secret, out var error) is not { } value)
        {
            return error;
        }

        Remove(at);
        Directory.CreateDirectory(Path.GetDirectoryName(at)!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Never readable by others, not even while it is written.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(at, options))
        {
            file.Write(value);
        }

        if (mode == Volume.Types.Mode.Ro && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(at, UnixFileMode.UserRead);
        }

        return null;
    }

    private static bool IsPlainName(string name) => name.Length > 0 && name is not ("." or "..") && !name.Contains('/') && !name.Contains('\0');

    private static void Remove(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            info.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
