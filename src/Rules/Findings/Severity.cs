namespace PatchBot.Rules.Findings;

/// <summary>How bad a finding is. Ordered: a higher value is worse.</summary>
public enum Severity
{
    Info,
    Warning,
    Error,
}

/// <summary>The words used for severities in configuration and output ("error", "warning", "info").</summary>
public static class SeverityNames
{
    public static string ToName(this Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    public static bool TryParse(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "error":
                severity = Severity.Error;
                return true;
            case "warning":
            case "warn":
                severity = Severity.Warning;
                return true;
            case "info":
            case "note":
                severity = Severity.Info;
                return true;
            default:
                severity = Severity.Info;
                return false;
        }
    }
}
