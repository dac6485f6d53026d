using System.Text.Json;
using System.Text.Json.Nodes;

namespace PatchBot.EndToEnd.Tests;

/// <summary>A work folder with a settings file for one bot, reading bot@'s INBOX and replying through the local Postfix.</summary>
internal sealed class BotScenario : IDisposable
{
    public BotScenario(MailServers mail, Action<JsonObject>? tweak = null)
    {
        Dir = Path.Combine(Path.GetTempPath(), "patchbot-bot-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Dir);
        HealthPort = MailServers.FreePort();
        var config = new JsonObject
        {
            ["Identity"] = new JsonObject { ["Address"] = "bot@example.test", ["Contact"] = "patchbot-admin@example.test" },
            ["Sources"] = new JsonObject
            {
                ["Imap"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "bot", ["Host"] = "127.0.0.1", ["Port"] = mail.ImapPort, ["Security"] = "None",
                    ["User"] = "bot@example.test", ["Password"] = MailServers.Password,
                    ["FirstRun"] = "New", ["ReconnectMin"] = "00:00:00.200", ["ReconnectMax"] = "00:00:01",
                }),
            },
            ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = mail.SmtpPort, ["Security"] = "None" },
            ["State"] = new JsonObject { ["Path"] = Path.Combine(Dir, "state.db") },
            ["Series"] = new JsonObject { ["WaitForMissing"] = "00:00:03", ["Tick"] = "00:00:00.200" },
            ["Delivery"] = new JsonObject
            {
                ["DryRunFolder"] = Path.Combine(Dir, "dry-run"),
                ["Lists"] = new JsonArray(new JsonObject { ["Address"] = "lkml@example.test", ["ReplyToAuthor"] = true, ["ReplyToList"] = true }),
            },
            ["Health"] = new JsonObject { ["Port"] = HealthPort },
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information", ["Microsoft"] = "Warning" } },
        };
        tweak?.Invoke(config);
        ConfigPath = Path.Combine(Dir, "appsettings.json");
        File.WriteAllText(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Bot = new BotProcess(ConfigPath, Dir, HealthPort);
    }

    public string Dir { get; }

    public int HealthPort { get; }

    public string ConfigPath { get; }

    public BotProcess Bot { get; }

    public void Dispose()
    {
        Bot.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
