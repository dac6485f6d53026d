using PatchBot.Engine.Config;
using System.CommandLine;
using PatchBot.Engine.Check;
using PatchBot.Engine.Inputs;
using PatchBot.Bot.Output;
using PatchBot.Engine.Tree;
using PatchBot.PatchParser.Mail;
using PatchBot.Rules.Catalog;
using PatchBot.Rules.Config;
using PatchBot.Rules.Findings;

namespace PatchBot.Bot.Cli;

/// <summary><c>patchbot check [PATH|-]...</c>: lint patches from files, mboxes, Maildirs, folders or stdin.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Func<Stream> stdin)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Patch files, .eml messages, mboxes, Maildirs, folders, or - for standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        paths.Validators.Add(r =>
        {
            // System.CommandLine takes a token it does not know as an argument: "--strict" would be read as a file
            // (and the real files checked anyway). An unknown option is a usage error that checks nothing.
            foreach (var token in r.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    r.AddError($"unknown option '{token.Value}' (a file whose name starts with '-': write ./{token.Value})");
                }
            }
        });
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: text (compiler style), terse (one line per finding), json, sarif (SARIF 2.1.0), github (Actions annotations and job summary).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "terse", "json", "sarif", "github");
        var failLevel = new Option<string>("--fail-level")
        {
            Description = "Exit with 1 when a finding is at or above this severity: error, warning, info, none.",
            DefaultValueFactory = _ => "warning",
        };
        failLevel.AcceptOnlyFromAmong("error", "warning", "info", "none");
        var sarifFile = new Option<string?>("--sarif-file")
        {
            Description = "Also write the report as SARIF to this file: one analysis for two outputs (the GitHub Action's format both).",
        };
        var config = new Option<string?>("--config")
        {
            Description = "Configuration file (default: .patchbot.json found upward from the first input).",
        };
        var enable = new Option<string[]>("--enable")
        {
            Description = "Run only these rules (repeatable).",
        };
        var disable = new Option<string[]>("--disable")
        {
            Description = "Do not run these rules (repeatable).",
        };
        var allowSkipped = new Option<bool>("--allow-skipped")
        {
            Description = "Do not exit with 2 when something was not checked (an unreadable, binary or oversized input, message, part or commit); it is still reported.",
        };
        var maxMessageSize = new Option<long>("--max-message-size")
        {
            Description = "Largest message read, in bytes; larger ones are reported and skipped.",
            DefaultValueFactory = _ => MailOptions.Default.MaxMessageSize,
        };
        var maxMimeDepth = new Option<int>("--max-mime-depth")
        {
            Description = "Deepest MIME nesting read.",
            DefaultValueFactory = _ => MailOptions.Default.MaxMimeDepth,
        };

        var git = new Option<string?>("--git")
        {
            Description = "Check the commits of BASE..HEAD in the git checkout of the working folder, each as its own patch.",
        };

        var tree = new Option<string?>("--tree")
        {
            Description = "A kernel checkout: apply patches to it in memory and follow callers across it (default: the checkout around the working folder, if any).",
        };
        var noTree = new Option<bool>("--no-tree")
        {
            Description = "Analyse the patches alone even inside a kernel checkout.",
        };

        var threads = new Option<int>("--threads")
        {
            Description = "Workers for parsing and analysis (default: one per processor); the output does not depend on it.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        threads.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--threads must be at least 1.");
            }
        });

        var command = new Command("check", "Check patches and report findings.")
        {
            paths, format, sarifFile, failLevel, allowSkipped, config, enable, disable, maxMessageSize, maxMimeDepth, tree, noTree, git, threads,
        };
        command.SetAction(parse =>
        {
            var settings = new CheckSettings
            {
                Paths = parse.GetValue(paths) ?? [],
                FailLevel = Enum.Parse<FailLevel>(parse.GetValue(failLevel) ?? "warning", ignoreCase: true),
                AllowSkipped = parse.GetValue(allowSkipped),
                ConfigPath = parse.GetValue(config),
                GitRange = parse.GetValue(git),
                Enable = parse.GetValue(enable) ?? [],
                Disable = parse.GetValue(disable) ?? [],
                Mail = MailOptions.Default with
                {
                    MaxMessageSize = parse.GetValue(maxMessageSize),
                    MaxMimeDepth = parse.GetValue(maxMimeDepth),
                },
                TreePath = parse.GetValue(tree),
                NoTree = parse.GetValue(noTree),
                Threads = parse.GetValue(threads),
            };
            var outputFormat = Enum.Parse<OutputFormat>(parse.GetValue(format) ?? "text", ignoreCase: true);
            return Execute(settings, outputFormat, stdout, stderr, stdin, parse.GetValue(sarifFile));
        });
        return command;
    }

    public static int Execute(CheckSettings settings, OutputFormat format, TextWriter stdout, TextWriter stderr, Func<Stream> stdin, string? sarifFile = null)
    {
        if (settings.Paths.Count == 0 && settings.GitRange is null)
        {
            stderr.WriteLine("patchbot check: give at least one PATH, or - for standard input.");
            return PatchBotCli.UsageError;
        }

        if (!TryLoadConfig(settings, out var patchBotConfig, out string? configError))
        {
            stderr.WriteLine($"patchbot check: {configError}");
            return PatchBotCli.UsageError;
        }

        var analysis = AnalysisOptions.Default with { Config = patchBotConfig };
        CheckReport report;
        IReadOnlyList<InputError> errors;
        if (!TryOpenTree(settings, out var kernelTree, out string? treeError))
        {
            stderr.WriteLine($"patchbot check: {treeError}");
            return PatchBotCli.UsageError;
        }

        if (settings.GitRange is not null)
        {
            // The commits are already in the checkout: each is read with its whole files as context, not applied to
            // the tree; the checkout (a kernel tree) gives the callers in other files.
            (report, errors) = GitCheck.Run(settings, analysis, kernelTree);
        }
        else
        {
            var notes = new List<string>();
            var (sources, inputErrors) = InputExpander.Expand(settings.Paths, stdin, notes);
            foreach (var note in notes)
            {
                stderr.WriteLine(Printable.Escape($"patchbot check: note: {note}"));
            }

            report = new CheckRunner(settings, analysis, kernelTree).Run(sources);
            errors = inputErrors;
        }

        int skipped;
        bool failed;
        try
        {
            foreach (var error in errors)
            {
                stderr.WriteLine(Printable.Escape($"patchbot check: {error.Path}: {error.Reason}"));
            }

            IReportWriter.For(format, stderr).Write(report, stdout);
            stdout.Flush();
            if (sarifFile is not null && !TryWriteSarif(report, sarifFile, stderr))
            {
                return PatchBotCli.UsageError;
            }

            skipped = report.Skipped;
            failed = report.Findings.Any(f => settings.FailLevel != FailLevel.None && (int)f.Finding.Severity >= (int)settings.FailLevel);
        }
        finally
        {
            report.Dispose(); // the report's temporary files, if a long input needed them
        }

        if (errors.Count > 0)
        {
            return PatchBotCli.UsageError;
        }

        if (!settings.AllowSkipped && skipped > 0)
        {
            // Not checked is not passed: a pull request must not get through by being too large or unreadable.
            stderr.WriteLine($"patchbot check: {skipped} problem(s) left something unchecked (see above); exit 2 (--allow-skipped to accept)");
            return PatchBotCli.UsageError;
        }

        return failed ? 1 : 0;
    }

    private static bool TryWriteSarif(CheckReport report, string path, TextWriter stderr)
    {
        try
        {
            using var file = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            new SarifReportWriter().Write(report, file);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine(Printable.Escape($"patchbot check: --sarif-file {path}: {e.Message}"));
            return false;
        }
    }

    /// <summary>The tree of --tree, or the kernel checkout around the working folder unless --no-tree.</summary>
    internal static bool TryOpenTree(CheckSettings settings, out KernelTree? tree, out string? error)
    {
        tree = null;
        error = null;
        if (settings.TreePath is { } path)
        {
            if (!Directory.Exists(path))
            {
                error = $"--tree {path}: no such directory";
                return false;
            }

            tree = new KernelTree(path);
            return true;
        }

        if (!settings.NoTree && TreeIndex.FindKernelTree(Directory.GetCurrentDirectory()) is { } found)
        {
            tree = new KernelTree(found);
        }

        return true;
    }

    private static bool TryLoadConfig(CheckSettings settings, out PatchBotConfig? config, out string? error)
    {
        config = null;
        string? path = settings.ConfigPath ?? FindConfigUpward(settings.Paths.FirstOrDefault(p => p != "-"));
        var parsed = PatchBotConfig.Empty;
        if (path is not null && !ConfigFile.TryLoad(path, out parsed, out error))
        {
            return false;
        }

        foreach (var id in settings.Enable.Concat(settings.Disable))
        {
            if (RuleCatalog.Find(id) is null)
            {
                error = $"unknown rule '{id}' (see patchbot rules)";
                return false;
            }
        }

        error = null;
        config = parsed with
        {
            Enabled = settings.Enable.Count > 0 ? new HashSet<string>(settings.Enable, StringComparer.Ordinal) : parsed.Enabled,
            Disabled = new HashSet<string>(parsed.Disabled.Concat(settings.Disable), StringComparer.Ordinal),
        };
        return true;
    }

    /// <summary>.patchbot.json in the folder of <paramref name="input"/> (or the working folder) or any folder above.</summary>
    private static string? FindConfigUpward(string? input) =>
        ConfigFile.FindUpward(input is null ? Directory.GetCurrentDirectory()
            : Directory.Exists(input) ? Path.GetFullPath(input)
            : Path.GetDirectoryName(Path.GetFullPath(input)) ?? Directory.GetCurrentDirectory());
}
