using PatchBot.PatchParser.Diff;
using PatchBot.PatchParser.Graph;

namespace PatchBot.Rules.Findings;

/// <summary>
/// "patchbot: ignore RULE[, RULE...]" in a comment on the offending line, or on any visible line of the
/// function that holds it, suppresses that rule's finding. Line text comes from the inputs' hunks.
/// </summary>
internal sealed class InlineSuppression
{
    private const string Marker = "patchbot:";

    private readonly Dictionary<(string Origin, string File, int Line), string> lines = [];
    private readonly IReadOnlyList<FunctionNode> functions;

    public InlineSuppression(IReadOnlyList<GraphInput> inputs, IReadOnlyList<FunctionNode> functions)
    {
        this.functions = functions;
        foreach (var input in inputs)
        {
            foreach (var file in input.Files)
            {
                foreach (var hunk in file.Hunks)
                {
                    foreach (var line in hunk.Lines)
                    {
                        if (line.Kind != DiffLineKind.Removed && line.Text.Contains(Marker, StringComparison.Ordinal))
                        {
                            lines[(input.Origin, file.Path, line.NewLine)] = line.Text;
                        }
                    }
                }
            }
        }
    }

    public bool Suppresses(Finding finding)
    {
        if (lines.Count == 0)
        {
            return false;
        }

        if (Ignores(finding.Origin, finding.File, finding.Line, finding.Rule))
        {
            return true;
        }

        foreach (var f in functions)
        {
            if (!string.Equals(f.Name, finding.Function, StringComparison.Ordinal)
                || !string.Equals(f.File, finding.File, StringComparison.Ordinal)
                || (f.Origin.Length > 0 && finding.Origin.Length > 0 && !string.Equals(f.Origin, finding.Origin, StringComparison.Ordinal)))
            {
                continue;
            }

            for (var line = f.StartLine; line <= f.EndLine && line - f.StartLine < 100_000; line++)
            {
                if (Ignores(finding.Origin, finding.File, line, finding.Rule))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool Ignores(string origin, string file, int line, string rule) =>
        lines.TryGetValue((origin, file, line), out var text) && Names(text, rule);

    /// <summary>Whether a line's "patchbot: ignore ..." comment names <paramref name="rule"/>.</summary>
    internal static bool Names(string text, string rule)
    {
        var span = text.AsSpan();
        while (true)
        {
            var at = span.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            span = span[(at + Marker.Length)..].TrimStart();
            if (!span.StartsWith("ignore", StringComparison.Ordinal))
            {
                continue;
            }

            span = span["ignore".Length..];
            var end = span.IndexOf("*/", StringComparison.Ordinal);
            var list = end >= 0 ? span[..end] : span;
            foreach (var range in list.SplitAny(" ,\t"))
            {
                if (list[range].Trim().SequenceEqual(rule))
                {
                    return true;
                }
            }
        }
    }
}
