using PatchBot.Engine.Config;
using PatchBot.Rules.Config;

namespace PatchBot.Bot.Tests;

/// <summary>Finding and reading .patchbot.json (the engine's file side of rule configuration).</summary>
public sealed class ConfigFileTests
{
    [Fact]
    public void The_file_loader_reports_an_unreadable_file_and_finds_the_nearest_file_upward()
    {
        var root = Directory.CreateTempSubdirectory("patchbot-config-");
        try
        {
            string nested = Directory.CreateDirectory(Path.Combine(root.FullName, "a", "b")).FullName;
            string top = Path.Combine(root.FullName, PatchBotConfig.FileName);
            File.WriteAllText(top, """{ "disable": ["sysfs-after-device-add"] }""");
            Assert.Equal(top, ConfigFile.FindUpward(nested));
            Assert.True(ConfigFile.TryLoad(top, out var config, out _));
            Assert.False(config.IsEnabled("sysfs-after-device-add"));

            string near = Path.Combine(root.FullName, "a", PatchBotConfig.FileName);
            File.WriteAllText(near, "{}");
            Assert.Equal(near, ConfigFile.FindUpward(nested));

            string missing = Path.Combine(nested, "missing.json");
            Assert.False(ConfigFile.TryLoad(missing, out _, out string? error));
            Assert.StartsWith(missing + ": ", error, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
