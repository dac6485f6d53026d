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
/// ordinal order so that output is deterministic. Each folder is read once, by its identity (device and
/// inode), so a symlink loop or a second link to a folder costs nothing; a FIFO, socket or device found in a
/// folder is skipped with a note (a FIFO would block the read forever), and given as an argument it is an error.
/// </summary>
internal static class InputExpander
{
    public static (IReadOnlyList<InputSource> Sources, IReadOnlyList<InputError> Errors) Expand(
        IEnumerable<string> paths, Func<Stream> stdin, List<string>? notes = null)
    {
        var sources = new List<InputSource>();
        var errors = new List<InputError>();
        var walk = new Walk(sources, errors, notes ?? []);
        foreach (var path in paths)
        {
            if (path == "-")
            {
                sources.Add(new InputSource("-", stdin));
            }
            else if (UnixFile.Stat(path) is { Kind: not (UnixFileKind.Regular or UnixFileKind.Directory) } special)
            {
                errors.Add(new InputError(path, $"is a {Describe(special.Kind)}, not a file or folder; not read"));
            }
            else if (File.Exists(path))
            {
                sources.Add(FileSource(path));
            }
            else if (Directory.Exists(path))
            {
                walk.AddDirectory(path);
            }
            else
            {
                errors.Add(new InputError(path, "no such file or directory"));
            }
        }

        return (sources, errors);
    }

    private static string Describe(UnixFileKind kind) => kind switch
    {
        UnixFileKind.Fifo => "FIFO",
        UnixFileKind.Socket => "socket",
        UnixFileKind.CharacterDevice => "character device",
        UnixFileKind.BlockDevice => "block device",
        _ => "special file",
    };

    private static InputSource FileSource(string path) =>
        new(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));

    private static bool IsMaildir(string path) =>
        Directory.Exists(Path.Combine(path, "cur")) && Directory.Exists(Path.Combine(path, "new"));

    private sealed class Walk(List<InputSource> sources, List<InputError> errors, List<string> notes)
    {
        private readonly HashSet<(ulong Device, ulong Inode)> _seen = [];
        private readonly HashSet<string> _seenPaths = new(StringComparer.Ordinal); // where statx is not available

        public void AddDirectory(string root)
        {
            try
            {
                if (!FirstVisit(root))
                {
                    notes.Add($"{root}: a folder already read (a symlink loop or a second link to it); not read again");
                    return;
                }

                if (IsMaildir(root))
                {
                    // Maildir: messages live in new/ and cur/; tmp/ holds deliveries in progress.
                    foreach (var sub in new[] { "new", "cur" })
                    {
                        AddFiles(Path.Combine(root, sub));
                    }

                    return;
                }

                AddFiles(root);
                foreach (var dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
                {
                    if (!Path.GetFileName(dir).StartsWith('.'))
                    {
                        AddDirectory(dir);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add(new InputError(root, e.Message));
            }
        }

        private bool FirstVisit(string dir) =>
            UnixFile.Stat(dir) is { } status
                ? _seen.Add((status.Device, status.Inode))
                : _seenPaths.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));

        private void AddFiles(string dir)
        {
            foreach (var file in Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
            {
                if (UnixFile.Stat(file) is { Kind: not UnixFileKind.Regular } special)
                {
                    notes.Add($"{file}: a {Describe(special.Kind)}, not a file; skipped");
                    continue;
                }

                sources.Add(FileSource(file));
            }
        }
    }
}
