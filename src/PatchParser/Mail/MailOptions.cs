using PatchBot.PatchParser.Diff;

namespace PatchBot.PatchParser.Mail;

/// <summary>Limits for <see cref="MailReader"/>. Going over a limit gives a <see cref="Problem"/>, never an exception.</summary>
public sealed record MailOptions
{
    public static MailOptions Default { get; } = new();

    /// <summary>Bytes per message; a larger message is reported <see cref="MailItemKind.Unreadable"/> and skipped.
    /// Also the most characters read from a bare patch input.</summary>
    public long MaxMessageSize { get; init; } = 32L * 1024 * 1024;

    /// <summary>Nesting of multiparts; deeper parts are not looked into.</summary>
    public int MaxMimeDepth { get; init; } = 32;

    /// <summary>MIME parts looked at per message; the rest are skipped.</summary>
    public int MaxMimeParts { get; init; } = 256;

    /// <summary>Encoded bytes per text part or attachment; a larger one is skipped.</summary>
    public long MaxAttachmentSize { get; init; } = 16L * 1024 * 1024;

    /// <summary>Patches taken from one message; the rest are skipped.</summary>
    public int MaxPatchesPerMessage { get; init; } = 64;

    /// <summary>Options handed to the diff reader.</summary>
    public DiffReaderOptions Diff { get; init; } = DiffReaderOptions.Default;
}
