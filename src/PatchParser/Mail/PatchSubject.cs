namespace PatchBot.PatchParser.Mail;

/// <summary>A patch mail subject taken apart: "Re: [RFC PATCH net-next v2 05/10] PCI: dwc: Fix foo".</summary>
/// <param name="IsReply">Started with one or more Re:/Fwd:/Fw:/AW:/SV:/WG: prefixes.</param>
/// <param name="Tags">Words in the bracket groups that are not the version or the index, in order:
/// "PATCH", "RFC", "RESEND", "AUTOSEL", "GIT PULL", "net-next", "5.5" (well-known ones upper-cased).</param>
/// <param name="Version">The series version: v3 gives 3; 1 when none is given.</param>
/// <param name="Index">The part number (0 for a cover letter), or null when the subject has none.</param>
/// <param name="Total">The number of patches in the series, or null when the subject has none.</param>
/// <param name="Prefixes">The subsystem prefixes before the title: "PCI: dwc: Fix" gives ["PCI", "dwc"].</param>
/// <param name="Title">The rest of the subject after the brackets and prefixes.</param>
public sealed record PatchSubject(
    bool IsReply,
    IReadOnlyList<string> Tags,
    int Version,
    int? Index,
    int? Total,
    IReadOnlyList<string> Prefixes,
    string Title)
{
    /// <summary>An empty subject.</summary>
    public static PatchSubject None { get; } = new(false, [], 1, null, null, [], string.Empty);

    /// <summary>Has this bracket tag (case-insensitive).</summary>
    public bool HasTag(string tag)
    {
        foreach (var t in Tags)
        {
            if (string.Equals(t, tag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Tagged PATCH or RFC (the words git format-patch and kernel people use for a patch).</summary>
    public bool IsPatch => HasTag("PATCH") || HasTag("RFC");

    /// <summary>[PATCH 0/N]: the cover letter of a series.</summary>
    public bool IsCoverLetter => Index == 0 && Total is > 0;

    /// <summary>[GIT PULL], [PULL] or [PULL REQUEST].</summary>
    public bool IsPullRequest => HasTag("GIT PULL") || HasTag("PULL") || HasTag("PULL REQUEST");

    /// <summary>"2/7" or null.</summary>
    public string? Part => Index is { } i && Total is { } t ? $"{i}/{t}" : null;
}
