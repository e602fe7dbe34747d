namespace ActorScheduler.Messages.MesosV1;

/// <summary>
/// Random (version 4, RFC 9562) UUIDs for the ids the scheduler and the emulator mint per launch: task, executor and
/// resource ids, status-update uuids. <see cref="Guid.NewGuid"/> asks the kernel for 16 random bytes on every call (a
/// system call, ~2 % of a storm deploy's CPU at seven ids a placement); these draw them from
/// <see cref="Random.Shared"/>, a per-thread generator seeded from the OS. They are unique, not secret: no id here is
/// a credential.
/// </summary>
public static class Uuids
{
    public static Guid New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);

        // Guid's byte order is little-endian in its first three fields: byte 7 is the high byte of time_hi_and_version.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A new id in the usual text form (<c>xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx</c>).</summary>
    public static string NewString() => New().ToString();
}
