using System.Text;
using PatchBot.Rules.Findings;

namespace PatchBot.Rules.Catalog;

/// <summary>Renders docs/rules/&lt;id&gt;.md from a rule's metadata. The checked-in pages must equal this text.</summary>
public static class RuleDocs
{
    public static string Render(RuleMetadata rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var md = new StringBuilder();
        md.Append("# ").Append(rule.Id).Append(": ").Append(rule.Title).Append("\n\n");
        md.Append("<!-- Generated from the rule's metadata (src/Rules/Catalog). Do not edit by hand. -->\n\n");
        md.Append("Default severity: **").Append(rule.DefaultSeverity.ToName()).Append("**\n\n");
        md.Append("## What it finds\n\n").Append(rule.Summary).Append("\n\n");
        md.Append("## Why it is wrong\n\n").Append(rule.Explanation).Append("\n\n");
        md.Append("## How to fix it\n\n").Append(rule.Fix).Append("\n\n");
        md.Append("## Bad\n\n```c\n").Append(rule.BadExample.TrimEnd()).Append("\n```\n\n");
        md.Append("## Good\n\n```c\n").Append(rule.GoodExample.TrimEnd()).Append("\n```\n\n");
        md.Append("## Where it is reported\n\n").Append(WhereReported(rule)).Append("\n\n");
        md.Append("## How to suppress\n\n");
        md.Append("On the offending line or anywhere in the function:\n\n");
        md.Append("```c\n/* patchbot: ignore ").Append(rule.Id).Append(" */\n```\n\n");
        md.Append("For a whole tree, in `.patchbot.json`:\n\n");
        md.Append("```json\n{ \"rules\": { \"").Append(rule.Id).Append("\": \"off\" } }\n```\n\n");
        md.Append("## What the rule looks at\n\n");
        if (rule.Needs.Callees.Count > 0)
        {
            md.Append("- calls added to: ").Append(string.Join(", ", rule.Needs.Callees.Select(c => "`" + c + "()`"))).Append('\n');
        }

        if (rule.Needs.Fields.Count > 0)
        {
            md.Append("- writes added to: ").Append(string.Join(", ", rule.Needs.Fields.Select(f => "`" + f + "`"))).Append('\n');
        }

        if (rule.Needs.ReadFields is { Count: > 0 } reads)
        {
            md.Append("- reads added of: ").Append(string.Join(", ", reads.Select(f => "`" + f + "`"))).Append('\n');
        }

        if (rule.Needs.AnyRegistration)
        {
            md.Append("- added registrations of handlers that have the effect");
            if (rule.Needs.Registrations.Count > 0)
            {
                md.Append(", including the mainline ").Append(string.Join(", ", rule.Needs.Registrations.Select(r => "`" + r + "()`")));
            }

            md.Append('\n');
        }

        md.Append("\n## References\n\n");
        foreach (var reference in rule.References)
        {
            md.Append("- ").Append(reference).Append('\n');
        }

        return md.ToString();
    }

    /// <summary>The anchoring conventions (tests/corpus/README.md), as they apply to the rule.</summary>
    private static string WhereReported(RuleMetadata rule)
    {
        if (rule.OnlyAddedCalls)
        {
            return "On the call the patch adds, and only there: a call in context lines is not reported.";
        }

        return "On a line the patch adds, once per effect (the call or field write at the end of the path):\n\n"
            + "- at the call (or field write) itself when the patch adds it, whatever else it adds on the way; a call whose "
            + "arguments only change in place is not new;\n"
            + "- else at the registration that makes the entry point late, when the patch adds it "
            + (rule.Needs.AnyRegistration ? "(a handler registered on several added lines: the first);\n" : "(a `.probe =` line);\n")
            + "- else at the first element the patch adds on the path from the entry point to the effect, counting from the "
            + "entry: the added call of a helper from probe() when an earlier commit added the helper and its call of the "
            + "API, the message naming the added call; or the slot of a driver's own ops table (`.setup = foo_setup`) "
            + "through which the path calls the function.\n\n"
            + "A path the patch adds nothing to is not reported; a call the patch only moves within its function adds nothing. "
            + "The parts of one series are analysed together, so the finding is in the part with the first of those lines "
            + "that applies; `check --git` reports an effect reached by a later commit only when no earlier commit of the "
            + "range reported it.";
    }
}
