namespace PatchBot.Rules.Tests;

internal static class RepoPaths
{
    /// <summary>The folder holding PatchBot.sln, found by walking up from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PatchBot.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("PatchBot.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
