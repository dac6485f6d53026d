namespace PatchBot.Bench;

internal static class Program
{
    public static int Main(string[] args) => BenchCommand.Run(args, Console.Out, Console.Error);
}
