namespace PatchBot.PatchParser.Mail;

/// <summary>One version of a patch series as it arrived: its cover letter (if any) and the parts present.</summary>
/// <param name="Title">The cover letter's title, or the first part's.</param>
/// <param name="From">The sender's address.</param>
/// <param name="Version">The series version (v3 gives 3).</param>
/// <param name="Total">The number of patches the subjects announce (N of [PATCH m/N]); 1 for a lone [PATCH].</param>
/// <param name="CoverLetter">The [PATCH 0/N] message, or null.</param>
/// <param name="Parts">The patch messages, ordered by index (then arrival).</param>
/// <param name="Missing">Indexes 1..Total with no part.</param>
/// <param name="FirstDate">The earliest Date of its messages, when known.</param>
/// <param name="LastDate">The latest Date of its messages, when known.</param>
/// <param name="MayStillArrive">Incomplete, and the last part came less than the assembler's window ago.</param>
public sealed record Series(
    string Title,
    string? From,
    int Version,
    int Total,
    MailItem? CoverLetter,
    IReadOnlyList<MailItem> Parts,
    IReadOnlyList<int> Missing,
    DateTimeOffset? FirstDate,
    DateTimeOffset? LastDate,
    bool MayStillArrive)
{
    /// <summary>Every part 1..Total is present.</summary>
    public bool IsComplete => Missing.Count == 0;

    /// <summary>Distinct part indexes present.</summary>
    public int PartsPresent => Parts.Select(p => p.PatchSubject.Index ?? 1).Distinct().Count();

    /// <summary>"complete, 3 parts" or "2 of 3 parts (missing 2)".</summary>
    public string Status => IsComplete
        ? $"complete, {Total} part{(Total == 1 ? "" : "s")}"
        : $"{PartsPresent} of {Total} parts (missing {string.Join(", ", Missing)}{(Missing.Count < Total - PartsPresent ? ", ..." : "")})";
}
