using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PatchBot.Bot.State;

/// <summary>A message as the store keeps it: the raw bytes as received and where it stands.</summary>
internal sealed record StoredMessage(long Id, string MessageId, string Source, DateTimeOffset ReceivedAt, byte[] Raw, string State);

/// <summary>Where an IMAP source stopped: resume after <paramref name="LastUid"/> while UIDVALIDITY is unchanged.</summary>
internal sealed record SourceCursor(uint UidValidity, uint LastUid);

/// <summary>How far an mbox of a folder source has been read: the offset of the first byte not read yet (the start of
/// a message), and the identity of what was read, hashes of its first and of its last bytes (up to
/// <c>FolderSource.IdentityBytes</c> each): when they no longer match, the file was rewritten or truncated and is read
/// again from the start.</summary>
/// <param name="Name">The file's name in the folder.</param>
internal sealed record MboxPosition(string Name, long Offset, byte[] Head, byte[] Tail);

/// <summary>A finding as remembered across versions: keyed by (rule, file, function, trace), never by line.</summary>
internal sealed record FindingKey(string Rule, string File, string Function, string Trace)
{
    public override string ToString() => $"{Rule} {File} {Function} {Trace}";
}

/// <summary>A checked series version.</summary>
internal sealed record SeriesRecord(long Id, string SeriesKey, int Version, string Title, string Author, string RootMessageId);

/// <summary>A reply waiting to go out (or gone).</summary>
internal sealed record OutboxEntry(long Id, string ReplyMessageId, string InReplyTo, string State, bool DryRun, byte[] Raw, DateTimeOffset CreatedAt, int Attempts)
{
    /// <summary>A temporary failure put the next try off until then; null: try now.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}

/// <summary>Message states in the store.</summary>
internal static class MessageStates
{
    /// <summary>Stored, not yet looked at.</summary>
    public const string New = "new";
    /// <summary>A patch or cover letter waiting for its series.</summary>
    public const string Pending = "pending";
    /// <summary>Handled: its series was checked, or it needed nothing.</summary>
    public const string Done = "done";
    /// <summary>Not for PatchBot (bot mail, not a patch, unreadable): logged and skipped.</summary>
    public const string Skipped = "skipped";
}

/// <summary>Outbox states: pending -> sending -> sent, failed or unconfirmed; or dry-run.</summary>
internal static class OutboxStates
{
    /// <summary>Waiting to be sent (again, after a temporary failure, once its next attempt is due).</summary>
    public const string Pending = "pending";
    /// <summary>Handed to the SMTP server; a crash in this state leaves it unknown whether the server took it.</summary>
    public const string Sending = "sending";
    /// <summary>The SMTP server accepted it.</summary>
    public const string Sent = "sent";
    public const string DryRun = "dry-run";
    /// <summary>Refused for good (5xx for every recipient, or temporary failures for longer than Smtp:GiveUpAfter): never retried.</summary>
    public const string Failed = "failed";
    /// <summary>Cut off while being sent and not found yet where a copy would arrive: never sent again (a missed reply
    /// is preferred to a duplicate); marked sent when its copy arrives through a source.</summary>
    public const string Unconfirmed = "unconfirmed";
}

/// <summary>The state file cannot be used: in use by another instance, damaged, or not a database. The message is one clear line.</summary>
internal sealed class StateUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The bot's state in one SQLite file: messages seen (raw, so nothing received is ever lost), source cursors,
/// series versions, findings, suppressions and the outbox. Every step that must not half-happen is one transaction.
/// Thread-safe: one connection, one lock.
/// </summary>
internal sealed class BotStore : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly FileStream? lockFile;
    private readonly Lock gate = new();

    /// <summary>Opens (or creates) the state file. With <paramref name="exclusive"/>, takes an exclusive lock on
    /// "PATH.lock" for the store's lifetime, so a second instance on the same state refuses to start instead of
    /// answering every patch a second time. Checks the database (SQLite quick_check) before using it.</summary>
    /// <exception cref="StateUnavailableException">Locked by another process, damaged, or not a database.</exception>
    public BotStore(string path, bool exclusive = false)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        if (exclusive)
        {
            lockFile = TakeLock(full);
        }

        try
        {
            connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            Execute("PRAGMA busy_timeout=5000;");
            CheckIntegrity(full);
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            CreateSchema();
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            lockFile?.Dispose();
            throw new StateUnavailableException($"state file {full} cannot be used: {e.SqliteErrorCode switch { 26 => "it is not a SQLite database or its header is damaged", 11 => "it is damaged", _ => FirstLine(e.Message) }}; move it away (or restore a backup) to start again", e);
        }
        catch (StateUnavailableException)
        {
            connection?.Dispose();
            lockFile?.Dispose();
            throw;
        }
    }

    private static FileStream TakeLock(string full)
    {
        string lockPath = full + ".lock";
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix: released by the kernel when the process dies,
            // so a crash never leaves a stale lock behind.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StateUnavailableException($"state file {full} is in use by another patchbot serve (lock {lockPath} is held); stop it first", e);
        }
    }

    private void CheckIntegrity(string full)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA quick_check";
        using var r = cmd.ExecuteReader();
        var problems = new List<string>();
        while (r.Read())
        {
            string line = r.GetString(0);
            if (line != "ok")
            {
                problems.Add(line);
            }
        }

        if (problems.Count > 0)
        {
            throw new StateUnavailableException($"state file {full} is damaged ({problems.Count} problem(s), first: {FirstLine(problems[0])}); move it away (or restore a backup) to start again");
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOfAny(['\r', '\n']);
        return nl < 0 ? s : s[..nl];
    }

    private void CreateSchema()
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS cursors(source TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS folder_seen(source TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY(source, name));
            CREATE TABLE IF NOT EXISTS mbox_positions(
                source TEXT NOT NULL, name TEXT NOT NULL, offset INTEGER NOT NULL, head BLOB NOT NULL, tail BLOB NOT NULL,
                PRIMARY KEY(source, name));
            CREATE TABLE IF NOT EXISTS messages(
                id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, received_at TEXT NOT NULL,
                raw BLOB NOT NULL, state TEXT NOT NULL, note TEXT, from_addr TEXT, series_key TEXT);
            CREATE INDEX IF NOT EXISTS messages_state ON messages(state);
            CREATE TABLE IF NOT EXISTS series(
                id INTEGER PRIMARY KEY, series_key TEXT NOT NULL, version INTEGER NOT NULL, title TEXT NOT NULL,
                author TEXT NOT NULL, root_message_id TEXT NOT NULL UNIQUE, checked_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS series_key ON series(series_key, version);
            CREATE TABLE IF NOT EXISTS findings(
                series_id INTEGER NOT NULL, rule TEXT NOT NULL, file TEXT NOT NULL, function TEXT NOT NULL, trace TEXT NOT NULL,
                line INTEGER NOT NULL, severity TEXT NOT NULL, message_id TEXT,
                PRIMARY KEY(series_id, rule, file, function, trace));
            CREATE TABLE IF NOT EXISTS suppressions(series_key TEXT NOT NULL, rule TEXT NOT NULL, by_message_id TEXT, PRIMARY KEY(series_key, rule));
            CREATE TABLE IF NOT EXISTS outbox(
                id INTEGER PRIMARY KEY, reply_message_id TEXT NOT NULL UNIQUE, in_reply_to TEXT NOT NULL, series_id INTEGER,
                state TEXT NOT NULL, dry_run INTEGER NOT NULL, raw BLOB NOT NULL, created_at TEXT NOT NULL, sent_at TEXT,
                attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT);
            CREATE INDEX IF NOT EXISTS outbox_state ON outbox(state);
            """);
        AddColumnIfMissing("outbox", "next_attempt_at", "TEXT");
        AddColumnIfMissing("outbox", "last_error", "TEXT");
    }

    /// <summary>State files written by an earlier version lack the newer outbox columns.</summary>
    private void AddColumnIfMissing(string table, string column, string type)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT 1 FROM pragma_table_info('{table}') WHERE name = '{column}'";
        if (cmd.ExecuteScalar() is null)
        {
            Execute($"ALTER TABLE {table} ADD COLUMN {column} {type}");
        }
    }

    public void Dispose()
    {
        connection.Dispose();
        lockFile?.Dispose();
    }

    // ---- sources -------------------------------------------------------------------------------------------

    public SourceCursor? GetCursor(string source)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT uidvalidity, last_uid FROM cursors WHERE source = $s", ("$s", source));
            using var r = cmd.ExecuteReader();
            return r.Read() ? new SourceCursor((uint)r.GetInt64(0), (uint)r.GetInt64(1)) : null;
        }
    }

    public void SetCursor(string source, SourceCursor cursor)
    {
        lock (gate)
        {
            using var cmd = Command("INSERT INTO cursors VALUES($s, $v, $u) ON CONFLICT(source) DO UPDATE SET uidvalidity = $v, last_uid = $u",
                ("$s", source), ("$v", (long)cursor.UidValidity), ("$u", (long)cursor.LastUid));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Stores a received message and moves the source's cursor (an IMAP cursor, a folder file seen, an mbox's
    /// read position) in one transaction. False when the Message-ID was already stored (the cursor moves all the same).</summary>
    public bool AddMessage(string messageId, string source, DateTimeOffset receivedAt, byte[] raw, SourceCursor? cursor = null, string? folderName = null,
        string state = MessageStates.New, string? note = null, MboxPosition? mbox = null)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            using var cmd = Command("INSERT OR IGNORE INTO messages(message_id, source, received_at, raw, state, note) VALUES($m, $s, $t, $r, $st, $n)",
                ("$m", messageId), ("$s", source), ("$t", Format(receivedAt)), ("$r", raw), ("$st", state), ("$n", note));
            cmd.Transaction = tx;
            bool added = cmd.ExecuteNonQuery() == 1;
            if (cursor is not null)
            {
                using var c = Command("INSERT INTO cursors VALUES($s, $v, $u) ON CONFLICT(source) DO UPDATE SET uidvalidity = $v, last_uid = $u",
                    ("$s", source), ("$v", (long)cursor.UidValidity), ("$u", (long)cursor.LastUid));
                c.Transaction = tx;
                c.ExecuteNonQuery();
            }

            if (folderName is not null)
            {
                using var c = Command("INSERT OR IGNORE INTO folder_seen VALUES($s, $n)", ("$s", source), ("$n", folderName));
                c.Transaction = tx;
                c.ExecuteNonQuery();
            }

            if (mbox is not null)
            {
                using var c = MboxPositionCommand(source, mbox);
                c.Transaction = tx;
                c.ExecuteNonQuery();
            }

            tx.Commit();
            return added;
        }
    }

    /// <summary>The read positions of the mboxes of a folder source, by file name.</summary>
    public IReadOnlyDictionary<string, MboxPosition> MboxPositions(string source)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT name, offset, head, tail FROM mbox_positions WHERE source = $s", ("$s", source));
            using var r = cmd.ExecuteReader();
            var positions = new Dictionary<string, MboxPosition>(StringComparer.Ordinal);
            while (r.Read())
            {
                string name = r.GetString(0);
                positions[name] = new MboxPosition(name, r.GetInt64(1), (byte[])r.GetValue(2), (byte[])r.GetValue(3));
            }

            return positions;
        }
    }

    /// <summary>Moves an mbox's read position without a message (one that could not be read is passed over).</summary>
    public void SetMboxPosition(string source, MboxPosition position)
    {
        lock (gate)
        {
            using var cmd = MboxPositionCommand(source, position);
            cmd.ExecuteNonQuery();
        }
    }

    private SqliteCommand MboxPositionCommand(string source, MboxPosition p) =>
        Command("INSERT INTO mbox_positions VALUES($s, $n, $o, $h, $t) ON CONFLICT(source, name) DO UPDATE SET offset = $o, head = $h, tail = $t",
            ("$s", source), ("$n", p.Name), ("$o", p.Offset), ("$h", p.Head), ("$t", p.Tail));

    /// <summary>Every file name of a folder source already read (Maildir and .eml files).</summary>
    public IReadOnlySet<string> FolderSeenNames(string source)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT name FROM folder_seen WHERE source = $s", ("$s", source));
            using var r = cmd.ExecuteReader();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (r.Read())
            {
                names.Add(r.GetString(0));
            }

            return names;
        }
    }

    // ---- messages ------------------------------------------------------------------------------------------

    public IReadOnlyList<StoredMessage> MessagesIn(string state)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT id, message_id, source, received_at, raw, state FROM messages WHERE state = $st ORDER BY id", ("$st", state));
            using var r = cmd.ExecuteReader();
            var list = new List<StoredMessage>();
            while (r.Read())
            {
                list.Add(new StoredMessage(r.GetInt64(0), r.GetString(1), r.GetString(2), Parse(r.GetString(3)), (byte[])r[4], r.GetString(5)));
            }

            return list;
        }
    }

    public void SetMessageState(long id, string state, string? note = null, string? from = null)
    {
        lock (gate)
        {
            using var cmd = Command("UPDATE messages SET state = $st, note = $n, from_addr = coalesce($f, from_addr) WHERE id = $id",
                ("$st", state), ("$n", note), ("$f", from), ("$id", id));
            cmd.ExecuteNonQuery();
        }
    }

    public DateTimeOffset? ReceivedAt(string messageId)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT received_at FROM messages WHERE message_id = $m", ("$m", messageId));
            return cmd.ExecuteScalar() is string s ? Parse(s) : null;
        }
    }

    /// <summary>The series key and author recorded for a checked message, or null.</summary>
    public (string SeriesKey, string? Author)? SeriesOfMessage(string messageId)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT series_key, from_addr FROM messages WHERE message_id = $m AND series_key IS NOT NULL", ("$m", messageId));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)) : null;
        }
    }

    public int CountMessages(string? state = null)
    {
        lock (gate)
        {
            using var cmd = state is null ? Command("SELECT count(*) FROM messages") : Command("SELECT count(*) FROM messages WHERE state = $st", ("$st", state));
            return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    // ---- series, findings, suppressions --------------------------------------------------------------------

    public bool SeriesChecked(string rootMessageId)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT 1 FROM series WHERE root_message_id = $r", ("$r", rootMessageId));
            return cmd.ExecuteScalar() is not null;
        }
    }

    /// <summary>Every finding key recorded for earlier versions of the series (lower version numbers), by version.</summary>
    public IReadOnlyList<(int Version, FindingKey Key)> EarlierFindings(string seriesKey, int version)
    {
        lock (gate)
        {
            using var cmd = Command("""
                SELECT s.version, f.rule, f.file, f.function, f.trace FROM findings f JOIN series s ON s.id = f.series_id
                WHERE s.series_key = $k AND s.version < $v ORDER BY s.version
                """, ("$k", seriesKey), ("$v", version));
            using var r = cmd.ExecuteReader();
            var list = new List<(int, FindingKey)>();
            while (r.Read())
            {
                list.Add((r.GetInt32(0), new FindingKey(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4))));
            }

            return list;
        }
    }

    /// <summary>The highest earlier version checked, or null.</summary>
    public int? PreviousVersion(string seriesKey, int version)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT max(version) FROM series WHERE series_key = $k AND version < $v", ("$k", seriesKey), ("$v", version));
            return cmd.ExecuteScalar() is long v ? (int)v : null;
        }
    }

    public IReadOnlySet<string> Suppressed(string seriesKey)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT rule FROM suppressions WHERE series_key = $k", ("$k", seriesKey));
            using var r = cmd.ExecuteReader();
            var set = new HashSet<string>(StringComparer.Ordinal);
            while (r.Read())
            {
                set.Add(r.GetString(0));
            }

            return set;
        }
    }

    public bool AddSuppression(string seriesKey, string rule, string byMessageId)
    {
        lock (gate)
        {
            using var cmd = Command("INSERT OR IGNORE INTO suppressions VALUES($k, $r, $m)", ("$k", seriesKey), ("$r", rule), ("$m", byMessageId));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>
    /// Records a checked series in one transaction: the series row, its findings, the replies to send and the
    /// state of its messages. Either all of it is stored or none: a crash before the commit checks the series again.
    /// </summary>
    public long RecordCheckedSeries(
        SeriesRecord series,
        DateTimeOffset checkedAt,
        IReadOnlyList<(FindingKey Key, int Line, string Severity, string? MessageId)> findings,
        IReadOnlyList<(string ReplyMessageId, string InReplyTo, bool DryRun, byte[] Raw)> replies,
        IReadOnlyList<(long MessageRowId, string? From)> messages)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            long seriesId;
            using (var cmd = Command("""
                INSERT INTO series(series_key, version, title, author, root_message_id, checked_at) VALUES($k, $v, $t, $a, $r, $c)
                RETURNING id
                """, ("$k", series.SeriesKey), ("$v", series.Version), ("$t", series.Title), ("$a", series.Author), ("$r", series.RootMessageId), ("$c", Format(checkedAt))))
            {
                cmd.Transaction = tx;
                seriesId = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            foreach (var (key, line, severity, messageId) in findings)
            {
                using var cmd = Command("INSERT OR IGNORE INTO findings VALUES($s, $r, $f, $fn, $t, $l, $sev, $m)",
                    ("$s", seriesId), ("$r", key.Rule), ("$f", key.File), ("$fn", key.Function), ("$t", key.Trace), ("$l", line), ("$sev", severity), ("$m", messageId));
                cmd.Transaction = tx;
                cmd.ExecuteNonQuery();
            }

            foreach (var (replyId, inReplyTo, dryRun, raw) in replies)
            {
                using var cmd = Command("""
                    INSERT OR IGNORE INTO outbox(reply_message_id, in_reply_to, series_id, state, dry_run, raw, created_at)
                    VALUES($id, $irt, $s, $st, $d, $raw, $c)
                    """, ("$id", replyId), ("$irt", inReplyTo), ("$s", seriesId), ("$st", OutboxStates.Pending), ("$d", dryRun ? 1 : 0), ("$raw", raw), ("$c", Format(checkedAt)));
                cmd.Transaction = tx;
                cmd.ExecuteNonQuery();
            }

            foreach (var (rowId, from) in messages)
            {
                using var cmd = Command("UPDATE messages SET state = $st, series_key = $k, from_addr = coalesce($f, from_addr) WHERE id = $id",
                    ("$st", MessageStates.Done), ("$k", series.SeriesKey), ("$f", from), ("$id", rowId));
                cmd.Transaction = tx;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
            return seriesId;
        }
    }

    // ---- outbox --------------------------------------------------------------------------------------------

    public IReadOnlyList<OutboxEntry> Outbox(params string[] states)
    {
        lock (gate)
        {
            var names = string.Join(", ", states.Select((_, i) => $"$s{i}"));
            using var cmd = Command($"SELECT id, reply_message_id, in_reply_to, state, dry_run, raw, created_at, attempts, next_attempt_at FROM outbox WHERE state IN ({names}) ORDER BY id");
            for (int i = 0; i < states.Length; i++)
            {
                cmd.Parameters.AddWithValue($"$s{i}", states[i]);
            }

            using var r = cmd.ExecuteReader();
            var list = new List<OutboxEntry>();
            while (r.Read())
            {
                list.Add(new OutboxEntry(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4) != 0, (byte[])r[5], Parse(r.GetString(6)), r.GetInt32(7))
                {
                    NextAttemptAt = r.IsDBNull(8) ? null : Parse(r.GetString(8)),
                });
            }

            return list;
        }
    }

    public void SetOutboxState(long id, string state, DateTimeOffset? at = null)
    {
        lock (gate)
        {
            using var cmd = Command("""
                UPDATE outbox SET state = $st, sent_at = coalesce($t, sent_at), attempts = attempts + (CASE WHEN $st = 'sending' THEN 1 ELSE 0 END)
                WHERE id = $id
                """, ("$st", state), ("$t", at is { } a ? Format(a) : null), ("$id", id));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>A temporary failure: pending again, not tried before <paramref name="next"/>.</summary>
    public void DeferOutbox(long id, DateTimeOffset next, string error)
    {
        lock (gate)
        {
            using var cmd = Command("UPDATE outbox SET state = $st, next_attempt_at = $n, last_error = $e WHERE id = $id",
                ("$st", OutboxStates.Pending), ("$n", Format(next)), ("$e", error), ("$id", id));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Ends an entry as failed (or unconfirmed) with the reason; it is never tried again.</summary>
    public void EndOutbox(long id, string state, string error)
    {
        lock (gate)
        {
            using var cmd = Command("UPDATE outbox SET state = $st, next_attempt_at = NULL, last_error = $e WHERE id = $id",
                ("$st", state), ("$e", error), ("$id", id));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>True when a message with this Message-ID (without brackets) came in through any source.</summary>
    public bool HasMessage(string messageId)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT 1 FROM messages WHERE message_id = $m", ("$m", messageId));
            return cmd.ExecuteScalar() is not null;
        }
    }

    public int CountOutbox(string state)
    {
        lock (gate)
        {
            using var cmd = Command("SELECT count(*) FROM outbox WHERE state = $st", ("$st", state));
            return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void Execute(string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
