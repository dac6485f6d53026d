namespace PatchBot.Engine.Inputs;

/// <summary>One thing to read: a file, a Maildir message, or standard input.</summary>
/// <param name="Name">How reports name it: the path as given, "-" for stdin.</param>
/// <param name="Open">Opens it for reading; may throw IOException, which the caller reports.</param>
internal sealed record InputSource(string Name, Func<Stream> Open);

/// <summary>A path argument that could not be used, with the reason.</summary>
internal sealed record InputError(string Path, string Reason);

/// <summary>
/// Expands the path arguments of <c>patchbot check</c>: files as they are, "-" as standard input,
/// a Maildir (a folder with cur/ and new/) as its messages, any other folder recursively in
/// ordinal order so that output is deterministic.
/// </summary>
internal static class InputExpander
{
    public static (IReadOnlyList<InputSource> Sources, IReadOnlyList<InputError> Errors) Expand(
        IEnumerable<string> paths, Func<Stream> stdin)
    {
        var sources = new List<InputSource>();
        var errors = new List<InputError>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add(new InputSource("-", stdin));
            }
            else if (File.Exists(path))
            {
                sources.Add(FileSource(path));
            }
            else if (Directory.Exists(path))
            {
                AddDirectory(path, sources, errors);
            }
            else
            {
                errors.Add(new InputError(path, "no such file or directory"));
            }
        }

        return (sources, errors);
    }

    private static InputSource FileSource(string path) =>
        new(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));

    private static bool IsMaildir(string path) =>
        Directory.Exists(Path.Combine(path, "cur")) && Directory.Exists(Path.Combine(path, "new"));

    private static void AddDirectory(string root, List<InputSource> sources, List<InputError> errors)
    {
        try
        {
            if (IsMaildir(root))
            {
                // Maildir: messages live in new/ and cur/; tmp/ holds deliveries in progress.
                foreach (var sub in new[] { "new", "cur" })
                {
                    foreach (var file in SortedFiles(Path.Combine(root, sub)))
                    {
                        sources.Add(FileSource(file));
                    }
                }

                return;
            }

            foreach (var file in SortedFiles(root))
            {
                sources.Add(FileSource(file));
            }

            foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                if (!Path.GetFileName(dir).StartsWith('.'))
                {
                    AddDirectory(dir, sources, errors);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new InputError(root, e.Message));
        }
    }

    private static IEnumerable<string> SortedFiles(string dir) =>
        Directory.GetFiles(dir)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
}
