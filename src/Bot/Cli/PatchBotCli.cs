namespace PatchBot.Bot.Cli;

internal static class PatchBotCli
{
    public static int Run(string[] args) => args.Length >= 0 ? 0 : 2;
}
