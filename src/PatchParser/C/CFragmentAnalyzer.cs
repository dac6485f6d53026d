namespace PatchBot.PatchParser.C;

/// <summary>
/// Reads one fragment of a C file (a hunk's lines of one image, or a whole file): the functions it defines or
/// touches, their calls and assignments, and the file-scope registrations. Heuristic, never throws: what it
/// cannot follow becomes a <see cref="Graph.CoverageGap"/>. The work is done by one part per concern:
/// <see cref="PreprocessorSplit"/> reads the tokens, <see cref="HunkPosition"/> finds where a hunk starts,
/// <see cref="FileScopeWalker"/>, <see cref="InitializerWalker"/> and <see cref="BodyWalker"/> walk what it shows.
/// </summary>
internal sealed class CFragmentAnalyzer
{
    private readonly PreprocessorSplit _split;
    private readonly string _origin;
    private readonly KernelIdioms _idioms;
    private readonly int _maxNesting;

    private CFragmentAnalyzer(CFragment fragment, string origin, KernelIdioms idioms, PreprocessorSplit split, int maxNesting)
    {
        Fragment = fragment;
        _origin = origin;
        _idioms = idioms;
        _split = split;
        _maxNesting = maxNesting;
    }

    public CFragment Fragment { get; }

    /// <summary>The file's token budget ran out in this fragment.</summary>
    public bool Truncated => _split.Truncated;

    /// <summary>Tokenizes <paramref name="fragment"/>; <see cref="Truncated"/> (with a gap) when the file's token budget ran out.</summary>
    /// <param name="maxNesting">Deepest brace nesting of an initialiser walked; deeper parts are skipped with a gap.</param>
    public static CFragmentAnalyzer Tokenize(CFragment fragment, string origin, CFileFacts facts, KernelIdioms idioms,
        int maxTokensPerFile, int maxNesting = 256) =>
        new(fragment, origin, idioms, PreprocessorSplit.Read(fragment, origin, facts, maxTokensPerFile), maxNesting);

    /// <summary>Adds the wrapper macros (#define X(...) DECLARE_PCI_FIXUP_...(...)) this fragment defines.</summary>
    public void CollectFixupWrappers(Dictionary<string, FixupWrapper> into) => _split.CollectFixupWrappers(into, _idioms);

    /// <summary>Walks the fragment and records what it finds in <paramref name="facts"/>.</summary>
    /// <param name="wrappers">The fixup wrappers #defined in this file's fragments of the same image.</param>
    /// <param name="onlyRemoved">Pre-image pass: record only what sits on removed lines.</param>
    public void Analyze(CFileFacts facts, IReadOnlyDictionary<string, FixupWrapper> wrappers, bool onlyRemoved)
    {
        TokenBuffer tokens = _split.Code;
        if (tokens.Count == 0)
        {
            return;
        }

        var walk = new FragmentWalk(Fragment, _origin, tokens, facts, wrappers, onlyRemoved, _maxNesting);
        var bodies = new BodyWalker(walk);
        var initializers = new InitializerWalker(walk, _idioms);
        var position = new HunkPosition(walk, _idioms, initializers, bodies);
        var fileScope = new FileScopeWalker(walk, _idioms, position, initializers, bodies);

        int i = 0;
        if (!Fragment.WholeFile)
        {
            position.StartInside(ref i);
        }

        fileScope.Walk(ref i, tokens.Count);
    }
}
