using System.Globalization;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// A public-inbox instance of its own (tests/EndToEnd/stack/public-inbox-up.sh) in a temporary folder, on free
/// loopback ports; disposing it stops it and deletes the folder.
/// </summary>
internal sealed class PublicInboxStack : IDisposable
{
    private bool _started;

    /// <param name="feed">The stack script's feed setting and its value: PI_IMPORT_MBOX (an mbox imported at start)
    /// or PI_WATCH_MAILDIR (a Maildir watched for new mail).</param>
    public PublicInboxStack(string feed, Func<string, string> value)
    {
        Dir = Path.Combine(Path.GetTempPath(), "patchbot-pi-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        ImapPort = MailServers.FreePort();
        Environment = new Dictionary<string, string>
        {
            ["PI_DIR"] = Path.Combine(Dir, "pi"),
            ["PI_IMAP_PORT"] = ImapPort.ToString(CultureInfo.InvariantCulture),
            ["PI_HTTP_PORT"] = MailServers.FreePort().ToString(CultureInfo.InvariantCulture),
            ["PI_NNTP_PORT"] = MailServers.FreePort().ToString(CultureInfo.InvariantCulture),
            [feed] = value(Dir),
        };
    }

    public string Dir { get; }

    public int ImapPort { get; }

    public Dictionary<string, string> Environment { get; }

    /// <summary>The git directory of an inbox's first epoch.</summary>
    public string Archive(string inbox) => Path.Combine(Dir, "pi", "inboxes", inbox, "git", "0.git");

    /// <summary>Starts the stack; returns what the script printed.</summary>
    public string Up()
    {
        _started = true;
        return MailServers.Run("bash", [Path.Combine(MailServers.StackScripts, "public-inbox-up.sh")], TimeSpan.FromMinutes(3), Environment);
    }

    public void Dispose()
    {
        if (_started)
        {
            MailServers.Run("bash", [Path.Combine(MailServers.StackScripts, "public-inbox-down.sh"), "--purge"], TimeSpan.FromMinutes(1), Environment);
        }

        Directory.Delete(Dir, recursive: true);
    }
}
