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
}
