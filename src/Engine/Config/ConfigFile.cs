using PatchBot.Rules.Config;

namespace PatchBot.Engine.Config;

/// <summary>
/// The file side of rule configuration, shared by check and serve: finding <c>.patchbot.json</c> and reading it.
/// The text is checked by <see cref="PatchBotConfig.TryLoad"/> (src/Rules does no I/O).
/// </summary>
internal static class ConfigFile
{
    /// <summary>Reads and checks the configuration file at <paramref name="path"/>; a file that cannot be read is an
    /// error too.</summary>
    public static bool TryLoad(string path, out PatchBotConfig config, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            config = PatchBotConfig.Empty;
            error = $"{path}: {e.Message}";
            return false;
        }

        return PatchBotConfig.TryLoad(text, path, out config, out error);
    }

    /// <summary>The nearest <see cref="PatchBotConfig.FileName"/> in <paramref name="folder"/> or a folder above it, or null.</summary>
    public static string? FindUpward(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, PatchBotConfig.FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
