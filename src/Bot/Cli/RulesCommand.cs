using System.CommandLine;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Cli;

/// <summary><c>patchbot rules</c> lists the rules; <c>patchbot explain RULE</c> prints one rule's page.</summary>
internal static class RulesCommand
{
    public static Command CreateList(TextWriter stdout)
    {
        var command = new Command("rules", "List the rules: id, default severity, title.");
        command.SetAction(_ =>
        {
            int width = RuleCatalog.All.Max(r => r.Id.Length);
            foreach (var rule in RuleCatalog.All)
            {
                stdout.WriteLine($"{rule.Id.PadRight(width)}  {rule.DefaultSeverity.ToName(),-7}  {rule.Title}");
            }

            return 0;
        });
        return command;
    }

    public static Command CreateExplain(TextWriter stdout, TextWriter stderr)
    {
        var id = new Argument<string>("rule") { Description = "A rule id, as `patchbot rules` lists them." };
        var command = new Command("explain", "Explain a rule: what it finds, why it is wrong, how to fix and suppress it.") { id };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(id) ?? string.Empty;
            var rule = RuleCatalog.Find(name);
            if (rule is null)
            {
                stderr.WriteLine($"patchbot explain: unknown rule '{name}'; known: {string.Join(", ", RuleCatalog.All.Select(r => r.Id))}");
                return PatchBotCli.UsageError;
            }

            stdout.Write(RuleDocs.Render(rule));
            return 0;
        });
        return command;
    }
}
