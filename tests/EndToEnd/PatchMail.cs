using System.Text;

namespace PatchBot.EndToEnd.Tests;

/// <summary>The sample patch (a DMA alias added in probe: one finding) as a mail with the headers a test chooses.</summary>
internal static class PatchMail
{
    private static readonly Lazy<string> Sample = new(() =>
    {
        string patch = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "ntb-acme-dma-alias-in-probe.patch"));
        return patch[(patch.IndexOf('\n', StringComparison.Ordinal) + 1)..]; // the mbox "From " line
    });

    /// <summary>The patch from <paramref name="from"/>, with the Message-ID &lt;<paramref name="id"/>&gt;, a subject
    /// made unique by <paramref name="subjectTag"/>, and any further header lines (To, Cc, ...) in <paramref name="headers"/>.</summary>
    public static byte[] Make(string from, string id, string subjectTag, params string[] headers)
    {
        string extra = string.Concat(headers.Select(h => "\n" + h));
        string text = Sample.Value
            .Replace("From: Ada Developer <ada@example.org>", $"From: {from}\nMessage-ID: <{id}>{extra}", StringComparison.Ordinal)
            .Replace("Subject: [PATCH] NTB: acme:", $"Subject: [PATCH] NTB: acme {subjectTag}:", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text);
    }
}
