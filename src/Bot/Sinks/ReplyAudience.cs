using MimeKit;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Sinks;

/// <summary>
/// Whom PatchBot answers and whom a reply goes to. A reply goes only to the patch author (From; Reply-To instead when
/// it names exactly one address and the list's policy says <see cref="ListPolicy.HonourReplyTo"/>), the configured list,
/// and with <see cref="ListPolicy.CcRecipients"/> the patch's To and Cc, at most <see cref="ListPolicy.MaxCcRecipients"/>
/// of them. Mail from mailer daemons, list software and bulk senders is never answered.
/// </summary>
internal static class ReplyAudience
{
    private static readonly string[] ListSoftwareSuffixes = ["-owner", "-request", "-bounces"];

    /// <summary>The delivery policy of the configured list the message was sent to: a list address in To or Cc, and,
    /// when the policy names <see cref="ListPolicy.Sources"/>, only for mail that came in through one of them. A
    /// List-Id header (anyone can write one) never selects a policy. Otherwise the dry-run default.</summary>
    public static ListPolicy PolicyFor(MimeMessage message, string source, DeliveryOptions delivery)
    {
        var addresses = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).ToList();
        foreach (var policy in delivery.Lists)
        {
            if (policy.Sources.Count > 0 && !policy.Sources.Contains(source, StringComparer.Ordinal))
            {
                continue;
            }

            if (addresses.Contains(policy.Address, StringComparer.OrdinalIgnoreCase))
            {
                return policy;
            }
        }

        return DeliveryOptions.Unconfigured;
    }

    /// <summary>Why PatchBot must never answer this mail, or null.</summary>
    public static string? WhyNeverAnswer(MimeMessage message, string? from, IdentityOptions identity, ListPolicy policy, IEnumerable<string> listAddresses)
    {
        if (message.Headers.Contains(ReplyComposer.MarkerHeader) || string.Equals(from, identity.Address, StringComparison.OrdinalIgnoreCase))
        {
            return "PatchBot's own mail";
        }

        string? auto = message.Headers["Auto-Submitted"];
        if (auto is not null && !auto.Trim().Equals("no", StringComparison.OrdinalIgnoreCase))
        {
            return $"Auto-Submitted: {auto.Trim()}";
        }

        if (from is null)
        {
            return "no sender";
        }

        if (IsMailerDaemon(from))
        {
            return $"a bounce (from {from})";
        }

        if (message.Headers[HeaderId.ReturnPath] is { } returnPath && returnPath.Trim() == "<>")
        {
            return "a bounce (null Return-Path)";
        }

        if (message.Body is MultipartReport)
        {
            return "a delivery or disposition report (multipart/report)";
        }

        if (IsListSoftware(from))
        {
            return $"list software ({from})";
        }

        string? listId = message.Headers[HeaderId.ListId];
        string? precedence = message.Headers["Precedence"]?.Trim().ToLowerInvariant();
        if (precedence == "junk")
        {
            return "Precedence: junk";
        }

        // A list adds "Precedence: bulk" (vger does) and List-Id to every post it distributes: with List-Id it is a
        // person's post as the list delivered it. Without one, bulk or list mail comes from a mass mailer.
        if (precedence is "bulk" or "list" && listId is null)
        {
            return $"Precedence: {precedence} and no List-Id";
        }

        if (listId is not null && IsTheListItself(from, listId, listAddresses))
        {
            return $"mail of the list itself ({from}), no patch author behind it";
        }

        foreach (var bot in identity.BotSenders.Concat(identity.IgnoredSenders).Concat(policy.IgnoredSenders))
        {
            if (bot.Length > 0 && from.Contains(bot, StringComparison.OrdinalIgnoreCase))
            {
                return $"sender {from} is ignored ({bot})";
            }
        }

        return null;
    }

    /// <summary>The addresses of a reply to <paramref name="parent"/> under <paramref name="policy"/>.</summary>
    public static ReplyAddresses Choose(MimeMessage parent, ListPolicy policy, bool configured, string botAddress)
    {
        var to = new List<MailboxAddress>();
        var cc = new List<MailboxAddress>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { botAddress };
        bool Add(MailboxAddress a)
        {
            if (!a.Address.Contains('@', StringComparison.Ordinal) || IsMailerDaemon(a.Address) || IsListSoftware(a.Address) || !seen.Add(a.Address))
            {
                return false;
            }

            (to.Count == 0 ? to : cc).Add(new MailboxAddress(a.Name, a.Address));
            return true;
        }

        if (policy.ReplyToAuthor && Author(parent, policy) is { } author)
        {
            Add(author);
        }

        if (policy.ReplyToList && configured && MailboxAddress.TryParse(policy.Address, out var list))
        {
            Add(list);
        }

        if (policy.CcRecipients && configured)
        {
            int added = 0;
            foreach (var a in parent.To.Mailboxes.Concat(parent.Cc.Mailboxes))
            {
                if (added >= policy.MaxCcRecipients)
                {
                    break;
                }

                if (Add(a))
                {
                    added++;
                }
            }
        }

        return new ReplyAddresses(to, cc);
    }

    /// <summary>The one author address: Reply-To when the policy honours it and it names exactly one mailbox, else the first From.</summary>
    private static MailboxAddress? Author(MimeMessage parent, ListPolicy policy)
    {
        if (policy.HonourReplyTo && parent.ReplyTo.Count == 1 && parent.ReplyTo[0] is MailboxAddress replyTo)
        {
            return replyTo;
        }

        return parent.From.Mailboxes.FirstOrDefault();
    }

    private static string LocalPart(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? address : address[..at];
    }

    private static bool IsMailerDaemon(string address) =>
        LocalPart(address).Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase);

    /// <summary>Mailman, Majordomo, mlmmj and the like write as LIST-owner, LIST-request, LIST-bounces or owner-LIST.</summary>
    private static bool IsListSoftware(string address)
    {
        string local = LocalPart(address);
        int plus = local.IndexOf('+', StringComparison.Ordinal); // VERP: list-bounces+user=host@
        if (plus > 0)
        {
            local = local[..plus];
        }

        return local.StartsWith("owner-", StringComparison.OrdinalIgnoreCase)
            || ListSoftwareSuffixes.Any(s => local.EndsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>From is the list's own address: a configured list, or the address the List-Id names ("list.example.org"
    /// for list@example.org).</summary>
    private static bool IsTheListItself(string from, string listId, IEnumerable<string> listAddresses)
    {
        if (listAddresses.Contains(from, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        int open = listId.LastIndexOf('<');
        int close = listId.LastIndexOf('>');
        string id = open >= 0 && close > open ? listId[(open + 1)..close] : listId.Trim();
        return id.Equals(from.Replace('@', '.'), StringComparison.OrdinalIgnoreCase);
    }
}
