using System.Security.Cryptography;
using System.Text;

namespace PatchBot.Bot.GitHub;

/// <summary>X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the raw body with the webhook secret.</summary>
internal static class WebhookSignature
{
    private const string Prefix = "sha256=";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Whether <paramref name="header"/> is the signature of <paramref name="body"/>; compared in constant time.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header)
    {
        if (string.IsNullOrEmpty(secret) || header is null || !header.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var hex = header.AsSpan(Prefix.Length).Trim();
        if (hex.Length != 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        for (int i = 0; i < 32; i++)
        {
            int hi = HexValue(hex[2 * i]), lo = HexValue(hex[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            given[i] = (byte)((hi << 4) | lo);
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
