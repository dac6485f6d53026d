using MailKit;
using MailKit.Net.Imap;
using Microsoft.Extensions.Logging;
using PatchBot.Bot.State;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sources;

/// <summary>
/// Reads one IMAP mailbox (or a public-inbox newsgroup slice, read-only) for ever: catch up from the stored
/// UIDVALIDITY/UID, then IDLE (re-issued every <see cref="ImapSourceOptions.IdleRefresh"/>, before servers time it
/// out), fetch what arrived, and on any failure reconnect with exponential backoff. Never changes the mailbox.
/// </summary>
internal sealed class ImapSource(ImapSourceOptions options, bool publicInbox, MailIntake intake, BotStore store,
    BotMetrics metrics, TimeProvider time, ILogger logger)
{
    public string Name { get; } = options.DisplayName(publicInbox);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = options.ReconnectMin;
        metrics.SetConnected(Name, false);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunConnectedAsync(() => delay = options.ReconnectMin, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                metrics.SetConnected(Name, false);
                metrics.Count("patchbot_source_reconnects_total");
                BotLog.SourceFailed(logger, Name, e.Message, delay);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(options.ReconnectMax.Ticks, delay.Ticks * 2));
            }
        }

        metrics.SetConnected(Name, false);
    }

    private async Task RunConnectedAsync(Action connected, CancellationToken ct)
    {
        using var client = new ImapClient { Timeout = 60_000 };
        await client.ConnectAsync(options.Host, options.Port, options.Security, ct).ConfigureAwait(false);
        string user = string.IsNullOrEmpty(options.User) && publicInbox ? "anonymous" : options.User;
        string password = string.IsNullOrEmpty(options.Password) && publicInbox ? "anonymous" : options.Password;
        await client.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        var folder = await client.GetFolderAsync(options.Mailbox, ct).ConfigureAwait(false);
        await folder.OpenAsync(FolderAccess.ReadOnly, ct).ConfigureAwait(false);

        var cursor = store.GetCursor(Name);
        uint lastUid = 0;
        if (cursor is null && options.FirstRun == FirstRun.New)
        {
            lastUid = folder.UidNext is { } next ? next.Id - 1 : 0;
            store.SetCursor(Name, new SourceCursor(folder.UidValidity, lastUid));
            BotLog.SourceStartsNew(logger, Name, lastUid);
        }
        else if (cursor is not null && cursor.UidValidity != folder.UidValidity)
        {
            BotLog.UidValidityChanged(logger, Name, cursor.UidValidity, folder.UidValidity);
        }
        else if (cursor is not null)
        {
            lastUid = cursor.LastUid;
        }

        metrics.SetConnected(Name, true);
        connected();
        BotLog.SourceConnected(logger, Name, folder.FullName, folder.UidValidity, lastUid);

        // Set by every EXISTS the server announces, also while a fetch is running: a message that arrives
        // during a fetch is fetched before IDLE starts, never left waiting for the next IDLE refresh.
        int changes = 0;
        CancellationTokenSource? idleDone = null;
        void OnCountChanged(object? sender, EventArgs e)
        {
            Interlocked.Increment(ref changes);
            idleDone?.Cancel();
        }

        folder.CountChanged += OnCountChanged;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Interlocked.Exchange(ref changes, 0);
                lastUid = await FetchNewAsync(folder, lastUid, ct).ConfigureAwait(false);
                if (Volatile.Read(ref changes) > 0)
                {
                    continue;
                }

                if (client.Capabilities.HasFlag(ImapCapabilities.Idle))
                {
                    using var done = new CancellationTokenSource(options.IdleRefresh, time);
                    idleDone = done;
                    try
                    {
                        await client.IdleAsync(done.Token, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        idleDone = null;
                    }

                    if (Volatile.Read(ref changes) == 0 && !ct.IsCancellationRequested)
                    {
                        BotLog.IdleRefreshed(logger, Name);
                    }
                }
                else
                {
                    await Task.Delay(options.PollInterval, time, ct).ConfigureAwait(false);
                    await client.NoOpAsync(ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            folder.CountChanged -= OnCountChanged;
        }

        await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<uint> FetchNewAsync(IMailFolder folder, uint lastUid, CancellationToken ct)
    {
        if (folder.Count == 0)
        {
            return lastUid;
        }

        var range = new UniqueIdRange(new UniqueId(folder.UidValidity, lastUid + 1), UniqueId.MaxValue);
        var summaries = await folder.FetchAsync(range, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, ct).ConfigureAwait(false);
        foreach (var summary in summaries.Where(s => s.UniqueId.Id > lastUid).OrderBy(s => s.UniqueId.Id))
        {
            ct.ThrowIfCancellationRequested();
            if (summary.Size is { } size && size > intake.MaxMessageSize)
            {
                // over the limit of patchbot check: only its header is fetched, to remember it by Message-ID
                var headers = await folder.GetHeadersAsync(summary.UniqueId, ct).ConfigureAwait(false);
                using var header = new MemoryStream();
                headers.WriteTo(header, ct);
                lastUid = summary.UniqueId.Id;
                intake.ReceiveOversized(Name, header.ToArray(), size, lastUid, new SourceCursor(folder.UidValidity, lastUid));
                continue;
            }

            byte[] raw;
            using (var stream = await folder.GetStreamAsync(summary.UniqueId, ct).ConfigureAwait(false))
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
                raw = buffer.ToArray();
            }

            lastUid = summary.UniqueId.Id;
            intake.Receive(Name, raw, lastUid, new SourceCursor(folder.UidValidity, lastUid));
        }

        return lastUid;
    }

    /// <summary>Is a message with this Message-ID in the mailbox? (Used to settle a send interrupted by a crash.)</summary>
    public static async Task<bool> ContainsAsync(ImapSourceOptions options, bool publicInbox, string messageId, CancellationToken ct)
    {
        using var client = new ImapClient { Timeout = 30_000 };
        await client.ConnectAsync(options.Host, options.Port, options.Security, ct).ConfigureAwait(false);
        string user = string.IsNullOrEmpty(options.User) && publicInbox ? "anonymous" : options.User;
        string password = string.IsNullOrEmpty(options.Password) && publicInbox ? "anonymous" : options.Password;
        await client.AuthenticateAsync(user, password, ct).ConfigureAwait(false);
        var folder = await client.GetFolderAsync(options.Mailbox, ct).ConfigureAwait(false);
        await folder.OpenAsync(FolderAccess.ReadOnly, ct).ConfigureAwait(false);
        var found = await folder.SearchAsync(MailKit.Search.SearchQuery.HeaderContains("Message-ID", messageId), ct).ConfigureAwait(false);
        await client.DisconnectAsync(true, ct).ConfigureAwait(false);
        return found.Count > 0;
    }
}
