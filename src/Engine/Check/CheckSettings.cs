using PatchBot.PatchParser.Mail;

namespace PatchBot.Engine.Check;

/// <summary>Everything <c>patchbot check</c> was asked to do.</summary>
internal sealed record CheckSettings
{
    public IReadOnlyList<string> Paths { get; init; } = [];

    public FailLevel FailLevel { get; init; } = FailLevel.Warning;

    /// <summary>Something not checked (an unreadable, binary or oversized input, message, part or commit) is
    /// reported but is no input error: <c>--allow-skipped</c>.</summary>
    public bool AllowSkipped { get; init; }

    /// <summary>An explicit configuration file; otherwise .patchbot.json is looked for upward from the first input.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>BASE..HEAD of <c>--git</c>: check these commits of the working folder's checkout instead of paths.</summary>
    public string? GitRange { get; init; }

    public IReadOnlyList<string> Enable { get; init; } = [];

    public IReadOnlyList<string> Disable { get; init; } = [];

    public MailOptions Mail { get; init; } = MailOptions.Default;

    /// <summary>A kernel checkout for tree mode; null looks for one around the working folder unless <see cref="NoTree"/>.</summary>
    public string? TreePath { get; init; }

    /// <summary>Do not use a kernel tree even when run inside one.</summary>
    public bool NoTree { get; init; }

    /// <summary>Workers for parsing and for analysis; 0 means one per processor. The report does not depend on it.</summary>
    public int Threads { get; init; }

}
