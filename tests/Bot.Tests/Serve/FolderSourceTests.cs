using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Tests.Serve;

/// <summary>
/// The folder source on real files reads each message once: an mbox from where the last read stopped (also after a
/// restart), again from the start only when it was rewritten or truncated, a Maildir's files once each, and nothing at
/// all on a rescan when nothing changed. Counted in messages and bytes read, not in time.
/// </summary>
public sealed class FolderSourceTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("patchbot-folder-");
    private readonly List<IDisposable> owned = [];

    public void Dispose()
    {
        foreach (var d in owned)
        {
            d.Dispose();
        }

        dir.Delete(recursive: true);
    }

    private string StatePath => Path.Combine(dir.FullName, "state.db");

    private (FolderSource Source, BotStore Store) Open(string path, TimeSpan? poll = null)
    {
        var store = new BotStore(StatePath);
        var metrics = new BotMetrics();
        var intake = new MailIntake(store, TimeProvider.System, metrics, new NoCrashPoints(), NullLogger<MailIntake>.Instance);
        owned.Add(intake);
        owned.Add(metrics);
        owned.Add(store);
        var options = new FolderSourceOptions { Name = "folder", Path = path, PollInterval = poll ?? TimeSpan.FromSeconds(30) };
        return (new FolderSource(options, intake, store, TimeProvider.System, NullLogger.Instance), store);
    }

    private void Close(BotStore store)
    {
        store.Dispose();
        owned.Remove(store);
    }

    /// <summary>One mbox message of about 2 KB; "From " in its body is escaped as mboxrd does.</summary>
    private static string Message(int n, string tag = "m") => string.Create(CultureInfo.InvariantCulture, $"""
        From dev@example.org Mon Jan  1 00:00:00 2024
        From: Dev <dev@example.org>
        To: list@example.org
        Subject: [PATCH] {tag} {n}
        Message-Id: <{tag}{n}@example.org>

        Body of {tag} {n}.
        >From the body, escaped.
        {new string('x', 2000)}


        """).ReplaceLineEndings("\n");

    private static string Messages(int from, int count, string tag = "m") =>
        string.Concat(Enumerable.Range(from, count).Select(i => Message(i, tag)));

    /// <summary>Written long enough ago that its last message counts as whole.</summary>
    private static void Settle(string path) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow - TimeSpan.FromMinutes(1));

    private string Mbox(string text, string name = "list.mbox")
    {
        string path = Path.Combine(dir.FullName, "mail", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        Settle(path);
        return path;
    }

    private static void Append(string path, string text)
    {
        File.AppendAllText(path, text);
        Settle(path);
    }

    [Fact]
    public void An_mbox_is_read_from_where_the_last_read_stopped()
    {
        string path = Mbox(Messages(1, 200));
        var (source, store) = Open(path);

        source.Scan();
        Assert.Equal(200, store.CountMessages());
        Assert.Equal(200, source.MessagesRead);

        long bytes = source.BytesRead;
        for (int i = 0; i < 5; i++)
        {
            source.Scan();
        }

        Assert.Equal(200, source.MessagesRead);
        Assert.Equal(bytes, source.BytesRead); // unchanged file: not even opened

        string more = Messages(201, 3);
        Append(path, more);
        source.Scan();
        Assert.Equal(203, store.CountMessages());
        Assert.Equal(203, source.MessagesRead);
        long fileSize = new FileInfo(path).Length;
        long readForAppend = source.BytesRead - bytes;
        Assert.True(readForAppend < fileSize / 10, $"{readForAppend} bytes read for {more.Length} appended to {fileSize}");
    }

    [Fact]
    public void The_raw_message_is_stored_without_the_mbox_separator()
    {
        string path = Mbox(Messages(1, 2));
        var (source, store) = Open(path);
        source.Scan();
        var stored = store.MessagesIn(MessageStates.New);
        Assert.Equal(["m1@example.org", "m2@example.org"], stored.Select(m => m.MessageId));
        string raw = Encoding.UTF8.GetString(stored[0].Raw);
        Assert.StartsWith("From: Dev <dev@example.org>\n", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("m2@example.org", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_still_being_written_is_read_once_it_is_whole()
    {
        string whole = Message(3);
        string path = Mbox(Messages(1, 2) + whole[..(whole.Length / 2)]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow); // just written
        var (source, store) = Open(path);

        Assert.True(source.Scan(), "the cut-off message is left for later");
        Assert.Equal(2, store.CountMessages());

        File.AppendAllText(path, whole[(whole.Length / 2)..]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        Assert.True(source.Scan(), "written a moment ago: may not be whole yet");
        Assert.Equal(2, store.CountMessages());

        Settle(path);
        Assert.False(source.Scan());
        Assert.Equal(3, store.CountMessages());
        Assert.Equal(3, source.MessagesRead);
        Assert.Contains(new string('x', 2000), Encoding.UTF8.GetString(store.MessagesIn(MessageStates.New)[2].Raw), StringComparison.Ordinal);
    }

    [Fact]
    public void A_restart_reads_only_what_came_since()
    {
        string path = Mbox(Messages(1, 50));
        var (first, store) = Open(path);
        first.Scan();
        Assert.Equal(50, first.MessagesRead);
        Close(store);

        Append(path, Messages(51, 2));
        var (second, again) = Open(path);
        second.Scan();
        Assert.Equal(2, second.MessagesRead);
        Assert.Equal(52, again.CountMessages());
    }

    [Fact]
    public void A_truncated_mbox_is_read_again_from_the_start_and_nothing_is_stored_twice()
    {
        string path = Mbox(Messages(1, 10));
        var (source, store) = Open(path);
        source.Scan();

        File.WriteAllText(path, Messages(1, 4));
        Settle(path);
        source.Scan();
        Assert.Equal(14, source.MessagesRead); // the four again: the file is shorter than what was read
        Assert.Equal(10, store.CountMessages());

        Append(path, Messages(11, 1));
        source.Scan();
        Assert.Equal(15, source.MessagesRead); // and from there on only what is new
        Assert.Equal(11, store.CountMessages());
    }

    [Fact]
    public void A_replaced_mbox_as_long_as_before_is_read_again_from_the_start()
    {
        string path = Mbox(Messages(1, 10, "a"));
        var (source, store) = Open(path);
        source.Scan();

        // Another file of the same length and the same first messages in its place (an editor's save): the start matches,
        // the bytes before the read position do not.
        string replacement = Messages(1, 2, "a") + Messages(3, 8, "b");
        Assert.Equal(new FileInfo(path).Length, Encoding.UTF8.GetByteCount(replacement));
        string temp = path + ".new";
        File.WriteAllText(temp, replacement);
        File.Move(temp, path, overwrite: true);
        Settle(path);
        source.Scan();

        Assert.Equal(20, source.MessagesRead);
        Assert.Equal(18, store.CountMessages()); // a1 and a2 once
    }

    [Fact]
    public void Maildir_files_are_read_once_also_after_a_restart()
    {
        string maildir = Path.Combine(dir.FullName, "Maildir");
        foreach (var sub in new[] { "new", "cur", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }

        for (int i = 1; i <= 3; i++)
        {
            File.WriteAllText(Path.Combine(maildir, "new", $"{i}.host"), Message(i)[(Message(i).IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        }

        var (source, store) = Open(maildir);
        source.Scan();
        source.Scan();
        Assert.Equal(3, source.MessagesRead);

        File.Move(Path.Combine(maildir, "new", "1.host"), Path.Combine(maildir, "cur", "1.host:2,S")); // read by a mail client
        File.WriteAllText(Path.Combine(maildir, "new", "4.host"), Message(4)[(Message(4).IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        source.Scan();
        Assert.Equal(4, source.MessagesRead);
        Close(store);

        var (restarted, again) = Open(maildir);
        restarted.Scan();
        Assert.Equal(0, restarted.MessagesRead);
        Assert.Equal(4, again.CountMessages());
    }

    [Fact]
    public void An_mbox_in_a_folder_is_followed_and_a_dropped_eml_is_read_once()
    {
        string path = Mbox(Messages(1, 3));
        string folder = Path.GetDirectoryName(path)!;
        var (source, store) = Open(folder);
        source.Scan();
        Assert.Equal(3, store.CountMessages());

        Append(path, Messages(4, 1));
        string eml = Path.Combine(folder, "one.eml");
        File.WriteAllText(eml, Message(9, "e")[(Message(9, "e").IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        Settle(eml);
        source.Scan();
        source.Scan();
        Assert.Equal(5, store.CountMessages());
        Assert.Equal(5, source.MessagesRead);
    }

    [Fact]
    public async Task While_the_source_runs_appended_mail_is_seen_without_waiting_for_the_rescan()
    {
        string path = Mbox(Messages(1, 20));
        var (source, store) = Open(path, poll: TimeSpan.FromHours(1)); // only a change notification can wake it
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => source.RunAsync(stop.Token));
        try
        {
            await WaitUntil(() => store.CountMessages() == 20);
            for (int round = 0; round < 3; round++)
            {
                File.AppendAllText(path, Messages(21 + round * 2, 2)); // the last message settles, then is read
                int expected = 22 + round * 2;
                await WaitUntil(() => store.CountMessages() == expected);
            }

            Assert.Equal(26, source.MessagesRead);
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
