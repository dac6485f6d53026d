using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PatchBot.Bot.Worker;

namespace PatchBot.Bot.Tests.Serve;

/// <summary>
/// serve's log lines quote mail (subjects, Message-IDs, file names): a newline in them must not start a forged log
/// line, and an escape sequence must not reach the operator's terminal. Checked through the host's own logging
/// configuration, and on the real executable's output.
/// </summary>
public sealed class ServeLogEscapingTests : IDisposable
{
    private const char Esc = '\u001b';

    private static readonly string HostileSubject = $"[PATCH] x\n2026-01-01T00:00:00.000Z fail: PatchBot[1] forged {Esc}[31mred{Esc}]0;title\a";

    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("patchbot-log-");

    public void Dispose() => dir.Delete(recursive: true);

    /// <summary>Logs through the formatter the host selects, as the console logger does, into a string.</summary>
    private sealed class FormatterLogger(ConsoleFormatter formatter, StringWriter output) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter1) =>
            formatter.Write(new LogEntry<TState>(logLevel, "PatchBot.Test", eventId, state, exception, formatter1), null, output);
    }

    private static string FormatterNameOf(IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName!;

    [Fact]
    public void The_host_logs_a_hostile_subject_and_file_name_on_one_escaped_line_each()
    {
        using var host = ServeHost.Build(null, [$"--State:Path={Path.Combine(dir.FullName, "s.db")}"]);
        string name = FormatterNameOf(host.Services);
        var formatter = host.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        using var output = new StringWriter();
        var logger = new FormatterLogger(formatter, output);

        BotLog.MessagePending(logger, $"id{Esc}[2J@example.org", "Patch", HostileSubject);
        BotLog.SourceItemUnreadable(logger, "folder", $"evil\r\nname{Esc}[31m.eml", "reason\u2028more");
        BotLog.MessageFailed(logger, new FormatException("bad\nheader" + Esc), "id@example.org", "bad\nheader");

        string text = output.ToString();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.DoesNotContain(Esc, text);
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain('\a', text);
        Assert.DoesNotContain('\u2028', text);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|fail): ", l));
        Assert.Contains(@"[PATCH] x\x0A2026-01-01T00:00:00.000Z fail: PatchBot[1] forged \x1B[31mred\x1B]0;title\x07", lines[0], StringComparison.Ordinal);
        Assert.Contains(@"evil\x0D\x0Aname\x1B[31m.eml", lines[1], StringComparison.Ordinal);
        Assert.Contains(@"FormatException: bad\x0Aheader\x1B", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Json_logs_stay_available_by_configuration()
    {
        using var host = ServeHost.Build(null, [$"--State:Path={Path.Combine(dir.FullName, "s.db")}", "--Logging:Console:FormatterName=json"]);
        Assert.Equal(ConsoleFormatterNames.Json, FormatterNameOf(host.Services));
    }

    [Fact]
    public async Task Serve_prints_a_hostile_subject_from_a_folder_as_one_line()
    {
        string mail = Directory.CreateDirectory(Path.Combine(dir.FullName, "mail")).FullName;
        string encoded = "=?utf-8?b?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(HostileSubject)) + "?=";
        string message = $"""
            From: Dev <dev@example.org>
            To: list@example.org
            Subject: {encoded}
            Message-Id: <hostile@example.org>

            Signed-off-by: Dev <dev@example.org>
            ---
            diff --git a/drivers/pci/quirks.c b/drivers/pci/quirks.c
            --- a/drivers/pci/quirks.c
            +++ b/drivers/pci/quirks.c
            @@ -1,2 +1,3 @@
             int a;
            +int b;
             int c;

            """;
        string file = Path.Combine(mail, "one.eml");
        File.WriteAllText(file, message.ReplaceLineEndings("\n"));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow - TimeSpan.FromMinutes(1));

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir.FullName,
        };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "patchbot.dll"), "serve", $"--State:Path={Path.Combine(dir.FullName, "s.db")}",
            $"--Sources:Folders:0:Path={mail}", "--Health:Enabled=false", "--Series:WaitForMissing=00:00:00",
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        try
        {
            var reading = Task.Run(() =>
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }

                    if (line.Contains("hostile@example.org", StringComparison.Ordinal) && line.Contains("waits for its series", StringComparison.Ordinal))
                    {
                        return;
                    }
                }
            });
            var first = await Task.WhenAny(reading, Task.Delay(deadline - DateTime.UtcNow));
            Assert.True(first == reading, "no log line about the message; output:\n" + string.Join('\n', lines));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        string pending = lines.Single(l => l.Contains("waits for its series", StringComparison.Ordinal));
        // The subject's line break is unfolded by the MIME reader; what reaches the log, the escape sequences, is escaped.
        Assert.True(pending.Contains(@"fail: PatchBot[1] forged \x1B[31mred\x1B]0;title\x07"" waits for its series", StringComparison.Ordinal), pending);
        Assert.DoesNotContain(lines, l => l.StartsWith("2026-01-01", StringComparison.Ordinal) || l.Contains(Esc, StringComparison.Ordinal));
        _ = await stderr;
    }
}
