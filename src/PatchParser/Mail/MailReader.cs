using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using MimeKit.Text;

namespace PatchBot.PatchParser.Mail;

/// <summary>
/// Reads mail input into <see cref="MailItem"/>s: an mbox (mboxo/mboxrd, git format-patch output), a single
/// RFC 5322 message, or a bare patch, recognised by content. Streams (one message in memory at a time) and
/// never throws on bad input: what cannot be read becomes an <see cref="MailItemKind.Unreadable"/> item or a
/// <see cref="Problem"/>, and reading carries on with the next message.
/// </summary>
public static partial class MailReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads every message of <paramref name="stream"/> lazily, in order.</summary>
    /// <param name="sourceName">The input's name for items and problems (a path, "-" for stdin).</param>
    public static IEnumerable<MailItem> Read(Stream stream, string sourceName, MailOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return ReadCore(stream, sourceName, options ?? MailOptions.Default, parallelism: 1);
    }

    /// <summary>Reads one already-parsed message (a Maildir file, an IMAP fetch).</summary>
    /// <param name="ordinal">Its 1-based position in its input.</param>
    /// <remarks>A message from <see cref="LoadMessage"/> that was cut at the MIME part limit gets a problem saying so.</remarks>
    public static MailItem ReadMessage(MimeMessage message, string sourceName, int ordinal = 1, MailOptions? options = null) =>
        ReadMessage(message, sourceName, ordinal, offset: null, options ?? MailOptions.Default, fromMbox: false,
            partsCut: CutMessages.TryGetValue(message, out _));

    /// <summary>
    /// Parses one raw message (a Maildir file, an IMAP fetch) as <see cref="Read(Stream, string, MailOptions?)"/>
    /// parses each message of an mbox: a message with more MIME parts than the limit is parsed up to the limit only,
    /// and <see cref="ReadMessage(MimeMessage, string, int, MailOptions?)"/> reports the rest as skipped.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a message.</exception>
    public static MimeMessage LoadMessage(byte[] raw, MailOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(raw);
        options ??= MailOptions.Default;
        var parser = new MimeParser(ParserOptionsFor(options), Stream.Null, MimeFormat.Entity, persistent: false);
        var message = Parse(parser, raw, raw.Length, MimeFormat.Entity, options, out bool partsCut);
        if (partsCut)
        {
            CutMessages.AddOrUpdate(message, CutMarker);
        }

        return message;
    }

    /// <summary>Messages <see cref="LoadMessage"/> cut at the part limit (weakly held: gone with the message).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MimeMessage, object> CutMessages = [];

    private static readonly object CutMarker = new();

    private static IEnumerable<MailItem> ReadCore(Stream stream, string source, MailOptions options, int parallelism, bool gunzipped = false)
    {
        var head = new byte[InputSniffer.SniffLength];
        int length = 0;
        string? readError = null;
        try
        {
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ObjectDisposedException)
        {
            readError = ex.Message;
        }
        if (readError is not null)
        {
            yield return Unreadable(source, 1, 0, $"cannot read input: {readError}");
            yield break;
        }

        var input = new PrefixedStream(head, length, stream);
        if (!gunzipped && length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            // A gzip file (an archive as lore and mirrors hand it out): read what it holds, streamed. One level only.
            // Each member's trailer is checked, so a cut archive is reported at the message where it stops.
            using var gzip = new CheckedGzipStream(input);
            foreach (var item in ReadCore(gzip, source, options, parallelism, gunzipped: true))
            {
                yield return item;
            }

            yield break;
        }

        switch (InputSniffer.Sniff(head.AsSpan(0, length)))
        {
            case InputFormat.Empty:
                yield return Unreadable(source, 1, 0, "empty input", skipped: false); // nothing in it to check
                break;
            case InputFormat.Binary:
                yield return Unreadable(source, 1, 0, "binary data, neither mail nor a patch");
                break;
            case InputFormat.Mbox:
                foreach (var item in parallelism > 1 ? ReadMboxParallel(input, source, options, parallelism) : ReadMbox(input, source, options))
                {
                    yield return item;
                }
                break;
            case InputFormat.Message:
                // One bare message: read at most 64 KB over the limit (room for its headers in the report), so a
                // huge one is reported, not loaded.
                yield return ReadSingle(new PrefixedStream(head, length, stream, SaturatingAdd(options.MaxMessageSize, 64 * 1024)), source, options);
                break;
            default:
                yield return ReadText(input, source, options);
                break;
        }
    }

    private static ParserOptions ParserOptionsFor(MailOptions options)
    {
        var parserOptions = ParserOptions.Default.Clone();
        parserOptions.MaxMimeDepth = Math.Max(1, options.MaxMimeDepth + 1);
        return parserOptions;
    }

    private static IEnumerable<MailItem> ReadMbox(Stream input, string source, MailOptions options)
    {
        var frames = new MboxFrameStream(input, options.MaxMessageSize);
        var parser = new MimeParser(ParserOptionsFor(options), Stream.Null, MimeFormat.Mbox, persistent: false); // one parser, its buffers reused
        int ordinal = 0;
        while (true)
        {
            var frame = new Frame();
            try
            {
                if (!frames.NextFrame())
                {
                    break;
                }
                ordinal++;
                frame.Ordinal = ordinal;
                frame.Offset = frames.FrameStart;
                ReadFrame(frames, frame);
                frame.Overflowed = frames.Overflowed;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                ReturnBytes(frame);
                frame.Item = Unreadable(source, Math.Max(ordinal, 1), frames.FrameStart, $"cannot parse message: {ex.Message}");
            }

            if (frame.Item is { } unreadable)
            {
                yield return unreadable; // the input itself cannot be read further
                yield break;
            }

            MailItem item;
            try
            {
                item = ParseFrame(parser, frame, source, options);
            }
            finally
            {
                ReturnBytes(frame);
            }

            yield return item;
        }
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static MailItem ReadSingle(PrefixedStream input, string source, MailOptions options)
    {
        var frame = new Frame { Ordinal = 1 };
        try
        {
            ReadFrame(input, frame);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            ReturnBytes(frame);
            return Unreadable(source, 1, 0, $"cannot read input: {ex.Message}");
        }

        try
        {
            var parser = new MimeParser(ParserOptionsFor(options), Stream.Null, MimeFormat.Entity, persistent: false);
            MimeMessage message;
            bool partsCut;
            try
            {
                message = Parse(parser, frame.Bytes!, frame.Length, MimeFormat.Entity, options, out partsCut);
            }
            catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException)
            {
                return Unreadable(source, 1, 0, input.AtLimit
                    ? $"message is over the limit of {options.MaxMessageSize} bytes; skipped"
                    : $"cannot parse message: {ex.Message}");
            }

            using (message)
            {
                return frame.Length > options.MaxMessageSize
                    ? TooLarge(message, source, 1, 0, frame.Length, options)
                    : ReadMessage(message, source, 1, 0, options, fromMbox: false, partsCut);
            }
        }
        finally
        {
            ReturnBytes(frame);
        }
    }

    /// <summary>
    /// Parses one message held in <paramref name="bytes"/>, cut before its first MIME part over the limit so that a
    /// message of millions of parts costs what its first parts cost (<paramref name="partsCut"/> says so).
    /// </summary>
    private static MimeMessage Parse(MimeParser parser, byte[] bytes, int length, MimeFormat format, MailOptions options, out bool partsCut)
    {
        int? cut = MimePartCounter.CutBeforeLimit(bytes, length, format, ParserOptionsFor(options), options.MaxMimeParts);
        partsCut = cut is not null;
        using var stream = new MemoryStream(bytes, 0, cut ?? length, writable: false);
        parser.SetStream(stream, format, persistent: false); // keeps the options given to the constructor
        return parser.ParseMessage();
    }

    private static MailItem ReadText(Stream input, string source, MailOptions options)
    {
        string text;
        try
        {
            using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
            var sb = new StringBuilder();
            var buffer = new char[64 * 1024];
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                sb.Append(buffer, 0, n);
                if (sb.Length > options.MaxMessageSize)
                {
                    return Unreadable(source, 1, 0, $"input is over the limit of {options.MaxMessageSize} characters; skipped");
                }
            }
            text = sb.ToString();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return Unreadable(source, 1, 0, $"cannot read input: {ex.Message}");
        }

        text = PatchText.Normalize(text, unquoteMboxFrom: false);
        var patches = new List<MailPatch>();
        var problems = new List<Problem>();
        if (PatchText.ReadPatches(text, null, options, patches, options.MaxPatchesPerMessage))
        {
            problems.Add(new Problem($"more than {options.MaxPatchesPerMessage} patches; the rest skipped", source) { Skipped = true });
        }
        var subject = patches.Count > 0 ? patches[0].Subject : null;
        return new MailItem
        {
            Source = source,
            Ordinal = 1,
            ByteOffset = 0,
            Subject = subject ?? string.Empty,
            PatchSubject = SubjectParser.Parse(subject),
            Kind = patches.Count > 0 ? MailItemKind.Patch : MailItemKind.NotAPatch,
            Reason = patches.Count > 0 ? null : "no diff in the input",
            Patches = patches,
            Problems = problems,
        };
    }

    private static MailItem Unreadable(string source, int ordinal, long? offset, string reason, bool skipped = true) => new()
    {
        Source = source,
        Ordinal = ordinal,
        ByteOffset = offset,
        Kind = MailItemKind.Unreadable,
        Reason = reason,
        Problems = [new Problem(Where(ordinal, offset) + reason, source) { Skipped = skipped }],
    };

    private static string Where(int ordinal, long? offset) =>
        offset is { } o ? $"message {ordinal} (byte {o}): " : $"message {ordinal}: ";

    private static MailItem TooLarge(MimeMessage message, string source, int ordinal, long offset, long size, MailOptions options)
    {
        string reason = $"message is over the limit of {options.MaxMessageSize} bytes (read {size}); skipped";
        return Headers(message, source, ordinal, offset) with
        {
            Kind = MailItemKind.Unreadable,
            Reason = reason,
            Problems = [new Problem(Where(ordinal, offset) + reason, source) { Skipped = true }],
        };
    }

    /// <summary>The item with the header fields filled in (kind still to be decided).</summary>
    private static MailItem Headers(MimeMessage message, string source, int ordinal, long? offset)
    {
        var subject = message.Subject ?? string.Empty;
        var from = message.From.Mailboxes.FirstOrDefault();
        bool hasDate = message.Headers.Contains(HeaderId.Date) && message.Date != DateTimeOffset.MinValue;
        return new MailItem
        {
            Source = source,
            Ordinal = ordinal,
            ByteOffset = offset,
            MessageId = string.IsNullOrEmpty(message.MessageId) ? null : message.MessageId,
            Subject = subject,
            PatchSubject = SubjectParser.Parse(subject),
            From = from?.Address,
            FromName = string.IsNullOrEmpty(from?.Name) ? null : from.Name,
            Date = hasDate ? message.Date : null,
            InReplyTo = string.IsNullOrEmpty(message.InReplyTo) ? null : message.InReplyTo,
            References = [.. message.References],
            Kind = MailItemKind.NotAPatch,
        };
    }

    private static MailItem ReadMessage(MimeMessage message, string source, int ordinal, long? offset, MailOptions options, bool fromMbox, bool partsCut)
    {
        ArgumentNullException.ThrowIfNull(message);
        var item = Headers(message, source, ordinal, offset);
        var subject = item.PatchSubject;
        var problems = new List<Problem>();
        string where = Where(ordinal, offset);
        if (message.Headers.Count == 0)
        {
            problems.Add(new Problem(where + "no header fields", source));
        }

        if (subject.IsCoverLetter && !subject.IsReply)
        {
            var footers = new List<Trailer>();
            TrailerReader.ReadFooters(message.TextBody ?? string.Empty, footers);
            return item with { Kind = MailItemKind.CoverLetter, Reason = $"cover letter ({subject.Part}): nothing to lint", Problems = problems, Footers = footers };
        }
        if (subject.IsPullRequest && !subject.IsReply)
        {
            return item with { Kind = MailItemKind.PullRequest, Reason = "pull request: nothing to lint", Problems = problems };
        }

        var texts = new List<(string Text, string? AttachmentName)>();
        CollectTexts(message.Body, texts, problems, options, fromMbox, where, source);
        if (partsCut && !problems.Exists(p => p.Message.EndsWith(TooManyParts(options), StringComparison.Ordinal)))
        {
            problems.Add(new Problem(where + TooManyParts(options), source) { Skipped = true });
        }

        if (!subject.IsReply && texts.Count > 0 && texts[0].AttachmentName is null && PatchText.LooksLikeRequestPull(texts[0].Text))
        {
            return item with { Kind = MailItemKind.PullRequest, Reason = "git request-pull body: nothing to lint", Problems = problems };
        }

        var patches = new List<MailPatch>();
        for (int i = 0; i < texts.Count; i++)
        {
            if (PatchText.ReadPatches(texts[i].Text, texts[i].AttachmentName, options, patches, options.MaxPatchesPerMessage)
                || (patches.Count >= options.MaxPatchesPerMessage && i + 1 < texts.Count))
            {
                problems.Add(new Problem(where + $"more than {options.MaxPatchesPerMessage} patches; the rest skipped", source) { Skipped = true });
                break;
            }
        }
        if (patches.Count > 0)
        {
            return item with { Kind = MailItemKind.Patch, Patches = patches, Problems = problems };
        }

        bool quotes = texts.Exists(t => PatchText.QuotesDiff(t.Text));
        if (subject.IsReply || quotes)
        {
            return item with
            {
                Kind = MailItemKind.Reply,
                Reason = quotes ? "reply quoting a patch with \"> \": no patch of its own" : "reply with no patch",
                Problems = problems,
            };
        }
        return item with
        {
            Kind = MailItemKind.NotAPatch,
            Reason = texts.Count == 0 ? "no plain-text body or patch attachment" : "no diff in the message",
            Problems = problems,
        };
    }

    /// <summary>Walks the MIME tree (iteratively, within the depth and part limits) and decodes, once each,
    /// the plain-text bodies and the patch attachments, in order.</summary>
    private static void CollectTexts(MimeEntity? body, List<(string, string?)> texts, List<Problem> problems, MailOptions options,
        bool fromMbox, string where, string source)
    {
        if (body is null)
        {
            return;
        }
        var stack = new Stack<(MimeEntity Entity, int Depth)>();
        stack.Push((body, 0));
        int parts = 0;
        bool tooDeep = false;
        while (stack.Count > 0)
        {
            var (entity, depth) = stack.Pop();
            if (++parts > options.MaxMimeParts)
            {
                problems.Add(new Problem(where + TooManyParts(options), source) { Skipped = true });
                return;
            }
            switch (entity)
            {
                case MultipartEncrypted:
                    problems.Add(new Problem(where + "encrypted part (multipart/encrypted) cannot be read", source) { Skipped = true });
                    break;
                case Multipart multipart when depth >= options.MaxMimeDepth:
                    if (!tooDeep)
                    {
                        problems.Add(new Problem(where + $"MIME nesting deeper than {options.MaxMimeDepth}; inner parts skipped", source) { Skipped = true });
                        tooDeep = true;
                    }
                    break;
                case MultipartSigned signed:
                    // PGP/MIME or S/MIME: the first part is the signed content, the second the signature.
                    if (signed.Count > 0)
                    {
                        stack.Push((signed[0], depth + 1));
                    }
                    break;
                case Multipart multipart:
                    if (multipart.ContentType.IsMimeType("multipart", "alternative"))
                    {
                        var plain = multipart.FirstOrDefault(e => e is TextPart { IsPlain: true }) ?? (multipart.Count > 0 ? multipart[0] : null);
                        if (plain is not null)
                        {
                            stack.Push((plain, depth + 1));
                        }
                        break;
                    }
                    for (int i = multipart.Count - 1; i >= 0; i--)
                    {
                        stack.Push((multipart[i], depth + 1));
                    }
                    break;
                case MimePart part:
                    if (part.ContentType.MediaType.Equals("multipart", StringComparison.OrdinalIgnoreCase))
                    {
                        if (!tooDeep)
                        {
                            problems.Add(new Problem(where + $"MIME nesting deeper than {options.MaxMimeDepth}; inner parts skipped", source) { Skipped = true });
                            tooDeep = true;
                        }
                        break;
                    }
                    ReadLeaf(part, texts, problems, options, fromMbox, where, source);
                    break;
                default:
                    break; // message/rfc822 (a forwarded message) and other parts carry no patch of this message
            }
        }
    }

    private static void ReadLeaf(MimePart part, List<(string, string?)> texts, List<Problem> problems, MailOptions options,
        bool fromMbox, string where, string source)
    {
        string? name = part.FileName;
        bool patchFile = IsPatchFileName(name) || IsPatchMimeType(part.ContentType);
        bool inlineText = part is TextPart { IsPlain: true } && !part.IsAttachment;
        if ((!patchFile && !inlineText) || part.Content is null)
        {
            return;
        }
        var encoded = part.Content.Stream;
        if (encoded is { CanSeek: true } && encoded.Length > options.MaxAttachmentSize)
        {
            problems.Add(new Problem(where + $"part {name ?? part.ContentType.MimeType} is {encoded.Length} bytes, over the limit of {options.MaxAttachmentSize}; skipped", source) { Skipped = true });
            return;
        }

        string text;
        try
        {
            text = part is TextPart textPart ? textPart.GetText(out _) : DecodeBytes(part);
            if (part.ContentType.Parameters.TryGetValue("format", out string? format) && format.Equals("flowed", StringComparison.OrdinalIgnoreCase))
            {
                bool delsp = part.ContentType.Parameters.TryGetValue("delsp", out string? d) && d.Equals("yes", StringComparison.OrdinalIgnoreCase);
                text = new FlowedToText { DeleteSpace = delsp }.Convert(text);
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or IOException or InvalidOperationException)
        {
            problems.Add(new Problem(where + $"cannot decode part {name ?? part.ContentType.MimeType}: {ex.Message}", source) { Skipped = true });
            return;
        }

        bool base64 = part.ContentTransferEncoding == ContentEncoding.Base64;
        text = PatchText.Normalize(text, unquoteMboxFrom: fromMbox && !base64);
        texts.Add((text, patchFile ? name ?? "(unnamed patch attachment)" : null));
    }

    private static string TooManyParts(MailOptions options) => $"more than {options.MaxMimeParts} MIME parts; the rest skipped";

    private static string DecodeBytes(MimePart part)
    {
        using var decoded = new MemoryStream();
        part.Content?.DecodeTo(decoded);
        var bytes = decoded.GetBuffer().AsSpan(0, (int)decoded.Length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }

    private static bool IsPatchFileName(string? name) =>
        name is not null && (name.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".diff", StringComparison.OrdinalIgnoreCase));

    private static bool IsPatchMimeType(ContentType type) =>
        type.IsMimeType("text", "x-patch") || type.IsMimeType("text", "x-diff") || type.IsMimeType("text", "diff")
        || type.IsMimeType("text", "patch") || type.IsMimeType("application", "x-patch") || type.IsMimeType("application", "x-diff");
}
