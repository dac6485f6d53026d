using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace PatchBot.EndToEnd.Tests;

/// <summary>
/// Real Postfix (SMTP) + Dovecot (IMAP, IDLE) on 127.0.0.1, started from tests/EndToEnd/stack/mail-stack-up.sh
/// (the verified recipe) in a private folder on free ports, stopped by PID at the end.
/// Users bot, alice, bob, dev, sink, lkml @example.test (password "secret"); lkml@ is a list that fans out to
/// lkml (its archive), bot, alice and bob.
/// </summary>
public sealed class MailServers : IDisposable
{
    public const string Password = "secret";

    public MailServers()
    {
        Dir = Path.Combine(Path.GetTempPath(), $"patchbot-e2e-{Environment.ProcessId}");
        SmtpPort = FreePort();
        ImapPort = FreePort();
        Env = new Dictionary<string, string>
        {
            ["MAIL_STACK_DIR"] = Dir,
            ["SMTP_PORT"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["IMAP_PORT"] = ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MAIL_STACK_RESET"] = "1",
        };
        var sw = Stopwatch.StartNew();
        Script("mail-stack-up.sh", TimeSpan.FromMinutes(3));
        StartupTime = sw.Elapsed;
    }

    public string Dir { get; }

    public int SmtpPort { get; }

    public int ImapPort { get; }

    public TimeSpan StartupTime { get; }

    private Dictionary<string, string> Env { get; }

    public static string StackScripts => Path.Combine(RepoPaths.Root, "tests", "EndToEnd", "stack");

    public void Dispose() => Script("mail-stack-down.sh", TimeSpan.FromMinutes(1), "--purge");

    /// <summary>Stops Dovecot only (by its master PID), as an outage of the IMAP server.</summary>
    public void StopDovecot()
    {
        string pidFile = Path.Combine(Dir, "dovecot", "run", "master.pid");
        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var p = Process.GetProcessById(pid);
        Run("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (!p.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            p.Kill();
        }

        File.Delete(pidFile);
    }

    public void StartDovecot()
    {
        Directory.Delete(Path.Combine(Dir, "dovecot", "run"), recursive: true);
        Directory.CreateDirectory(Path.Combine(Dir, "dovecot", "run"));
        Run("bash", ["-c", $"dovecot -c '{Dir}/dovecot/dovecot.conf' </dev/null >>'{Dir}/start.log' 2>&1"], TimeSpan.FromSeconds(30));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, ImapPort);
                break;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        // deliver what Postfix queued while Dovecot was down
        Run("postqueue", ["-c", Path.Combine(Dir, "postfix", "etc"), "-f"], TimeSpan.FromSeconds(30));
    }

    public void Script(string name, TimeSpan timeout, params string[] args) =>
        Run("bash", [Path.Combine(StackScripts, name), .. args], timeout, Env);

    public static string Run(string file, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? env = null, string? cwd = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (cwd is not null)
        {
            start.WorkingDirectory = cwd;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        using var p = Process.Start(start)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        }

        return stdout.Result + stderr.Result;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Sends a raw message over SMTP (as a mail client would).</summary>
    public void SendRaw(string from, IEnumerable<string> to, byte[] raw)
    {
        using var client = new MailKit.Net.Smtp.SmtpClient();
        client.Connect("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        using var stream = new MemoryStream(raw);
        var message = MimeMessage.Load(stream);
        client.Send(message, MailboxAddress.Parse(from), to.Select(MailboxAddress.Parse));
        client.Disconnect(true);
    }

    /// <summary>The messages in a user's INBOX that match, read over IMAP.</summary>
    public IReadOnlyList<MimeMessage> Find(string user, SearchQuery query)
    {
        using var client = new ImapClient();
        client.Connect("127.0.0.1", ImapPort, SecureSocketOptions.None);
        client.Authenticate($"{user}@example.test", Password);
        client.Inbox.Open(FolderAccess.ReadOnly);
        var list = client.Inbox.Search(query).Select(uid => client.Inbox.GetMessage(uid)).ToList();
        client.Disconnect(true);
        return list;
    }

    /// <summary>Polls until <paramref name="query"/> matches at least <paramref name="count"/> messages, or the timeout.</summary>
    public IReadOnlyList<MimeMessage> WaitFor(string user, SearchQuery query, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        IReadOnlyList<MimeMessage> found = [];
        while (DateTime.UtcNow < until)
        {
            found = Find(user, query);
            if (found.Count >= count)
            {
                return found;
            }

            Thread.Sleep(150);
        }

        return found;
    }

    public static SearchQuery RepliesTo(string? messageId) =>
        SearchQuery.HeaderContains("In-Reply-To", messageId ?? throw new ArgumentNullException(nameof(messageId))).And(SearchQuery.FromContains("bot@example.test"));
}

[CollectionDefinition("mail")]
public sealed class MailServersGroup : ICollectionFixture<MailServers>
{
}

/// <summary>A patchbot serve process (the real built patchbot.dll) with its own state, config and log.</summary>
public sealed class BotProcess : IDisposable
{
    private readonly StringBuilder log = new();
    private readonly Lock gate = new();
    private Process? process;

    public BotProcess(string configPath, string workDir, int healthPort)
    {
        ConfigPath = configPath;
        WorkDir = workDir;
        HealthPort = healthPort;
    }

    public string ConfigPath { get; }

    public string WorkDir { get; }

    public int HealthPort { get; }

    public string Log
    {
        get
        {
            lock (gate)
            {
                return log.ToString();
            }
        }
    }

    public bool HasExited => process?.HasExited ?? true;

    public void Start(string? fault = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkDir,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "patchbot.dll"));
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(ConfigPath);
        if (fault is not null)
        {
            start.Environment["PATCHBOT_FAULT"] = fault;
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            log.AppendLine(line);
        }
    }

    /// <summary>Waits until /healthz says every source is connected.</summary>
    public void WaitConnected(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (HasExited)
            {
                throw new InvalidOperationException("patchbot exited:\n" + Log);
            }

            try
            {
                string body = http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/healthz")).Result;
                if (body.StartsWith("ok", StringComparison.Ordinal) && body.Contains(": connected", StringComparison.Ordinal) && !body.Contains("reconnecting", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (AggregateException)
            {
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException("patchbot did not connect:\n" + Log);
    }

    public string Metrics()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return http.GetStringAsync(new Uri($"http://127.0.0.1:{HealthPort}/metrics")).Result;
    }

    public bool WaitExit(TimeSpan timeout)
    {
        if (process is null)
        {
            return true;
        }

        if (!process.WaitForExit(timeout))
        {
            return false;
        }

        process.WaitForExit(); // drains the redirected output into the log
        return true;
    }

    /// <summary>SIGTERM, as systemd stops it; returns the exit code.</summary>
    public int Stop()
    {
        if (process is null || process.HasExited)
        {
            return process?.ExitCode ?? 0;
        }

        MailServers.Run("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            process.WaitForExit();
        }

        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        process?.Dispose();
    }
}
