namespace PatchBot.Bot;

internal static class Program
{
    public static int Main(string[] args) => Cli.PatchBotCli.Run(args);
}
