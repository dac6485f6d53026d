namespace PatchBot.Engine.Tree;

/// <summary>
/// The kernel source tree mode analyses against: the files a patch touches are read from it (and the patch applied in
/// memory), and its index answers who calls a changed function in other files. A folder (<see cref="KernelTree"/>)
/// or one commit of a git clone (<see cref="GitCommitTree"/>).
/// </summary>
internal abstract class SourceTree
{
    /// <summary>What the tree is, for notes and replies: a folder, or a clone and a commit.</summary>
    public abstract string Name { get; }

    /// <summary>The index of the whole tree, built (or loaded from its cache) on first use.</summary>
    public abstract TreeIndex Index { get; }

    /// <summary>The text of <paramref name="path"/> (a path in the tree), or false when the tree has no such file.</summary>
    public abstract bool TryRead(string path, out string text);

    /// <summary>Whether <paramref name="path"/> is a plain relative path inside the tree (no "..", not absolute).</summary>
    protected static bool IsInside(string path) =>
        path.Length > 0 && !Path.IsPathRooted(path) && !path.Split('/', '\\').Any(p => p is ".." or "." or "");
}
