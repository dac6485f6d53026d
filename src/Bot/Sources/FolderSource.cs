using Microsoft.Extensions.Logging;
using MimeKit;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>
/// The embedded source, no server needed: a Maildir (new/ and cur/), a folder of .eml files and mboxes, or one
/// mbox file, polled. Maildir and .eml files are remembered by name (the part before ":2," so flag changes do not
/// count as new mail); messages of an mbox are remembered by Message-ID.
/// </summary>
internal sealed class FolderSource(FolderSourceOptions options, MailIntake intake, BotStore store, TimeProvider time, ILogger logger)
{
    public string Name => options.DisplayName;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Scan();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                BotLog.SourceItemUnreadable(logger, Name, options.Path, e.Message);
            }

            try
            {
                await Task.Delay(options.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public void Scan()
    {
        if (File.Exists(options.Path))
        {
            ReadMbox(options.Path);
            return;
        }

        bool maildir = Directory.Exists(Path.Combine(options.Path, "new")) && Directory.Exists(Path.Combine(options.Path, "cur"));
        IEnumerable<string> files = maildir
            ? Directory.EnumerateFiles(Path.Combine(options.Path, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(options.Path, "new")))
            : Directory.EnumerateFiles(options.Path);
        foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith('.'))
            {
                continue;
            }

            int colon = name.IndexOf(':', StringComparison.Ordinal);
            string key = colon < 0 ? name : name[..colon];
            if (store.FolderSeen(Name, key))
            {
                continue;
            }

            byte[] bytes;
            long length;
            try
            {
                length = new FileInfo(file).Length;
                bytes = length > intake.MaxMessageSize ? ReadPrefix(file, 256 * 1024) : File.ReadAllBytes(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A Maildir file renamed new/ -> cur/ between listing and reading: seen on the next scan.
                BotLog.SourceItemUnreadable(logger, Name, name, e.Message);
                continue;
            }

            if (!maildir && LooksLikeMbox(bytes))
            {
                ReadMbox(file);
                store.MarkFolderSeen(Name, key);
                continue;
            }

            if (length > bytes.Length)
            {
                intake.ReceiveOversized(Name, MailIntake.HeaderBlock(bytes), length, folderName: key); // never read whole
                continue;
            }

            intake.Receive(Name, bytes, folderName: key);
        }
    }

    private static byte[] ReadPrefix(string file, int count)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[count];
        int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        return buffer[..read];
    }

    private static bool LooksLikeMbox(byte[] bytes) =>
        bytes.Length > 5 && bytes[0] == 'F' && bytes[1] == 'r' && bytes[2] == 'o' && bytes[3] == 'm' && bytes[4] == ' ';

    private void ReadMbox(string path)
    {
        using var stream = File.OpenRead(path);
        var parser = new MimeParser(stream, MimeFormat.Mbox);
        while (!parser.IsEndOfStream)
        {
            MimeMessage message;
            try
            {
                message = parser.ParseMessage();
            }
            catch (FormatException e)
            {
                BotLog.SourceItemUnreadable(logger, Name, path, e.Message);
                break;
            }

            using var disposing = message;
            using var buffer = new MemoryStream();
            message.WriteTo(buffer);
            intake.Receive(Name, buffer.ToArray());
        }
    }
}
