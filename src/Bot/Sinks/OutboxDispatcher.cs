using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sinks;

/// <summary>
/// Sends what the outbox holds. A reply is recorded (pending) before anything is sent; it is marked "sending"
/// just before SMTP and "sent" right after the server accepted it. A reply found "sending" at start was cut off by
/// a crash: it is looked up by its Message-ID in the bot's own mailbox and re-sent only when it is not there.
/// Dry-run replies are written to the dry-run folder and the log instead.
/// </summary>
internal sealed class OutboxDispatcher(
    BotStore store,
    IOptions<SmtpOptions> smtp,
    IOptions<DeliveryOptions> delivery,
    IOptions<SourcesOptions> sources,
    BotMetrics metrics,
    TimeProvider time,
    ICrashPoints crashPoints,
    ILogger<OutboxDispatcher> logger)
{
    private bool recovered;

    public async Task DispatchAsync(CancellationToken ct)
    {
        if (!recovered)
        {
            await RecoverInterruptedAsync(ct).ConfigureAwait(false);
            recovered = true;
        }

        var pending = store.Outbox(OutboxStates.Pending);
        if (pending.Count == 0)
        {
            return;
        }

        SmtpClient? client = null;
        try
        {
            foreach (var entry in pending)
            {
                ct.ThrowIfCancellationRequested();
                if (entry.DryRun || smtp.Value.Host is null)
                {
                    WriteDryRun(entry);
                    continue;
                }

                var message = Load(entry.Raw);
                try
                {
                    client ??= await ConnectAsync(ct).ConfigureAwait(false);
                    store.SetOutboxState(entry.Id, OutboxStates.Sending);
                    await client.SendAsync(message, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                {
                    store.SetOutboxState(entry.Id, OutboxStates.Pending);
                    metrics.Count("patchbot_replies_total", "failed");
                    BotLog.ReplyFailed(logger, entry.InReplyTo, entry.ReplyMessageId, entry.Attempts + 1, e.Message);
                    client?.Dispose();
                    client = null;
                    break; // try again on the next tick
                }

                crashPoints.Reached("sent");
                var now = time.GetUtcNow();
                store.SetOutboxState(entry.Id, OutboxStates.Sent, now);
                metrics.Count("patchbot_replies_total", "sent");
                var received = store.ReceivedAt(entry.InReplyTo);
                long elapsed = received is { } r ? (long)(now - r).TotalMilliseconds : -1;
                if (received is { } rr)
                {
                    metrics.ObserveLatency(now - rr);
                }

                BotLog.ReplySent(logger, entry.InReplyTo, entry.ReplyMessageId, string.Join(", ", message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address)), elapsed);
            }
        }
        finally
        {
            if (client is not null)
            {
                try
                {
                    await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException)
                {
                    // the replies are marked already; a failed QUIT changes nothing
                }

                client.Dispose();
            }
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var o = smtp.Value;
        var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(o.Host ?? string.Empty, o.Port, o.Security, ct).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(o.User))
            {
                await client.AuthenticateAsync(o.User, o.Password ?? string.Empty, ct).ConfigureAwait(false);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task RecoverInterruptedAsync(CancellationToken ct)
    {
        foreach (var entry in store.Outbox(OutboxStates.Sending))
        {
            bool there = false;
            var mailbox = sources.Value.Imap.FirstOrDefault();
            if (smtp.Value.VerifyInterruptedSends && mailbox is not null)
            {
                try
                {
                    there = await ImapSource.ContainsAsync(mailbox, entry.ReplyMessageId, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                {
                    BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, "cannot look it up (" + e.Message + "), sending again");
                }
            }

            if (there)
            {
                store.SetOutboxState(entry.Id, OutboxStates.Sent, time.GetUtcNow());
                BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, "it reached the mailbox, marked sent");
            }
            else
            {
                store.SetOutboxState(entry.Id, OutboxStates.Pending);
                BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, "not found in the mailbox, sending again");
            }
        }
    }

    private void WriteDryRun(OutboxEntry entry)
    {
        string folder = delivery.Value.DryRunFolder;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, SafeName(entry.ReplyMessageId) + ".eml");
        File.WriteAllBytes(path, entry.Raw);
        store.SetOutboxState(entry.Id, OutboxStates.DryRun, time.GetUtcNow());
        metrics.Count("patchbot_replies_total", "dry-run");
        BotLog.ReplyDryRun(logger, entry.InReplyTo, entry.ReplyMessageId, path, System.Text.Encoding.UTF8.GetString(entry.Raw));
    }

    private static string SafeName(string id) =>
        string.Concat(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    private static MimeMessage Load(byte[] raw)
    {
        using var stream = new MemoryStream(raw, writable: false);
        return MimeMessage.Load(stream);
    }
}
