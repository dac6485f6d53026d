using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MimeKit;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>
/// Where every source hands what it received: the raw message is stored (with the source's new cursor, in one
/// transaction) before anything else happens, then the processor is woken. A message is keyed by its Message-ID,
/// so the same mail from two sources, or read again after a crash or a UIDVALIDITY change, is handled once.
/// </summary>
internal sealed class MailIntake(BotStore store, TimeProvider time, BotMetrics metrics, ICrashPoints crashPoints, ILogger<MailIntake> logger) : IDisposable
{
    private readonly SemaphoreSlim signal = new(0);

    /// <summary>Released whenever a new message was stored.</summary>
    public SemaphoreSlim Signal => signal;

    public void Dispose() => signal.Dispose();

    /// <summary>The largest message stored and checked: the same limit as <c>patchbot check</c>.</summary>
    public long MaxMessageSize { get; } = PatchBot.PatchParser.Mail.MailOptions.Default.MaxMessageSize;

    /// <summary>A message over <see cref="MaxMessageSize"/>: only its header block is kept (so it is known by
    /// Message-ID and never read again), and it is skipped at once with the reason.</summary>
    public bool ReceiveOversized(string source, byte[] header, long size, uint uid = 0, SourceCursor? cursor = null, string? folderName = null, MboxPosition? mbox = null)
    {
        string messageId = MessageIdOf(header);
        string reason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"message is over the limit of {MaxMessageSize} bytes ({size}); skipped");
        bool added = store.AddMessage(messageId, source, time.GetUtcNow(), header, cursor, folderName, MessageStates.Skipped, reason, mbox);
        if (added)
        {
            metrics.Count("patchbot_messages_received_total");
            metrics.Count("patchbot_messages_total", "oversized");
            BotLog.MessageStored(logger, source, messageId, uid);
            BotLog.MessageSkipped(logger, messageId, reason);
        }

        return added;
    }

    public bool Receive(string source, byte[] raw, uint uid = 0, SourceCursor? cursor = null, string? folderName = null, MboxPosition? mbox = null)
    {
        if (raw.Length > MaxMessageSize)
        {
            return ReceiveOversized(source, HeaderBlock(raw), raw.Length, uid, cursor, folderName, mbox);
        }

        string messageId = MessageIdOf(raw);
        bool added = store.AddMessage(messageId, source, time.GetUtcNow(), raw, cursor, folderName, mbox: mbox);
        if (added)
        {
            metrics.Count("patchbot_messages_received_total");
            BotLog.MessageStored(logger, source, messageId, uid);
            crashPoints.Reached("stored");
            if (signal.CurrentCount == 0)
            {
                signal.Release();
            }
        }
        else
        {
            BotLog.MessageDuplicate(logger, source, messageId);
        }

        return added;
    }

    /// <summary>The header block of a raw message (up to the first empty line), at most 256 KiB.</summary>
    internal static byte[] HeaderBlock(byte[] raw)
    {
        int limit = Math.Min(raw.Length, 256 * 1024);
        var span = raw.AsSpan(0, limit);
        int end = span.IndexOf("\n\n"u8);
        int crlf = span.IndexOf("\r\n\r\n"u8);
        int cut = end < 0 ? (crlf < 0 ? limit : crlf + 4) : (crlf >= 0 && crlf < end ? crlf + 4 : end + 2);
        return raw[..cut];
    }

    /// <summary>The Message-ID (without brackets), or "sha256:..." of the bytes when there is none or the headers cannot be read.</summary>
    public static string MessageIdOf(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = HeaderList.Load(stream);
            string? id = headers[HeaderId.MessageId];
            if (!string.IsNullOrWhiteSpace(id))
            {
                string parsed = MimeKit.Utils.MimeUtils.ParseMessageId(id) ?? id.Trim().Trim('<', '>');
                if (parsed.Length > 0)
                {
                    return parsed;
                }
            }
        }
        catch (FormatException)
        {
            // no readable header block: fall back to the hash
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw));
    }
}
