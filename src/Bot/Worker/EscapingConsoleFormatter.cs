using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Output;

namespace PatchBot.Bot.Worker;

/// <summary>
/// The console log format of <c>patchbot serve</c>: one line per entry, "TIME level: Category[EventId] message", like the
/// simple formatter's single-line mode, with every control character of the message, the category and the exception
/// escaped by <see cref="Printable.Escape"/>. Log lines carry subjects, Message-IDs, addresses and file names from mail
/// anyone can send: a subject holding a newline would otherwise forge a log line of its own, and an escape sequence
/// would recolour or rewrite the operator's terminal. No colours are written.
/// </summary>
internal sealed class EscapingConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "patchbot";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string? message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        var o = options.CurrentValue;
        var line = new StringBuilder(128);
        if (o.TimestampFormat is { } format)
        {
            var now = o.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            line.Append(Printable.Escape(now.ToString(format, CultureInfo.InvariantCulture)));
        }

        line.Append(Level(logEntry.LogLevel)).Append(": ").Append(Printable.Escape(logEntry.Category))
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(Printable.Escape(message));
        if (logEntry.Exception is { } e)
        {
            line.Append(' ').Append(Printable.Escape(e.ToString()));
        }

        textWriter.Write(line.Append('\n').ToString());
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString().ToLowerInvariant(),
    };
}
