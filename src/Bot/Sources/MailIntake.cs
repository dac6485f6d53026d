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

    public bool Receive(string source, byte[] raw, uint uid = 0, SourceCursor? cursor = null, string? folderName = null)
    {
        string messageId = MessageIdOf(raw);
        bool added = store.AddMessage(messageId, source, time.GetUtcNow(), raw, cursor, folderName);
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
