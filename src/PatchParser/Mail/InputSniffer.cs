namespace PatchBot.PatchParser.Mail;

/// <summary>What an input is, judged by its first bytes.</summary>
internal enum InputFormat
{
    Empty,
    /// <summary>Starts with a "From " line: mboxo/mboxrd, git format-patch output.</summary>
    Mbox,
    /// <summary>Starts with RFC 5322 header fields, one of them a mail header.</summary>
    Message,
    /// <summary>Text without mail headers: a bare diff or patch.</summary>
    Text,
    /// <summary>Binary data (NUL bytes or mostly control characters).</summary>
    Binary,
}

internal static class InputSniffer
{
    /// <summary>Bytes looked at.</summary>
    public const int SniffLength = 16 * 1024;

    private static readonly string[] MailHeaders =
    [
        "from", "subject", "date", "message-id", "received", "return-path", "mime-version", "delivered-to",
        "x-original-to", "in-reply-to", "references", "to", "cc", "dkim-signature", "arc-seal", "authentication-results",
    ];

    public static InputFormat Sniff(ReadOnlySpan<byte> head)
    {
        // A UTF-8 byte order mark in front of a bare patch.
        if (head.StartsWith("\xEF\xBB\xBF"u8))
        {
            head = head[3..];
        }
        if (head.IsEmpty)
        {
            return InputFormat.Empty;
        }
        if (head.StartsWith("From "u8))
        {
            return InputFormat.Mbox;
        }
        if (LooksLikeHeaders(head))
        {
            return InputFormat.Message; // NUL bytes in a body are the body's problem, not the sniffer's
        }
        return IsBinary(head) ? InputFormat.Binary : InputFormat.Text;
    }

    private static bool IsBinary(ReadOnlySpan<byte> head)
    {
        if (head.Contains((byte)0))
        {
            return true;
        }
        int control = 0;
        foreach (byte b in head)
        {
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0C or 0x1B))
            {
                control++;
            }
        }
        return control * 10 > head.Length;
    }

    /// <summary>Header fields first ("Name: value", folded lines allowed), one of them a mail header.</summary>
    private static bool LooksLikeHeaders(ReadOnlySpan<byte> head)
    {
        bool mailHeader = false;
        int fields = 0;
        while (!head.IsEmpty)
        {
            int nl = head.IndexOf((byte)'\n');
            var line = nl < 0 ? head : head[..nl];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }
            if (line.IsEmpty)
            {
                break; // end of the header block
            }
            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (fields == 0)
                {
                    return false;
                }
            }
            else
            {
                int colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    return false;
                }
                foreach (byte b in line[..colon])
                {
                    if (b <= 32 || b >= 127)
                    {
                        return false;
                    }
                }
                fields++;
                if (!mailHeader)
                {
                    var name = System.Text.Encoding.ASCII.GetString(line[..colon]);
                    mailHeader = Array.Exists(MailHeaders, h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
                }
            }
            if (nl < 0)
            {
                break;
            }
            head = head[(nl + 1)..];
        }
        return fields > 0 && mailHeader;
    }
}
