using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using PatchBot.Bot.Sources;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sinks;

/// <summary>
/// Sends what the outbox holds, at most once each. A reply is recorded (pending) before anything is sent; it is marked
/// "sending" just before the SMTP transaction and "sent" as the first thing after the server accepted it.
/// <list type="bullet">
/// <item>A recipient the server refuses is dropped (logged); the reply goes to the others.</item>
/// <item>A permanent refusal (5xx for the message or for every recipient) ends the entry as failed; the queue moves on.</item>
/// <item>A temporary one (4xx) puts that entry off with exponential backoff (<see cref="SmtpOptions.RetryMin"/> doubling up
/// to <see cref="SmtpOptions.RetryMax"/>) and fails it after <see cref="SmtpOptions.GiveUpAfter"/>; the others go meanwhile.</item>
/// <item>When the server cannot be reached or refuses the bot itself (connection, TLS, login, MAIL FROM, 421), no entry
/// is blamed: the whole queue waits, with the same backoff.</item>
/// <item>When the bot reads its own mailbox (an IMAP source logs in as <see cref="IdentityOptions.Address"/>), every reply
/// is also sent to it (envelope only), so even a reply to the author alone leaves a copy the bot can find.</item>
/// <item>A reply found "sending" at start, or whose connection broke after all its data went out, may or may not have been
/// accepted. It is looked for by Message-ID where a copy arrives (every IMAP and public-inbox source, and the mail every
/// source stored); found, it is marked sent; not found, it is "unconfirmed" and never sent again (a missed reply is
/// preferred to a duplicate) until its copy arrives through a source.</item>
/// </list>
/// Dry-run replies are written to the dry-run folder and the log instead.
/// </summary>
internal sealed class OutboxDispatcher(
    BotStore store,
    IOptions<SmtpOptions> smtp,
    IOptions<DeliveryOptions> delivery,
    IOptions<SourcesOptions> sources,
    IOptions<IdentityOptions> identity,
    BotMetrics metrics,
    TimeProvider time,
    ICrashPoints crashPoints,
    ILogger<OutboxDispatcher> logger)
{
    private bool recovered;
    private int serverFailures;
    private DateTimeOffset serverRetryAt;

    private enum Outcome
    {
        Sent,
        Temporary,
        Permanent,
        ServerDown,
        Unknown,
    }

    public async Task DispatchAsync(CancellationToken ct)
    {
        if (!recovered)
        {
            await RecoverInterruptedAsync(ct).ConfigureAwait(false);
            recovered = true;
        }

        ConfirmArrived();
        var now = time.GetUtcNow();
        var due = store.Outbox(OutboxStates.Pending).Where(e => e.NextAttemptAt is not { } at || at <= now).ToList();
        if (due.Count == 0)
        {
            return;
        }

        TrackingSmtpClient? client = null;
        try
        {
            foreach (var entry in due)
            {
                ct.ThrowIfCancellationRequested();
                if (entry.DryRun || smtp.Value.Host is null)
                {
                    WriteDryRun(entry);
                    continue;
                }

                if (time.GetUtcNow() < serverRetryAt)
                {
                    return; // the server was unreachable: every entry waits
                }

                if (GaveUp(entry))
                {
                    continue;
                }

                try
                {
                    client ??= await ConnectAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (IsServerProblem(e))
                {
                    ServerDown(e.Message);
                    return;
                }

                var (outcome, reason) = await SendOneAsync(client, entry, ct).ConfigureAwait(false);
                switch (outcome)
                {
                    case Outcome.Sent:
                        serverFailures = 0;
                        continue;
                    case Outcome.ServerDown:
                        store.SetOutboxState(entry.Id, OutboxStates.Pending);
                        ServerDown(reason);
                        return;
                    case Outcome.Temporary:
                        Defer(entry, reason);
                        break;
                    case Outcome.Permanent:
                        Fail(entry, reason);
                        break;
                    case Outcome.Unknown:
                        store.EndOutbox(entry.Id, OutboxStates.Unconfirmed, reason);
                        metrics.Count("patchbot_replies_total", "unconfirmed");
                        BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, reason + ": not sent again (a missed reply is preferred to a duplicate)");
                        break;
                }

                // the transaction failed part-way: start the next one on a fresh connection
                await CloseAsync(client).ConfigureAwait(false);
                client = null;
            }
        }
        finally
        {
            if (client is not null)
            {
                await CloseAsync(client).ConfigureAwait(false);
            }
        }
    }

    private async Task<(Outcome, string)> SendOneAsync(TrackingSmtpClient client, OutboxEntry entry, CancellationToken ct)
    {
        var message = Load(entry.Raw);
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).ToList();
        // A copy to the bot's own mailbox (envelope only, no header) is the evidence that the server took the reply,
        // for a reply that reaches no mailbox the bot reads (one to the author only).
        var self = CopyToSelf(recipients);
        List<MailboxAddress> envelope = self is null ? recipients : [.. recipients, self];
        var sender = message.From.Mailboxes.FirstOrDefault() ?? new MailboxAddress(identity.Value.Name, identity.Value.Address);
        client.Reset();
        store.SetOutboxState(entry.Id, OutboxStates.Sending);
        crashPoints.Reached("sending");
        try
        {
            await client.SendAsync(message, sender, envelope, ct, client.Progress).ConfigureAwait(false);
        }
        catch (NoRecipientAcceptedException)
        {
            // every recipient was refused: temporary if any refusal was
            bool temporary = client.Rejected.Any(r => IsTemporary(r.Response.StatusCode));
            return (temporary ? Outcome.Temporary : Outcome.Permanent, "every recipient refused: " + Describe(client.Rejected));
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.SenderNotAccepted || e.StatusCode == SmtpStatusCode.ServiceNotAvailable)
        {
            return (Outcome.ServerDown, $"{(int)e.StatusCode} {e.Message}");
        }
        catch (SmtpCommandException e)
        {
            return (IsTemporary(e.StatusCode) ? Outcome.Temporary : Outcome.Permanent, $"{(int)e.StatusCode} {e.Message}");
        }
        catch (Exception e) when (IsServerProblem(e))
        {
            // All the data went out and the answer never came: the server may have taken it.
            return client.DataComplete ? (Outcome.Unknown, "connection lost after the data was sent (" + e.Message + ")") : (Outcome.ServerDown, e.Message);
        }

        // Accepted: recorded before anything else can fail.
        crashPoints.Reached("sent");
        if (self is not null && client.Rejected.Count(r => !IsSelf(r.Address)) == recipients.Count)
        {
            // only the bot's own copy went through: for the recipients it is as if every one was refused
            var refusedAll = client.Rejected.Where(r => !IsSelf(r.Address)).ToList();
            bool temporary = refusedAll.Any(r => IsTemporary(r.Response.StatusCode));
            return (temporary ? Outcome.Temporary : Outcome.Permanent, "every recipient refused: " + Describe(refusedAll));
        }

        var now = time.GetUtcNow();
        store.SetOutboxState(entry.Id, OutboxStates.Sent, now);
        metrics.Count("patchbot_replies_total", "sent");
        foreach (var (address, response) in client.Rejected.Where(r => !IsSelf(r.Address)))
        {
            metrics.Count("patchbot_reply_recipients_refused_total", IsTemporary(response.StatusCode) ? "temporary" : "permanent");
            BotLog.RecipientRefused(logger, entry.InReplyTo, entry.ReplyMessageId, address.Address, $"{(int)response.StatusCode} {response.Response}");
        }

        var received = store.ReceivedAt(entry.InReplyTo);
        long elapsed = received is { } r ? (long)(now - r).TotalMilliseconds : -1;
        if (received is { } rr)
        {
            metrics.ObserveLatency(now - rr);
        }

        var refused = client.Rejected.Select(x => x.Address.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string delivered = string.Join(", ", recipients.Select(m => m.Address).Where(a => !refused.Contains(a)));
        BotLog.ReplySent(logger, entry.InReplyTo, entry.ReplyMessageId, delivered, elapsed);
        return (Outcome.Sent, string.Empty);
    }

    /// <summary>The bot's own address when one of its IMAP sources is that mailbox (its copy will be seen there), else null.</summary>
    private MailboxAddress? CopyToSelf(List<MailboxAddress> recipients)
    {
        string me = identity.Value.Address;
        if (!smtp.Value.CopyToSelf || recipients.Any(IsSelf) || !sources.Value.Imap.Any(i => string.Equals(i.User, me, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return new MailboxAddress(identity.Value.Name, me);
    }

    private bool IsSelf(MailboxAddress a) => string.Equals(a.Address, identity.Value.Address, StringComparison.OrdinalIgnoreCase);

    private void Defer(OutboxEntry entry, string reason)
    {
        int attempt = entry.Attempts + 1;
        var delay = Backoff(attempt);
        var next = time.GetUtcNow() + delay;
        if (next - entry.CreatedAt > smtp.Value.GiveUpAfter)
        {
            Fail(entry, $"{reason} (temporary failures for longer than Smtp:GiveUpAfter {smtp.Value.GiveUpAfter})");
            return;
        }

        store.DeferOutbox(entry.Id, next, reason);
        metrics.Count("patchbot_replies_total", "deferred");
        BotLog.ReplyDeferred(logger, entry.InReplyTo, entry.ReplyMessageId, attempt, reason, delay);
    }

    private void Fail(OutboxEntry entry, string reason)
    {
        store.EndOutbox(entry.Id, OutboxStates.Failed, reason);
        metrics.Count("patchbot_replies_total", "failed");
        BotLog.ReplyFailed(logger, entry.InReplyTo, entry.ReplyMessageId, entry.Attempts + 1, reason);
    }

    private bool GaveUp(OutboxEntry entry)
    {
        if (entry.Attempts == 0 || time.GetUtcNow() - entry.CreatedAt <= smtp.Value.GiveUpAfter)
        {
            return false;
        }

        Fail(entry, $"not accepted within Smtp:GiveUpAfter {smtp.Value.GiveUpAfter}");
        return true;
    }

    private void ServerDown(string reason)
    {
        serverFailures++;
        var delay = Backoff(serverFailures);
        serverRetryAt = time.GetUtcNow() + delay;
        metrics.Count("patchbot_smtp_unavailable_total");
        BotLog.SmtpUnavailable(logger, reason, delay);
    }

    private TimeSpan Backoff(int attempt)
    {
        var o = smtp.Value;
        double factor = Math.Pow(2, Math.Min(Math.Max(attempt - 1, 0), 30));
        double ms = Math.Min(o.RetryMin.TotalMilliseconds * factor, o.RetryMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private static bool IsTemporary(SmtpStatusCode code) => (int)code is >= 400 and < 500;

    private static bool IsServerProblem(Exception e) =>
        e is IOException or SocketException or TimeoutException or SmtpProtocolException or SmtpCommandException
            or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or ServiceNotAuthenticatedException;

    private static string Describe(IEnumerable<(MailboxAddress Address, SmtpResponse Response)> rejected) =>
        string.Join("; ", rejected.Select(r => $"{r.Address.Address}: {(int)r.Response.StatusCode} {r.Response.Response}"));

    private async Task<TrackingSmtpClient> ConnectAsync(CancellationToken ct)
    {
        var o = smtp.Value;
        var client = new TrackingSmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
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

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or MailKit.CommandException or SocketException or TimeoutException)
        {
            // the replies are marked already; a failed QUIT changes nothing
        }

        client.Dispose();
    }

    /// <summary>Replies cut off by a crash while being sent: found where a copy arrives, they are marked sent; else unconfirmed.</summary>
    private async Task RecoverInterruptedAsync(CancellationToken ct)
    {
        foreach (var entry in store.Outbox(OutboxStates.Sending))
        {
            string? where = store.HasMessage(entry.ReplyMessageId) ? "the mail PatchBot received" : null;
            if (where is null && smtp.Value.VerifyInterruptedSends)
            {
                var s = sources.Value;
                foreach (var (mailbox, publicInbox) in s.Imap.Select(m => (m, false)).Concat(s.PublicInbox.Select(m => (m, true))))
                {
                    try
                    {
                        if (await ImapSource.ContainsAsync(mailbox, publicInbox, entry.ReplyMessageId, ct).ConfigureAwait(false))
                        {
                            where = mailbox.DisplayName(publicInbox);
                            break;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                    {
                        BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, $"cannot look in {mailbox.DisplayName(publicInbox)}: {e.Message}");
                    }
                }
            }

            if (where is not null)
            {
                store.SetOutboxState(entry.Id, OutboxStates.Sent, time.GetUtcNow());
                metrics.Count("patchbot_replies_total", "sent");
                BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, $"found in {where}, marked sent");
            }
            else
            {
                store.EndOutbox(entry.Id, OutboxStates.Unconfirmed, "cut off while being sent; not found where a copy would arrive");
                metrics.Count("patchbot_replies_total", "unconfirmed");
                BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, "not found yet: not sent again (a missed reply is preferred to a duplicate); marked sent if its copy arrives");
            }
        }
    }

    /// <summary>Unconfirmed replies whose copy has come in through a source since: they were sent.</summary>
    private void ConfirmArrived()
    {
        foreach (var entry in store.Outbox(OutboxStates.Unconfirmed))
        {
            if (store.HasMessage(entry.ReplyMessageId))
            {
                store.SetOutboxState(entry.Id, OutboxStates.Sent, time.GetUtcNow());
                metrics.Count("patchbot_replies_total", "confirmed");
                BotLog.ReplyInterrupted(logger, entry.InReplyTo, entry.ReplyMessageId, "its copy arrived through a source: it was sent, marked sent");
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

    /// <summary>An SMTP client that decides per recipient: a refused recipient is remembered, not thrown, so the
    /// reply still goes to the others; and that knows whether all of a message's data went out.</summary>
    private sealed class TrackingSmtpClient : SmtpClient
    {
        public TrackingSmtpClient()
        {
            Progress = new DataProgress(this);
        }

        public List<(MailboxAddress Address, SmtpResponse Response)> Rejected { get; } = [];

        public bool DataComplete { get; private set; }

        public ITransferProgress Progress { get; }

        public void Reset()
        {
            Rejected.Clear();
            DataComplete = false;
        }

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
            Rejected.Add((mailbox, response));

        protected override void OnNoRecipientsAccepted(MimeMessage message) => throw new NoRecipientAcceptedException();

        private sealed class DataProgress(TrackingSmtpClient owner) : ITransferProgress
        {
            public void Report(long bytesTransferred, long totalSize)
            {
                if (totalSize > 0 && bytesTransferred >= totalSize)
                {
                    owner.DataComplete = true;
                }
            }

            public void Report(long bytesTransferred)
            {
            }
        }
    }
}

/// <summary>Every recipient of a reply was refused (each refusal is in the client's list).</summary>
internal sealed class NoRecipientAcceptedException : Exception
{
    public NoRecipientAcceptedException()
        : base("no recipient was accepted")
    {
    }
}
