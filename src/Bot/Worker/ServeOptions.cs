using PatchBot.Engine.Config;
using PatchBot.Rules.Config;
using System.Globalization;
using MailKit.Security;
using Microsoft.Extensions.Options;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Worker;

/// <summary>Who PatchBot is in the mails it sends. Section "Identity".</summary>
internal sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>The From address of replies; mail from it is never answered.</summary>
    public string Address { get; set; } = "patchbot@localhost";

    public string Name { get; set; } = "PatchBot";

    /// <summary>Who runs this instance: named in every footer so people know whom to ask to silence it.</summary>
    public string Contact { get; set; } = string.Empty;

    /// <summary>Senders never answered (substring of the address, case-insensitive), on top of <see cref="BotSenders"/>.</summary>
    public List<string> IgnoredSenders { get; set; } = [];

    /// <summary>Other robots: their mail is never answered.</summary>
    public List<string> BotSenders { get; set; } = ["lkp@intel.com", "syzbot", "patchwork-bot", "pr-tracker-bot"];
}

/// <summary>One IMAP mailbox (or public-inbox IMAP newsgroup slice) to read.</summary>
internal sealed class ImapSourceOptions
{
    /// <summary>A short name for logs, metrics and the stored cursor; defaults to user@host:port/mailbox.</summary>
    public string? Name { get; set; }

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 993;

    /// <summary>None, SslOnConnect, StartTls, StartTlsWhenAvailable or Auto (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public string User { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>The mailbox; for public-inbox "&lt;newsgroup&gt;.&lt;slice&gt;" such as org.kernel.vger.linux-pci.0.</summary>
    public string Mailbox { get; set; } = "INBOX";

    /// <summary>IDLE is ended and re-issued after this long (servers drop an IDLE after 30 minutes; RFC 2177).</summary>
    public TimeSpan IdleRefresh { get; set; } = TimeSpan.FromMinutes(9);

    /// <summary>Polling interval when the server has no IDLE.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReconnectMin { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>On the very first connection (no cursor stored yet): New (default) starts after the messages already
    /// there, so old patches are never answered; All reads and answers the whole mailbox.</summary>
    public FirstRun FirstRun { get; set; } = FirstRun.New;

    public string DisplayName(bool publicInbox) =>
        Name ?? (publicInbox ? $"public-inbox {Host}:{Port}/{Mailbox}" : $"imap {User}@{Host}:{Port}/{Mailbox}");
}

internal enum FirstRun
{
    All,
    New,
}

/// <summary>A Maildir (cur/ new/), a folder of mboxes and .eml files, or one mbox: the embedded source, no server needed.</summary>
internal sealed class FolderSourceOptions
{
    public string? Name { get; set; }

    public string Path { get; set; } = string.Empty;

    /// <summary>Changes are seen at once through change notifications; the folder is also rescanned this often, in case
    /// a notification was lost. A rescan reads only what is new.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string DisplayName => Name ?? $"folder {Path}";
}

/// <summary>Where mail comes from. Section "Sources".</summary>
internal sealed class SourcesOptions
{
    public const string Section = "Sources";

    public List<ImapSourceOptions> Imap { get; set; } = [];

    /// <summary>public-inbox archives through their IMAP server (read-only; any user name works, "anonymous" by default).</summary>
    public List<ImapSourceOptions> PublicInbox { get; set; } = [];

    public List<FolderSourceOptions> Folders { get; set; } = [];
}

/// <summary>The SMTP server replies go through. Section "Smtp". No host: every list is dry-run.</summary>
internal sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.Auto;

    public string? User { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A reply cut off by a crash while being sent is looked for by its Message-ID in every IMAP and
    /// public-inbox source (besides the mail already received) before it is given up as unconfirmed. It is never
    /// sent again either way; false skips the IMAP searches.</summary>
    public bool VerifyInterruptedSends { get; set; } = true;

    /// <summary>When an IMAP source is the bot's own mailbox (its User is Identity:Address), send every reply there too
    /// (an envelope recipient, not a header): the copy proves the server took a reply cut off by a crash.</summary>
    public bool CopyToSelf { get; set; } = true;

    /// <summary>First wait after a temporary failure (4xx, server unreachable); doubles on each failure.</summary>
    public TimeSpan RetryMin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two tries.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A reply still refused temporarily this long after it was made fails for good (as an MTA gives up).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>The SQLite state file. Section "State".</summary>
internal sealed class StateOptions
{
    public const string Section = "State";

    public string Path { get; set; } = "patchbot.db";
}

/// <summary>How series are put together. Section "Series".</summary>
internal sealed class SeriesOptions
{
    public const string Section = "Series";

    /// <summary>How long after the last part arrived an incomplete series waits for its missing parts.</summary>
    public TimeSpan WaitForMissing { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often pending series and the outbox are looked at when no new mail wakes the bot.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A .patchbot.json with rule selection and severities, or empty for the defaults.</summary>
    public string? RulesConfig { get; set; }
}

/// <summary>Delivery policy of one mailing list, matched on the list address in To/Cc (never on List-Id, which anyone
/// can write) of mail that came in through one of <see cref="Sources"/> (any source when empty).</summary>
internal sealed class ListPolicy
{
    public string Address { get; set; } = string.Empty;

    /// <summary>Names of the sources (their Name setting) that carry this list; empty: mail from any source.</summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>Mail the patch author (the From address).</summary>
    public bool ReplyToAuthor { get; set; } = true;

    /// <summary>Mail the author at the Reply-To address instead of From, when Reply-To names exactly one address.</summary>
    public bool HonourReplyTo { get; set; }

    public bool ReplyToList { get; set; } = true;

    /// <summary>Cc the patch's To and Cc addresses too (at most <see cref="MaxCcRecipients"/> of them).</summary>
    public bool CcRecipients { get; set; }

    /// <summary>The most addresses <see cref="CcRecipients"/> adds (list software and mailer daemons are never added).</summary>
    public int MaxCcRecipients { get; set; } = 20;

    /// <summary>Check but never mail.</summary>
    public bool Mute { get; set; }

    /// <summary>Mail "no findings" for a clean series too.</summary>
    public bool SendWhenClean { get; set; }

    /// <summary>On a later version, mail which earlier findings are fixed even when nothing new was found.</summary>
    public bool SendWhenFixed { get; set; } = true;

    public List<string> IgnoredSenders { get; set; } = [];

    public Severity MinimumSeverity { get; set; } = Severity.Warning;

    /// <summary>Write the mail to the dry-run folder and the log instead of sending it.</summary>
    public bool DryRun { get; set; }

    /// <summary>One mail per series instead of one per patch; null takes <see cref="DeliveryOptions.OnePerSeries"/>.</summary>
    public bool? OnePerSeries { get; set; }

    /// <summary>The kernel clone this list's series are analysed against (its Path and Branch); null takes the global "Tree" section.</summary>
    public TreeOptions? Tree { get; set; }
}

/// <summary>
/// The kernel tree series are analysed against: a local git clone (bare or not). Section "Tree", or per list
/// Delivery:Lists:N:Tree. A series is analysed at its base-commit: trailer when the clone has that commit (read from git
/// objects, no checkout), else at <see cref="Branch"/>'s head. Without a Path, series are analysed from their patches alone.
/// </summary>
internal sealed class TreeOptions
{
    public const string Section = "Tree";

    /// <summary>The clone. Keeping it current is the operator's job (or set <see cref="FetchInterval"/>).</summary>
    public string? Path { get; set; }

    /// <summary>The revision used when a series names no base-commit, or one the clone does not have.</summary>
    public string Branch { get; set; } = "HEAD";

    /// <summary>How often serve runs <c>git fetch</c> in the clone; zero (the default): never.</summary>
    public TimeSpan FetchInterval { get; set; } = TimeSpan.Zero;

    /// <summary>How long one fetch may take before it is stopped.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Bases whose index is kept in memory (global section only): about 100 MB each; an index of a base not
    /// kept is read from the disk cache, or built from the one of another base (only changed files are read).</summary>
    public int KeepBases { get; set; } = 2;

    /// <summary>Where indexes are cached (global section only); default $XDG_CACHE_HOME/patchbot.</summary>
    public string? CacheDirectory { get; set; }
}

/// <summary>Where replies go. Section "Delivery".</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    public List<ListPolicy> Lists { get; set; } = [];

    /// <summary>Mail from a list not configured here is checked and its replies are only written to the dry-run folder.</summary>
    public string DryRunFolder { get; set; } = "dry-run";

    public bool OnePerSeries { get; set; }

    /// <summary>The policy of a list that is not configured: dry-run.</summary>
    public static ListPolicy Unconfigured { get; } = new() { DryRun = true, Address = "(unconfigured)" };
}

/// <summary>/healthz and /metrics. Section "Health".</summary>
internal sealed class HealthOptions
{
    public const string Section = "Health";

    public bool Enabled { get; set; } = true;

    /// <summary>Loopback port; 0 picks a free one (logged).</summary>
    public int Port { get; set; } = 9180;

    public string Address { get; set; } = "127.0.0.1";
}

// ---- validation: clear errors at start ------------------------------------------------------------------------

internal sealed class IdentityOptionsValidator : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        var errors = new List<string>();
        if (!MimeKit.MailboxAddress.TryParse(options.Address, out var a) || !a.Address.Contains('@', StringComparison.Ordinal))
        {
            errors.Add($"Identity:Address '{options.Address}' is not a mail address");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var errors = new List<string>();
        if (options.Imap.Count + options.PublicInbox.Count + options.Folders.Count == 0)
        {
            errors.Add("no source configured: set Sources:Folders:0:Path (a Maildir or folder), Sources:Imap:0:Host or Sources:PublicInbox:0:Host");
        }

        void CheckImap(string kind, List<ImapSourceOptions> list, bool needsUser)
        {
            for (int i = 0; i < list.Count; i++)
            {
                var s = list[i];
                string at = string.Create(CultureInfo.InvariantCulture, $"Sources:{kind}:{i}");
                if (string.IsNullOrWhiteSpace(s.Host))
                {
                    errors.Add($"{at}:Host is empty");
                }

                if (s.Port is <= 0 or > 65535)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:Port {s.Port} is not a TCP port"));
                }

                if (needsUser && string.IsNullOrEmpty(s.User))
                {
                    errors.Add($"{at}:User is empty");
                }

                if (string.IsNullOrWhiteSpace(s.Mailbox))
                {
                    errors.Add($"{at}:Mailbox is empty");
                }

                if (s.IdleRefresh <= TimeSpan.Zero || s.IdleRefresh > TimeSpan.FromMinutes(29))
                {
                    errors.Add($"{at}:IdleRefresh must be between 0 and 29 minutes (servers end IDLE after 30)");
                }

                if (s.ReconnectMin <= TimeSpan.Zero || s.ReconnectMax < s.ReconnectMin)
                {
                    errors.Add($"{at}: need 0 < ReconnectMin <= ReconnectMax");
                }
            }
        }

        CheckImap("Imap", options.Imap, needsUser: true);
        CheckImap("PublicInbox", options.PublicInbox, needsUser: false);
        for (int i = 0; i < options.Folders.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Folders[i].Path))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Sources:Folders:{i}:Path is empty"));
            }
            else if (!Directory.Exists(options.Folders[i].Path) && !File.Exists(options.Folders[i].Path))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Sources:Folders:{i}:Path '{options.Folders[i].Path}' does not exist"));
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var errors = new List<string>();
        if (options.Host is not null && options.Port is <= 0 or > 65535)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Smtp:Port {options.Port} is not a TCP port"));
        }

        if (options.User is not null && options.Password is null)
        {
            errors.Add("Smtp:User is set but Smtp:Password is not");
        }

        if (options.RetryMin <= TimeSpan.Zero || options.RetryMax < options.RetryMin)
        {
            errors.Add("Smtp: need 0 < RetryMin <= RetryMax");
        }

        if (options.GiveUpAfter <= TimeSpan.Zero)
        {
            errors.Add("Smtp:GiveUpAfter must be positive");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class SeriesOptionsValidator : IValidateOptions<SeriesOptions>
{
    public ValidateOptionsResult Validate(string? name, SeriesOptions options)
    {
        var errors = new List<string>();
        if (options.WaitForMissing < TimeSpan.Zero)
        {
            errors.Add("Series:WaitForMissing is negative");
        }

        if (options.Tick <= TimeSpan.Zero)
        {
            errors.Add("Series:Tick must be positive");
        }

        if (!string.IsNullOrEmpty(options.RulesConfig))
        {
            if (!File.Exists(options.RulesConfig))
            {
                errors.Add($"Series:RulesConfig '{options.RulesConfig}' does not exist");
            }
            else if (!ConfigFile.TryLoad(options.RulesConfig, out _, out string? error))
            {
                errors.Add($"Series:RulesConfig: {error}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class TreeOptionsValidator : IValidateOptions<TreeOptions>
{
    public ValidateOptionsResult Validate(string? name, TreeOptions options)
    {
        var errors = new List<string>();
        Check("Tree", options, errors);
        if (options.KeepBases < 1)
        {
            errors.Add("Tree:KeepBases must be at least 1");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A configured clone must be a git repository whose <see cref="TreeOptions.Branch"/> is a commit.</summary>
    internal static void Check(string at, TreeOptions options, List<string> errors)
    {
        if (string.IsNullOrEmpty(options.Path))
        {
            return;
        }

        if (!Directory.Exists(options.Path))
        {
            errors.Add($"{at}:Path '{options.Path}' does not exist");
        }
        else if (PatchBot.Engine.Tree.GitCommitTree.Resolve(options.Path, options.Branch) is null)
        {
            errors.Add($"{at}: '{options.Branch}' is not a commit of the git repository '{options.Path}' (set {at}:Branch)");
        }

        if (options.FetchInterval < TimeSpan.Zero || options.FetchTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{at}: need FetchInterval >= 0 and FetchTimeout > 0");
        }
    }
}

internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var errors = new List<string>();
        for (int i = 0; i < options.Lists.Count; i++)
        {
            var l = options.Lists[i];
            if (!l.Address.Contains('@', StringComparison.Ordinal))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Lists:{i}:Address '{l.Address}' is not a list address"));
            }

            if (l.MaxCcRecipients < 0)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Lists:{i}:MaxCcRecipients is negative"));
            }

            if (l.Tree is not null)
            {
                TreeOptionsValidator.Check(string.Create(CultureInfo.InvariantCulture, $"Delivery:Lists:{i}:Tree"), l.Tree, errors);
            }

            if (!l.ReplyToAuthor && !l.ReplyToList && !l.Mute)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Delivery:Lists:{i}: ReplyToAuthor and ReplyToList are both false: set Mute to true to check without mailing"));
            }
        }

        if (string.IsNullOrWhiteSpace(options.DryRunFolder))
        {
            errors.Add("Delivery:DryRunFolder is empty");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        if (options.Port is < 0 or > 65535)
        {
            return ValidateOptionsResult.Fail(string.Create(CultureInfo.InvariantCulture, $"Health:Port {options.Port} is not a TCP port"));
        }

        if (!System.Net.IPAddress.TryParse(options.Address, out var ip) || !System.Net.IPAddress.IsLoopback(ip))
        {
            return ValidateOptionsResult.Fail($"Health:Address '{options.Address}' must be a loopback address");
        }

        return ValidateOptionsResult.Success;
    }
}
