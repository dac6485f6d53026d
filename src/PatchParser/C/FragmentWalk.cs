using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.PatchParser.C;

/// <summary>
/// What the walkers of one fragment share: its tokens, where the facts go, and which image is being read.
/// One per <see cref="CFragmentAnalyzer.Analyze"/> call.
/// </summary>
internal sealed class FragmentWalk
{
    public FragmentWalk(CFragment fragment, string origin, TokenBuffer tokens, CFileFacts facts,
        IReadOnlyDictionary<string, FixupWrapper> wrappers, bool onlyRemoved, int maxNesting)
    {
        Fragment = fragment;
        Origin = origin;
        Tokens = tokens;
        Facts = facts;
        Wrappers = wrappers;
        OnlyRemoved = onlyRemoved;
        MaxNesting = maxNesting;
    }

    public CFragment Fragment { get; }

    public string Origin { get; }

    /// <summary>The fragment's code tokens (preprocessor lines and comments left out).</summary>
    public TokenBuffer Tokens { get; }

    public CFileFacts Facts { get; }

    /// <summary>Fixup wrapper macros #defined in the patch's fragments of this file and image.</summary>
    public IReadOnlyDictionary<string, FixupWrapper> Wrappers { get; }

    /// <summary>Pre-image pass: record only what sits on removed lines.</summary>
    public bool OnlyRemoved { get; }

    /// <summary>Deepest brace nesting of an initialiser walked.</summary>
    public int MaxNesting { get; }

    /// <summary>The nesting gap was reported for this fragment.</summary>
    public bool NestingReported { get; set; }

    public void AddGap(string reason, int fragmentLine) =>
        Facts.Gaps.Add(new CoverageGap(Fragment.Path, reason, Fragment.FileLine(fragmentLine), Origin));

    /// <summary>Records a registration on fragment line <paramref name="line"/>, unless this pass skips that line.</summary>
    public Registration? AddRegistration(RoleKind role, string function, int line, string idiom, string? detail,
        string? viaMacro = null, int? definitionLine = null, DiffLineKind? definitionKind = null)
    {
        DiffLineKind kind = Fragment.Kind(line);
        if (OnlyRemoved && kind != DiffLineKind.Removed)
        {
            return null;
        }

        var r = new Registration(role, function, Fragment.Path, Fragment.FileLine(line), kind, idiom, false, detail,
            viaMacro, definitionLine, definitionKind, Origin);
        Facts.Registrations.Add(r);
        return r;
    }

    /// <summary>Records a function stored in a member of a struct that is no registration, unless this pass skips the line.</summary>
    public void AddOpsSlot(string structType, string member, string function, int line)
    {
        DiffLineKind kind = Fragment.Kind(line);
        if (OnlyRemoved != (kind == DiffLineKind.Removed))
        {
            return;
        }

        Facts.OpsSlots.Add(new OpsSlot(structType, member, function, Fragment.Path, Fragment.FileLine(line), kind, Origin));
    }

    /// <summary>The identifier [a, b) names, leading '&amp;' skipped; null for anything else and for NULL.</summary>
    public string? SingleIdentifier(int a, int b)
    {
        while (a < b && Tokens.IsP(a, '&'))
        {
            a++;
        }

        if (b - a != 1 || Tokens[a].Kind != CTokenKind.Identifier)
        {
            return null;
        }

        string s = Tokens.Str(a);
        return s == "NULL" ? null : s;
    }
}

/// <summary>The function whose body a walk is in, as far as its header is known.</summary>
internal sealed class FunctionScope
{
    public string? Name { get; init; }

    public bool IsStatic { get; init; }

    public IReadOnlyList<string> Parameters { get; init; } = [];

    public IReadOnlyList<string> ParameterNames { get; init; } = [];

    public string ReturnType { get; init; } = string.Empty;

    public int StartLine { get; init; }

    public int NameLine { get; init; }

    public bool HeaderVisible { get; init; }

    public bool NamedFromSection { get; init; }
}
