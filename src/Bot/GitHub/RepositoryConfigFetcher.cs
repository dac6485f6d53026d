using System.Text;
using Octokit;
using PatchBot.Rules.Config;

namespace PatchBot.Bot.GitHub;

/// <summary>The rule configuration of a pull request and why it could not be used, if it could not.</summary>
internal sealed record RepositoryConfig(PatchBotConfig Config, string? Problem);

/// <summary>
/// The repository's .patchbot.json at the pull request's head, read through the contents API and checked by the
/// loader <c>patchbot check</c> uses (<see cref="PatchBotConfig.TryLoad"/>): absent, the defaults; present but
/// unusable, the defaults and a problem that goes into the report, so the pull request shows what to fix.
/// </summary>
internal sealed class RepositoryConfigFetcher(IGitHubClient client)
{
    public async Task<RepositoryConfig> FetchAsync(PullRequestEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        string source = $"{PatchBotConfig.FileName} at {evt.HeadSha[..Math.Min(12, evt.HeadSha.Length)]}";
        IReadOnlyList<RepositoryContent> found;
        try
        {
            found = await client.Repository.Content.GetAllContentsByRef(evt.Owner, evt.Repository, PatchBotConfig.FileName, evt.HeadSha).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return new RepositoryConfig(PatchBotConfig.Empty, null);
        }

        string? problem;
        if (found is not [{ Type.Value: ContentType.File } file])
        {
            problem = $"{source}: not a file";
        }
        else if (Decode(file) is not { } text)
        {
            problem = $"{source}: the contents API gave no readable text (too large, or not base64)";
        }
        else if (PatchBotConfig.TryLoad(text, source, out var config, out problem))
        {
            return new RepositoryConfig(config, null);
        }

        return new RepositoryConfig(PatchBotConfig.Empty, problem + "; checked with the default rules");
    }

    /// <summary>The file's text, when it is UTF-8.</summary>
    private static string? Decode(RepositoryContent file)
    {
        if (ContentBytes(file) is not { } bytes)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>A file's bytes from the contents API's JSON description: base64 with line breaks (files up to 1 MB; a
    /// larger one comes with encoding "none" and no content). Octokit's own decoding throws on a malformed answer; this
    /// one gives null.</summary>
    internal static byte[]? ContentBytes(RepositoryContent file)
    {
        if (file.EncodedContent is not { Length: > 0 } encoded || !string.Equals(file.Encoding, "base64", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string compact = string.Concat(encoded.Where(c => !char.IsWhiteSpace(c)));
        byte[] bytes = new byte[compact.Length * 3 / 4];
        return Convert.TryFromBase64String(compact, bytes, out int length) ? bytes[..length] : null;
    }
}
