namespace PatchBot.PatchParser;

/// <summary>
/// Something in the input that could not be read as it claims to be: a malformed hunk,
/// a truncated message, a limit that was hit. Reading always carries on after a problem.
/// </summary>
/// <param name="Message">What is wrong, in one line.</param>
/// <param name="File">The file (path in the tree) or input it concerns, when known.</param>
/// <param name="Line">The line it concerns: in the patch text for diff problems, when known.</param>
public sealed record Problem(string Message, string? File = null, int? Line = null)
{
    /// <summary>Something was not checked because of it: an input, a message or a part skipped (unreadable,
    /// binary, over a limit). A run that skipped anything exits as an input error unless told otherwise.</summary>
    public bool Skipped { get; init; }

    public override string ToString() =>
        File is null ? Message : Line is null ? $"{File}: {Message}" : $"{File}:{Line}: {Message}";
}
