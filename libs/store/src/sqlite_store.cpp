// SQLite backend. Design notes:
// - One connection, opened SQLITE_OPEN_NOMUTEX: every use of it happens while `gate_` is held, so
//   SQLite's own per-call mutex would only cost time.
// - One read-write transaction at a time: Begin() acquires `gate_` and the transaction keeps it
//   until Commit/Rollback (BEGIN IMMEDIATE takes SQLite's write lock up front, so a transaction
//   never fails half-way with SQLITE_BUSY on lock upgrade).
// - Prepared statements are cached by SQL text (SQLITE_PREPARE_PERSISTENT), together with the
//   mapping from SQLite's parameter index to our `$N` number: SQLite numbers named parameters in
//   order of first appearance, so "$2 ... $1" has $2 at index 1.
// - An I/O error or a full disk stops the store (DESIGN.md §5): after a failed fsync the kernel
//   may have dropped the dirty pages, so a retried fsync can succeed without the data being on
//   disk. Nothing more is written, not even the checkpoint on close; recovery is a restart, which
//   replays the WAL from what really reached the disk.

#include <atomic>
#include <charconv>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "concord/core/assert.hpp"
#include "concord/store/store.hpp"

#include "backends.hpp"
#include "gate.hpp"

namespace concord::store::detail {
namespace {

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using SqliteDb = std::unique_ptr<sqlite3, DbCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

/// Hash for heterogeneous lookup: the cache is probed with a string_view, no allocation.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// Beyond this many cached statements the cache is emptied (SQL built at run time would
/// otherwise grow it without bound; the fixed statements of a program are far fewer).
constexpr std::size_t kMaxCachedStatements = 512;
/// The largest `$N` accepted (SQLite's default SQLITE_MAX_VARIABLE_NUMBER).
constexpr int kMaxParameter = 32766;

/// Parses a parameter name "$N" (1 <= N <= kMaxParameter, no leading zero); 0 if it is not one.
int ParseParameterName(const char* name) {
    if (name == nullptr || name[0] != '$' || name[1] < '1' || name[1] > '9') {
        return 0;
    }
    std::string_view digits(name + 1);
    int number = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec != std::errc() || end != digits.data() + digits.size() || number > kMaxParameter) {
        return 0;
    }
    return number;
}

class SqliteTransaction;

class SqliteStore final : public Store {
public:
    explicit SqliteStore(SqliteDb db) : db_(std::move(db)) {}
    ~SqliteStore() override;

    [[nodiscard]] store::Backend Backend() const override { return store::Backend::kSqlite; }
    Result<std::unique_ptr<Transaction>> Begin() override;
    Result<void> Migrate(std::span<const Migration> migrations) override;
    Result<int> SchemaVersion(std::string_view component) override;
    Result<void> CheckIntegrity() override;
    Result<void> BackupTo(const std::filesystem::path& file) override;
    Result<void> RestoreFrom(const std::filesystem::path& file) override;

    /// Reads back the durability settings and refuses weak ones.
    Result<void> Configure();

private:
    friend class SqliteTransaction;

    struct CachedStatement {
        SqliteStmt stmt;
        /// param_numbers[i] is the N of "$N" at SQLite index i + 1.
        std::vector<int> param_numbers;
        /// The largest N; a call must pass exactly this many values.
        int param_count{0};
    };

    /// Begin() without the type erasure, for Migrate and SchemaVersion. On success the gate
    /// stays held and passes to the returned transaction, which the analysis cannot follow.
    Result<std::unique_ptr<SqliteTransaction>> BeginInternal() CONCORD_NO_THREAD_SAFETY_ANALYSIS;
    Result<CachedStatement*> Prepare(std::string_view sql) CONCORD_REQUIRES(gate_);
    /// Runs one statement; appends result rows to `rows` when non-null. Returns rows changed.
    Result<std::int64_t> Run(
        std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
    ) CONCORD_REQUIRES(gate_);
    /// Runs an SQL script of several statements (sqlite3_exec; no parameters).
    Result<void> ExecScript(const std::string& sql) CONCORD_REQUIRES(gate_);
    /// Rolls back the open SQLite transaction, if any.
    void RollbackIfOpen() CONCORD_REQUIRES(gate_);
    /// Maps a SQLite result code to an Error; stops the store on an I/O failure or full disk.
    Error MapError(int rc, std::string_view what) CONCORD_REQUIRES(gate_);

    Result<void> CheckNotStopped() CONCORD_EXCLUDES(stop_mu_);
    void Stop(const std::string& reason) CONCORD_EXCLUDES(stop_mu_);

    /// Held by the open transaction for its whole lifetime, and by the internal helpers that
    /// use the connection outside a transaction.
    Gate gate_;
    // Declared before the cache so cached statements are finalized before the connection closes.
    SqliteDb db_ CONCORD_GUARDED_BY(gate_);
    std::unordered_map<std::string, CachedStatement, StringHash, std::equal_to<>> statements_
        CONCORD_GUARDED_BY(gate_);

    std::atomic<bool> stopped_{false};
    Mutex stop_mu_;
    std::string stop_reason_ CONCORD_GUARDED_BY(stop_mu_);
};

/// Holds a Gate for a scope.
class CONCORD_SCOPED_CAPABILITY GateLock {
public:
    explicit GateLock(Gate& gate) CONCORD_ACQUIRE(gate) : gate_(gate) { gate_.Acquire(); }
    ~GateLock() CONCORD_RELEASE() { gate_.Release(); }
    GateLock(const GateLock&) = delete;
    GateLock& operator=(const GateLock&) = delete;

private:
    Gate& gate_;
};

/// An open SQLite transaction. It owns the store's gate from construction until it ends.
/// It must not outlive its store.
class SqliteTransaction final : public TransactionBase {
public:
    /// The caller has acquired `store.gate_` and run BEGIN IMMEDIATE.
    explicit SqliteTransaction(SqliteStore& store) : store_(store) {}
    ~SqliteTransaction() override { Rollback(); }

private:
    Result<std::int64_t> DoRun(
        std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
    ) override {
        store_.gate_.AssertHeld();
        return store_.Run(sql, params, rows);
    }

    Result<void> DoExecScript(const std::string& sql) override {
        store_.gate_.AssertHeld();
        return store_.ExecScript(sql);
    }

    Result<void> DoCommit() override {
        store_.gate_.AssertHeld();
        // A failed COMMIT may leave the SQLite transaction open (e.g. SQLITE_BUSY); the base
        // then rolls it back through DoRollback.
        CONCORD_RETURN_IF_ERROR(store_.Run("COMMIT", {}, nullptr));
        store_.gate_.Release();
        return {};
    }

    void DoRollback() override {
        store_.gate_.AssertHeld();
        store_.RollbackIfOpen();
        store_.gate_.Release();
    }

    SqliteStore& store_;
};

SqliteStore::~SqliteStore() {
    GateLock lock(gate_);
    statements_.clear();
    if (stopped_.load()) {
        // See the note at the top: no checkpoint after an I/O failure.
        sqlite3_db_config(db_.get(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
    db_.reset();
}

Result<void> SqliteStore::CheckNotStopped() {
    if (!stopped_.load()) {
        return {};
    }
    MutexLock lock(stop_mu_);
    return MakeError(
        ErrorCode::kUnavailable,
        "store stopped after an I/O failure (" + stop_reason_ + "); restart required"
    );
}

void SqliteStore::Stop(const std::string& reason) {
    MutexLock lock(stop_mu_);
    if (!stopped_.load()) {
        stop_reason_ = reason;
        stopped_.store(true);
    }
}

Error SqliteStore::MapError(int rc, std::string_view what) {
    std::string message = "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db_.get());
    if (message.find(sqlite3_errstr(rc)) == std::string::npos) {
        message += std::string(" (") + sqlite3_errstr(rc) + ")";
    }
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT:
            if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
                return MakeError(ErrorCode::kAlreadyExists, std::move(message));
            }
            return MakeError(ErrorCode::kInvalidArgument, std::move(message));
        case SQLITE_FULL:
        case SQLITE_IOERR:
            Stop(message + " [code " + std::to_string(rc) + "]");
            return MakeError(ErrorCode::kUnavailable, std::move(message));
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return MakeError(ErrorCode::kCorruption, std::move(message));
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_NOMEM:
        case SQLITE_PROTOCOL:
            return MakeError(ErrorCode::kUnavailable, std::move(message));
        default:
            return MakeError(ErrorCode::kInvalidArgument, std::move(message));
    }
}

Result<SqliteStore::CachedStatement*> SqliteStore::Prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) {
        return &it->second;
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(
        db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, &tail
    );
    SqliteStmt stmt(raw);
    if (rc != SQLITE_OK) {
        return MapError(rc, "prepare");
    }
    if (stmt == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "sqlite: the SQL contains no statement");
    }
    for (const char* p = tail; p != sql.data() + sql.size(); ++p) {
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != ';') {
            return MakeError(
                ErrorCode::kInvalidArgument, "sqlite: one statement per call (text after ';')"
            );
        }
    }
    CachedStatement entry;
    const int index_count = sqlite3_bind_parameter_count(stmt.get());
    entry.param_numbers.reserve(static_cast<std::size_t>(index_count));
    for (int i = 1; i <= index_count; ++i) {
        const char* name = sqlite3_bind_parameter_name(stmt.get(), i);
        const int number = ParseParameterName(name);
        if (number == 0) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                std::string("sqlite: parameters must be written $1, $2, ...; found '") +
                    (name != nullptr ? name : "?") + "'"
            );
        }
        entry.param_numbers.push_back(number);
        entry.param_count = std::max(entry.param_count, number);
    }
    entry.stmt = std::move(stmt);
    if (statements_.size() >= kMaxCachedStatements) {
        statements_.clear();
    }
    auto [it, inserted] = statements_.emplace(std::string(sql), std::move(entry));
    return &it->second;
}

int BindValue(sqlite3_stmt* stmt, int index, const Value& value) {
    if (std::holds_alternative<Null>(value)) {
        return sqlite3_bind_null(stmt, index);
    }
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        return sqlite3_bind_int64(stmt, index, *i);
    }
    if (const auto* s = std::get_if<std::string>(&value)) {
        // SQLITE_STATIC: the values outlive the statement's use; bindings are cleared before Run
        // returns.
        return sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    const auto& b = std::get<Bytes>(value);
    if (b.empty()) {
        // A null pointer would bind SQL NULL; an empty blob is not NULL.
        return sqlite3_bind_zeroblob(stmt, index, 0);
    }
    return sqlite3_bind_blob64(stmt, index, b.data(), b.size(), SQLITE_STATIC);
}

Result<Value> ReadColumn(sqlite3_stmt* stmt, int column) {
    switch (sqlite3_column_type(stmt, column)) {
        case SQLITE_NULL:
            return Value(Null{});
        case SQLITE_INTEGER:
            return Value(static_cast<std::int64_t>(sqlite3_column_int64(stmt, column)));
        case SQLITE_TEXT: {
            const auto* text = sqlite3_column_text(stmt, column);
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
            return Value(std::string(reinterpret_cast<const char*>(text), size));
        }
        case SQLITE_BLOB: {
            const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, column));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
            return Value(size == 0 ? Bytes{} : Bytes(data, data + size));
        }
        default:
            return MakeError(
                ErrorCode::kInvalidArgument,
                "sqlite: column " + std::to_string(column) +
                    " is a floating-point value; the store has no such type (CAST it)"
            );
    }
}

Result<std::int64_t> SqliteStore::Run(
    std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
) {
    CONCORD_ASSIGN_OR_RETURN(CachedStatement * entry, Prepare(sql));
    sqlite3_stmt* stmt = entry->stmt.get();
    if (params.size() != static_cast<std::size_t>(entry->param_count)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "sqlite: the statement uses " + std::to_string(entry->param_count) +
                " parameters but " + std::to_string(params.size()) + " values were given"
        );
    }
    // Reset and unbind on every exit: the bound values are borrowed from `params`.
    struct ResetGuard {
        sqlite3_stmt* stmt;
        ~ResetGuard() {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
        }
    } reset_guard{stmt};

    for (std::size_t i = 0; i < entry->param_numbers.size(); ++i) {
        const auto& value = params[static_cast<std::size_t>(entry->param_numbers[i] - 1)];
        int rc = BindValue(stmt, static_cast<int>(i + 1), value);
        if (rc != SQLITE_OK) {
            return MapError(rc, "bind");
        }
    }
    const int columns = sqlite3_column_count(stmt);
    ColumnNames names;
    while (true) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            return MapError(rc, "step");
        }
        if (rows == nullptr) {
            continue;
        }
        if (names == nullptr) {
            auto list = std::make_shared<std::vector<std::string>>();
            list->reserve(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                const char* name = sqlite3_column_name(stmt, c);
                list->emplace_back(name != nullptr ? name : "");
            }
            names = std::move(list);
        }
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            CONCORD_ASSIGN_OR_RETURN(Value v, ReadColumn(stmt, c));
            values.push_back(std::move(v));
        }
        rows->emplace_back(std::move(values), names);
    }
    if (sqlite3_stmt_readonly(stmt) != 0) {
        return 0;
    }
    return static_cast<std::int64_t>(sqlite3_changes64(db_.get()));
}

Result<void> SqliteStore::ExecScript(const std::string& sql) {
    char* raw_message = nullptr;
    int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &raw_message);
    std::unique_ptr<char, decltype(&sqlite3_free)> message(raw_message, &sqlite3_free);
    if (rc != SQLITE_OK) {
        return MapError(rc, "exec");
    }
    return {};
}

void SqliteStore::RollbackIfOpen() {
    if (sqlite3_get_autocommit(db_.get()) == 0) {
        // A failing ROLLBACK leaves nothing to do here: SQLite then rolls back on its own (or the
        // store is already stopped and the WAL is replayed on restart).
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

Result<std::unique_ptr<SqliteTransaction>> SqliteStore::BeginInternal() {
    CONCORD_RETURN_IF_ERROR(CheckNotStopped());
    gate_.Acquire();
    // Checked again: the transaction we waited for may have stopped the store.
    if (auto running = CheckNotStopped(); !running) {
        gate_.Release();
        return std::move(running).error();
    }
    auto begun = Run("BEGIN IMMEDIATE", {}, nullptr);
    if (!begun) {
        RollbackIfOpen();
        gate_.Release();
        return std::move(begun).error();
    }
    return std::make_unique<SqliteTransaction>(*this);
}

Result<std::unique_ptr<Transaction>> SqliteStore::Begin() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
    return std::unique_ptr<Transaction>(std::move(tx));
}

Result<void> SqliteStore::Migrate(std::span<const Migration> migrations) {
    return ApplyMigrations(
        migrations,
        [this] { return BeginInternal(); },
        [](SqliteTransaction& tx) -> Result<void> {
            CONCORD_RETURN_IF_ERROR(tx.Execute(kSqliteCreateMigrationTable, {}));
            return {};
        },
        [](const Migration& m) -> const std::string& { return m.sqlite_sql; }
    );
}

Result<int> SqliteStore::SchemaVersion(std::string_view component) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
    return ReadSchemaVersion(
        *tx,
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        component
    );
}

Result<void> SqliteStore::CheckIntegrity() {
    GateLock lock(gate_);
    std::vector<Row> rows;
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA integrity_check", {}, &rows));
    if (rows.size() == 1 && rows[0].At(0) == Value(std::string("ok"))) {
        return {};
    }
    std::string first = rows.empty() || !std::holds_alternative<std::string>(rows[0].At(0))
                            ? std::string("no result")
                            : rows[0].Text(0);
    return MakeError(ErrorCode::kCorruption, "sqlite integrity_check: " + first);
}

Result<void> SqliteStore::BackupTo(const std::filesystem::path& file) {
    CONCORD_RETURN_IF_ERROR(CheckNotStopped());
    std::error_code ec;
    if (std::filesystem::exists(file, ec) || ec) {
        return MakeError(ErrorCode::kAlreadyExists, "'" + file.string() + "': exists already");
    }
    {
        // VACUUM INTO reads in one read transaction: a consistent copy, and in WAL mode the
        // writers of other connections go on meanwhile.
        // A failure here is of the copy's disk, not of this database: reported without
        // stopping the store (no MapError).
        GateLock lock(gate_);
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(db_.get(), "VACUUM INTO ?1", -1, &raw, nullptr);
        SqliteStmt stmt(raw);
        if (rc == SQLITE_OK) {
            const std::string target = file.string();
            rc = sqlite3_bind_text(
                stmt.get(), 1, target.c_str(), static_cast<int>(target.size()), SQLITE_TRANSIENT
            );
        }
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(stmt.get());
        }
        if (rc != SQLITE_DONE) {
            const std::string message = sqlite3_errmsg(db_.get());
            stmt.reset();
            std::filesystem::remove(file, ec);
            return MakeError(
                ErrorCode::kUnavailable, "sqlite: cannot copy the database: " + message
            );
        }
    }
    if (auto synced = SyncFileAndFolder(file); !synced) {
        std::filesystem::remove(file, ec);
        return synced.error();
    }
    return {};
}

Result<void> SqliteStore::RestoreFrom(const std::filesystem::path& file) {
    CONCORD_RETURN_IF_ERROR(CheckNotStopped());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return MakeError(ErrorCode::kNotFound, "'" + file.string() + "': no such file");
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(
        file.c_str(),
        &raw,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
        nullptr
    );
    SqliteDb source(raw);
    if (rc != SQLITE_OK) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "'" + file.string() +
                "': cannot open: " + (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc))
        );
    }
    // A file that is not a database fails here, at its first read.
    if (sqlite3_exec(
            source.get(), "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr
        ) != SQLITE_OK) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "'" + file.string() + "': not a SQLite database: " + sqlite3_errmsg(source.get())
        );
    }
    GateLock lock(gate_);
    std::vector<Row> rows;
    CONCORD_RETURN_IF_ERROR(Run("SELECT count(*) FROM sqlite_schema", {}, &rows));
    if (rows.empty() || rows[0].Int(0) != 0) {
        return MakeError(
            ErrorCode::kAlreadyExists, "sqlite: the database to restore into is not empty"
        );
    }
    // The backup API copies every page in one step, as one write transaction of this
    // connection: committed (and fsynced, synchronous=FULL) whole or not at all.
    statements_.clear();
    sqlite3_backup* backup = sqlite3_backup_init(db_.get(), "main", source.get(), "main");
    if (backup == nullptr) {
        return MapError(sqlite3_errcode(db_.get()), "restore");
    }
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE || finished != SQLITE_OK) {
        return MapError(stepped != SQLITE_DONE ? stepped : finished, "restore");
    }
    rows.clear();
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA journal_mode", {}, &rows));
    if (rows.empty() || rows[0].Text(0) != "wal") {
        return MakeError(ErrorCode::kInternal, "sqlite: the restored database left WAL mode");
    }
    return {};
}

Result<void> SqliteStore::Configure() {
    GateLock lock(gate_);
    auto text_of = [](const std::vector<Row>& rows) -> std::string {
        if (rows.empty() || rows[0].Size() == 0) {
            return "";
        }
        const Value& v = rows[0].At(0);
        if (const auto* s = std::get_if<std::string>(&v)) {
            return *s;
        }
        if (const auto* i = std::get_if<std::int64_t>(&v)) {
            return std::to_string(*i);
        }
        return "";
    };
    std::vector<Row> rows;
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA journal_mode = WAL", {}, &rows));
    std::string mode = text_of(rows);
    if (mode != "wal") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "refusing to open SQLite database: journal_mode is '" + mode +
                "', not 'wal' (in-memory and temporary databases cannot be made durable)"
        );
    }
    rows.clear();
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA synchronous = FULL", {}, nullptr));
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA synchronous", {}, &rows));
    if (text_of(rows) != "2") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "refusing to open SQLite database: synchronous is " + text_of(rows) + ", not FULL (2)"
        );
    }
    rows.clear();
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA foreign_keys = ON", {}, nullptr));
    CONCORD_RETURN_IF_ERROR(Run("PRAGMA foreign_keys", {}, &rows));
    if (text_of(rows) != "1") {
        return MakeError(
            ErrorCode::kInvalidArgument, "refusing to open SQLite database: foreign_keys is off"
        );
    }
    // The pragmas run once; keep only statements the program will use again.
    statements_.clear();
    return {};
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(
    const StoreOptions& options, const std::string& path
) {
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        path.c_str(), &raw, flags, options.sqlite_vfs.empty() ? nullptr : options.sqlite_vfs.c_str()
    );
    SqliteDb db(raw);
    if (rc != SQLITE_OK) {
        std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        auto code = (rc & 0xff) == SQLITE_CANTOPEN ? ErrorCode::kUnavailable
                    : (rc & 0xff) == SQLITE_NOTADB ? ErrorCode::kCorruption
                                                   : ErrorCode::kInvalidArgument;
        return MakeError(code, "sqlite: cannot open database: " + message);
    }
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
    auto store = std::make_unique<SqliteStore>(std::move(db));
    CONCORD_RETURN_IF_ERROR(store->Configure());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace concord::store::detail
