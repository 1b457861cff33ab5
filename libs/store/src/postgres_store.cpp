// PostgreSQL backend (libpq). Design notes:
// - A small pool of connections, created on demand up to kMaxConnections. A transaction owns one
//   connection for its lifetime; a connection that is broken or not idle afterwards is closed,
//   never handed out again.
// - Parameters go out with explicit types (int8 as text, text, bytea in binary) and results come
//   back in binary, decoded by column type, so no value passes through a locale-dependent or
//   escaped text form.
// - Durability is checked on every new connection (a DSN can carry `options=-c fsync=...`).

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include "concord/core/file.hpp"
#include "concord/store/store.hpp"

#include "backends.hpp"
#include "gate.hpp"
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace concord::store::detail {
namespace {

struct ConnCloser {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultClearer {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultClearer>;

/// A libpq connection and the statements prepared on it, by SQL text and parameter types.
/// Prepared statements belong to the session, not to a transaction: they survive rollbacks and
/// end with the connection.
class PgConn {
public:
    explicit PgConn(PGconn* raw = nullptr) : handle_(raw) {}
    [[nodiscard]] PGconn* Get() const { return handle_.get(); }
    friend bool operator==(const PgConn& conn, std::nullptr_t) { return conn.handle_ == nullptr; }
    std::unordered_map<std::string, std::string>& Prepared() { return prepared_; }

private:
    std::unique_ptr<PGconn, ConnCloser> handle_;
    std::unordered_map<std::string, std::string> prepared_;
};

/// Most statements prepared per connection; statements beyond it run unprepared.
constexpr std::size_t kMaxPreparedPerConnection = 256;
/// Most connections one Store keeps open; Begin waits when all are in use.
constexpr int kMaxConnections = 8;
/// Key of the advisory lock that serialises Migrate across processes ("concord" in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x636f6e636f7264;

// Type OIDs from pg_type.h (stable across PostgreSQL versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kNameOid = 19;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kOidOid = 26;
constexpr Oid kUnknownOid = 705;
constexpr Oid kBpcharOid = 1042;
constexpr Oid kVarcharOid = 1043;
constexpr Oid kNumericOid = 1700;

std::string TrimMessage(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

/// Maps a failed result (or a failure without one) to an Error.
Error MapPgError(PGconn* conn, const PGresult* result, std::string_view what) {
    std::string message =
        "postgres: " + std::string(what) + ": " +
        TrimMessage(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
    if (PQstatus(conn) != CONNECTION_OK) {
        return MakeError(ErrorCode::kUnavailable, message + " (connection lost)");
    }
    const char* raw_state =
        result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view state = raw_state != nullptr ? raw_state : "";
    if (state == "23505") {
        return MakeError(ErrorCode::kAlreadyExists, std::move(message));
    }
    if (state == "08P01") {
        // protocol_violation on a live connection: e.g. the wrong number of parameters.
        return MakeError(ErrorCode::kInvalidArgument, std::move(message));
    }
    if (state == "40001" || state == "40P01" || state.starts_with("08") ||
        state.starts_with("53") || state.starts_with("57P") || state == "58030" || state.empty()) {
        return MakeError(ErrorCode::kUnavailable, std::move(message));
    }
    if (state == "XX001" || state == "XX002") {
        return MakeError(ErrorCode::kCorruption, std::move(message));
    }
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::uint64_t ReadBigEndian(const char* data, std::size_t size) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size; ++i) {
        v = (v << 8) | static_cast<std::uint8_t>(data[i]);
    }
    return v;
}

/// Decodes a binary NUMERIC that holds an integer in int64 range.
Result<std::int64_t> DecodeNumeric(const char* data, std::size_t size) {
    auto bad = [] {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "postgres: NUMERIC column is not an integer in int64 range (CAST it)"
        );
    };
    if (size < 8) {
        return bad();
    }
    auto u16 = [&](std::size_t at) {
        return static_cast<std::uint16_t>(ReadBigEndian(data + at, 2));
    };
    const int ndigits = static_cast<std::int16_t>(u16(0));
    const int weight = static_cast<std::int16_t>(u16(2));
    const std::uint16_t sign = u16(4);
    if ((sign != 0x0000 && sign != 0x4000) || ndigits < 0 ||
        size != 8 + 2 * static_cast<std::size_t>(ndigits)) {
        return bad();
    }
    const bool negative = sign == 0x4000;
    std::int64_t value = 0;
    // Digits are base 10000; digit i is worth 10000^(weight - i).
    for (int i = 0; i <= weight; ++i) {
        std::int64_t digit = i < ndigits ? u16(8 + 2 * static_cast<std::size_t>(i)) : 0;
        if (__builtin_mul_overflow(value, std::int64_t{10000}, &value) ||
            (negative ? __builtin_sub_overflow(value, digit, &value)
                      : __builtin_add_overflow(value, digit, &value))) {
            return bad();
        }
    }
    for (int i = std::max(weight + 1, 0); i < ndigits; ++i) {
        if (u16(8 + 2 * static_cast<std::size_t>(i)) != 0) {
            return bad();
        }
    }
    return value;
}

Result<Value> DecodeColumn(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column) != 0) {
        return Value(Null{});
    }
    const char* data = PQgetvalue(result, row, column);
    const auto size = static_cast<std::size_t>(PQgetlength(result, row, column));
    const Oid type = PQftype(result, column);
    auto fixed = [&](std::size_t expected) -> Result<std::uint64_t> {
        if (size != expected) {
            return MakeError(ErrorCode::kInternal, "postgres: unexpected binary value size");
        }
        return ReadBigEndian(data, size);
    };
    switch (type) {
        case kInt8Oid: {
            CONCORD_ASSIGN_OR_RETURN(std::uint64_t v, fixed(8));
            return Value(static_cast<std::int64_t>(v));
        }
        case kInt4Oid: {
            CONCORD_ASSIGN_OR_RETURN(std::uint64_t v, fixed(4));
            return Value(std::int64_t{static_cast<std::int32_t>(static_cast<std::uint32_t>(v))});
        }
        case kInt2Oid: {
            CONCORD_ASSIGN_OR_RETURN(std::uint64_t v, fixed(2));
            return Value(std::int64_t{static_cast<std::int16_t>(static_cast<std::uint16_t>(v))});
        }
        case kOidOid: {
            CONCORD_ASSIGN_OR_RETURN(std::uint64_t v, fixed(4));
            return Value(static_cast<std::int64_t>(v));
        }
        case kBoolOid: {
            CONCORD_ASSIGN_OR_RETURN(std::uint64_t v, fixed(1));
            return Value(static_cast<std::int64_t>(v != 0 ? 1 : 0));
        }
        case kNumericOid: {
            CONCORD_ASSIGN_OR_RETURN(std::int64_t v, DecodeNumeric(data, size));
            return Value(v);
        }
        case kTextOid:
        case kVarcharOid:
        case kBpcharOid:
        case kNameOid:
        case kUnknownOid:
            // Built in place: constructing from a temporary trips a GCC 12 -O2 false positive
            // (-Wfree-nonheap-object).
            return Value(std::in_place_type<std::string>, data, size);
        case kByteaOid: {
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
            return Value(std::in_place_type<Bytes>, bytes, bytes + size);
        }
        default:
            return MakeError(
                ErrorCode::kInvalidArgument,
                "postgres: column " + std::to_string(column) + " has type OID " +
                    std::to_string(type) + ", which the store does not map (CAST it)"
            );
    }
}

std::int64_t ParseCount(const char* text) {
    std::int64_t n = 0;
    for (const char* p = text; p != nullptr && *p >= '0' && *p <= '9'; ++p) {
        n = n * 10 + (*p - '0');
    }
    return n;
}

/// The name of the statement prepared on `conn` for `sql` with parameter `types`, preparing it on
/// first use; empty when the connection's cache is full (the caller then runs it unprepared).
Result<std::string> PreparedName(
    PgConn& conn, std::string_view sql, const std::vector<Oid>& types
) {
    std::string key(sql);
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(types.data()), types.size() * sizeof(Oid));
    auto& prepared = conn.Prepared();
    if (auto it = prepared.find(key); it != prepared.end()) {
        return it->second;
    }
    if (prepared.size() >= kMaxPreparedPerConnection) {
        return std::string();
    }
    std::string name = "concord_" + std::to_string(prepared.size());
    const std::string sql_text(sql);
    PgResult result(PQprepare(
        conn.Get(), name.c_str(), sql_text.c_str(), static_cast<int>(types.size()), types.data()
    ));
    if (result == nullptr || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        return MapPgError(conn.Get(), result.get(), "prepare");
    }
    prepared.emplace(std::move(key), name);
    return name;
}

/// Runs `sql` with `params` on `conn` as a prepared statement; appends rows to `rows` when
/// non-null.
Result<std::int64_t> RunParams(
    PgConn& conn, std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
) {
    const std::size_t n = params.size();
    if (n > 65535) {
        return MakeError(ErrorCode::kInvalidArgument, "postgres: more than 65535 parameters");
    }
    std::vector<Oid> types(n, 0);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    std::vector<std::string> int_texts(n);  // sized up front: values[] points into it
    static constexpr char kEmpty[1] = {0};
    for (std::size_t i = 0; i < n; ++i) {
        const Value& v = params[i];
        if (const auto* integer = std::get_if<std::int64_t>(&v)) {
            int_texts[i] = std::to_string(*integer);
            types[i] = kInt8Oid;
            values[i] = int_texts[i].c_str();
        } else if (const auto* text = std::get_if<std::string>(&v)) {
            if (text->find('\0') != std::string::npos) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    "postgres: text parameter $" + std::to_string(i + 1) +
                        " contains a NUL character (use bytes)"
                );
            }
            types[i] = kTextOid;
            values[i] = text->c_str();
        } else if (const auto* bytes = std::get_if<Bytes>(&v)) {
            if (bytes->size() > 0x7fffffff) {
                return MakeError(ErrorCode::kInvalidArgument, "postgres: parameter over 2 GiB");
            }
            types[i] = kByteaOid;
            values[i] = bytes->empty() ? kEmpty : reinterpret_cast<const char*>(bytes->data());
            lengths[i] = static_cast<int>(bytes->size());
            formats[i] = 1;
        }
    }
    CONCORD_ASSIGN_OR_RETURN(const std::string name, PreparedName(conn, sql, types));
    PgResult result(
        name.empty() ? PQexecParams(
                           conn.Get(),
                           std::string(sql).c_str(),
                           static_cast<int>(n),
                           types.data(),
                           values.data(),
                           lengths.data(),
                           formats.data(),
                           1
                       )
                     : PQexecPrepared(
                           conn.Get(),
                           name.c_str(),
                           static_cast<int>(n),
                           values.data(),
                           lengths.data(),
                           formats.data(),
                           1
                       )
    );
    const ExecStatusType status =
        result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK) {
        return ParseCount(PQcmdTuples(result.get()));
    }
    if (status != PGRES_TUPLES_OK) {
        return MapPgError(conn.Get(), result.get(), "execute");
    }
    if (rows != nullptr) {
        const int row_count = PQntuples(result.get());
        const int columns = PQnfields(result.get());
        rows->reserve(rows->size() + static_cast<std::size_t>(row_count));
        auto names = std::make_shared<std::vector<std::string>>();
        names->reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            const char* column = PQfname(result.get(), c);
            names->emplace_back(column != nullptr ? column : "");
        }
        const ColumnNames shared = std::move(names);
        for (int r = 0; r < row_count; ++r) {
            std::vector<Value> row;
            row.reserve(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c) {
                CONCORD_ASSIGN_OR_RETURN(Value value, DecodeColumn(result.get(), r, c));
                row.push_back(std::move(value));
            }
            rows->emplace_back(std::move(row), shared);
        }
    }
    // "SELECT n" counts rows returned, not changed.
    if (std::strncmp(PQcmdStatus(result.get()), "SELECT", 6) == 0) {
        return 0;
    }
    return ParseCount(PQcmdTuples(result.get()));
}

/// Runs a statement without parameters (several statements allowed: simple-query protocol).
Result<void> RunSimple(PGconn* conn, const std::string& sql, std::string_view what) {
    PgResult result(PQexec(conn, sql.c_str()));
    const ExecStatusType status =
        result != nullptr ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
        return MapPgError(conn, result.get(), what);
    }
    return {};
}

class PostgresTransaction;

class PostgresStore final : public Store {
public:
    explicit PostgresStore(std::string conninfo) : conninfo_(std::move(conninfo)) {}

    [[nodiscard]] store::Backend Backend() const override { return store::Backend::kPostgres; }
    Result<std::unique_ptr<Transaction>> Begin() override;
    Result<void> Migrate(std::span<const Migration> migrations) override;
    Result<int> SchemaVersion(std::string_view component) override;
    Result<void> CheckIntegrity() override;
    Result<void> BackupTo(const std::filesystem::path& file) override;
    Result<void> RestoreFrom(const std::filesystem::path& file) override;

    /// Opens the first connection (and so checks reachability and durability settings).
    Result<void> Init() CONCORD_EXCLUDES(mu_);

private:
    friend class PostgresTransaction;

    Result<std::unique_ptr<PostgresTransaction>> BeginInternal() CONCORD_EXCLUDES(mu_);
    /// Opens a new connection and checks it.
    Result<PgConn> Connect() const;
    /// Takes an idle connection or opens one; waits while kMaxConnections are in use. Sets
    /// `reused` when the connection came from the pool (it may have died while idle).
    Result<PgConn> Acquire(bool& reused) CONCORD_EXCLUDES(mu_);
    /// Returns a connection to the pool if it is healthy and idle; closes it otherwise.
    void Release(PgConn conn) CONCORD_EXCLUDES(mu_);

    const std::string conninfo_;
    Mutex mu_;
    std::condition_variable_any cv_;
    std::vector<PgConn> idle_ CONCORD_GUARDED_BY(mu_);
    /// Connections open: idle plus in use.
    int open_ CONCORD_GUARDED_BY(mu_){0};
};

/// An open PostgreSQL transaction; owns one pooled connection until it ends. Must not outlive
/// its store.
class PostgresTransaction final : public TransactionBase {
public:
    PostgresTransaction(PostgresStore& store, PgConn conn)
        : store_(store), conn_(std::move(conn)) {}
    ~PostgresTransaction() override { Rollback(); }

private:
    Result<std::int64_t> DoRun(
        std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
    ) override {
        return RunParams(conn_, sql, params, rows);
    }

    Result<void> DoExecScript(const std::string& sql) override {
        return RunSimple(conn_.Get(), sql, "migration");
    }

    Result<void> DoCommit() override {
        PgResult result(PQexec(conn_.Get(), "COMMIT"));
        const bool ok = result != nullptr && PQresultStatus(result.get()) == PGRES_COMMAND_OK;
        if (!ok) {
            Error error = MapPgError(conn_.Get(), result.get(), "commit");
            if (PQstatus(conn_.Get()) != CONNECTION_OK) {
                error.message += "; the outcome of the commit is unknown";
            }
            return error;
        }
        // An aborted transaction "commits" as ROLLBACK; the base's failed-state check should make
        // this unreachable, but the data must never be reported durable when it is not.
        if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") != 0) {
            return MakeError(ErrorCode::kInvalidArgument, "postgres: transaction was rolled back");
        }
        store_.Release(std::move(conn_));
        return {};
    }

    void DoRollback() override {
        if (PQstatus(conn_.Get()) == CONNECTION_OK &&
            PQtransactionStatus(conn_.Get()) != PQTRANS_IDLE) {
            PgResult result(PQexec(conn_.Get(), "ROLLBACK"));
        }
        store_.Release(std::move(conn_));
    }

    PostgresStore& store_;
    PgConn conn_;
};

Result<PgConn> PostgresStore::Connect() const {
    PgConn conn(PQconnectdb(conninfo_.c_str()));
    if (conn == nullptr) {
        return MakeError(ErrorCode::kUnavailable, "postgres: cannot allocate a connection");
    }
    if (PQstatus(conn.Get()) != CONNECTION_OK) {
        return MakeError(
            ErrorCode::kUnavailable,
            "postgres: cannot connect: " + TrimMessage(PQerrorMessage(conn.Get()))
        );
    }
    PQsetNoticeProcessor(
        conn.Get(), [](void*, const char*) {}, nullptr
    );
    if (PQsetClientEncoding(conn.Get(), "UTF8") != 0) {
        return MakeError(ErrorCode::kUnavailable, "postgres: cannot set client_encoding UTF8");
    }
    PgResult result(
        PQexec(conn.Get(), "SELECT current_setting('fsync'), current_setting('synchronous_commit')")
    );
    if (result == nullptr || PQresultStatus(result.get()) != PGRES_TUPLES_OK ||
        PQntuples(result.get()) != 1) {
        return MapPgError(conn.Get(), result.get(), "reading durability settings");
    }
    const std::string fsync = PQgetvalue(result.get(), 0, 0);
    const std::string synchronous_commit = PQgetvalue(result.get(), 0, 1);
    if (fsync != "on") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "refusing to use PostgreSQL server: fsync is '" + fsync + "', not 'on'"
        );
    }
    if (synchronous_commit != "on") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "refusing to use PostgreSQL server: synchronous_commit is '" + synchronous_commit +
                "', not 'on'"
        );
    }
    return conn;
}

Result<void> PostgresStore::Init() {
    CONCORD_ASSIGN_OR_RETURN(PgConn conn, Connect());
    {
        MutexLock lock(mu_);
        ++open_;
    }
    Release(std::move(conn));
    return {};
}

Result<PgConn> PostgresStore::Acquire(bool& reused) {
    {
        MutexLock lock(mu_);
        while (idle_.empty() && open_ >= kMaxConnections) {
            cv_.wait(mu_);
        }
        if (!idle_.empty()) {
            PgConn conn = std::move(idle_.back());
            idle_.pop_back();
            reused = true;
            return conn;
        }
        ++open_;
    }
    reused = false;
    auto conn = Connect();
    if (!conn) {
        MutexLock lock(mu_);
        --open_;
        cv_.notify_one();
    }
    return conn;
}

void PostgresStore::Release(PgConn conn) {
    const bool healthy = conn != nullptr && PQstatus(conn.Get()) == CONNECTION_OK &&
                         PQtransactionStatus(conn.Get()) == PQTRANS_IDLE;
    {
        MutexLock lock(mu_);
        if (healthy) {
            idle_.push_back(std::move(conn));
        } else {
            --open_;
        }
    }
    cv_.notify_one();
    // A broken connection is closed here, outside the lock, when `conn` goes out of scope.
}

Result<std::unique_ptr<PostgresTransaction>> PostgresStore::BeginInternal() {
    // One retry: an idle pooled connection may have been closed by the server meanwhile.
    for (int attempt = 0;; ++attempt) {
        bool reused = false;
        CONCORD_ASSIGN_OR_RETURN(PgConn conn, Acquire(reused));
        auto begun = RunSimple(conn.Get(), "BEGIN ISOLATION LEVEL READ COMMITTED", "begin");
        if (begun) {
            return std::make_unique<PostgresTransaction>(*this, std::move(conn));
        }
        const bool broken = PQstatus(conn.Get()) != CONNECTION_OK;
        Release(std::move(conn));
        if (!(broken && reused && attempt == 0)) {
            return std::move(begun).error();
        }
    }
}

Result<std::unique_ptr<Transaction>> PostgresStore::Begin() {
    CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
    return std::unique_ptr<Transaction>(std::move(tx));
}

Result<void> PostgresStore::Migrate(std::span<const Migration> migrations) {
    return ApplyMigrations(
        migrations,
        [this] { return BeginInternal(); },
        [](PostgresTransaction& tx) -> Result<void> {
            // The lock is held to the end of this transaction, so concurrent processes apply each
            // migration once, and never create the table at the same time.
            CONCORD_RETURN_IF_ERROR(
                tx.Execute("SELECT pg_advisory_xact_lock($1)", {Value(kMigrationLockKey)})
            );
            return tx.ExecScript(kPostgresCreateMigrationTable);
        },
        [](const Migration& m) -> const std::string& { return m.postgres_sql; }
    );
}

Result<int> PostgresStore::SchemaVersion(std::string_view component) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
    return ReadSchemaVersion(
        *tx, "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int", component
    );
}

/// The most of a tool's error output kept for its error message.
constexpr std::size_t kMaxToolOutput = 2000;

/// Runs the PostgreSQL client tool `args[0]` (from PATH) with `args`, no shell, stdin from
/// /dev/null, and waits for it. kNotFound if it is not installed; kUnavailable with the start of
/// its error output if it fails.
Result<void> RunTool(const std::vector<std::string>& args) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        return FileErrnoError(args[0], "pipe", errno);
    }
    UniqueFd read_end(pipe_fds[0]);
    UniqueFd write_end(pipe_fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 1);
    posix_spawn_file_actions_adddup2(&actions, write_end.Get(), 2);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const std::string& a : args) {
        // posix_spawnp takes char* const[] but does not write through it.
        argv.push_back(const_cast<char*>(a.c_str()));  // NOLINT(*-const-cast)
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.Close();
    if (spawned != 0) {
        Error error = FileErrnoError(args[0], "spawn", spawned);
        if (spawned == ENOENT) {
            error.message += " (install the PostgreSQL client tools)";
        }
        return error;
    }
    // Read its output to the end (so it never blocks on a full pipe), keeping the start.
    std::string output;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(read_end.Get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (output.size() < kMaxToolOutput) {
            output.append(
                buffer,
                std::min<std::size_t>(static_cast<std::size_t>(n), kMaxToolOutput - output.size())
            );
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return FileErrnoError(args[0], "waitpid", errno);
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return {};
    }
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) {
        output.pop_back();
    }
    return MakeError(
        ErrorCode::kUnavailable,
        args[0] + " failed (" +
            (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                               : "signal " + std::to_string(WTERMSIG(status))) +
            "): " + output
    );
}

Result<void> PostgresStore::BackupTo(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec) || ec) {
        return MakeError(ErrorCode::kAlreadyExists, "'" + file.string() + "': exists already");
    }
    // pg_dump reads in one repeatable-read transaction: a consistent copy while writers go on.
    auto dumped = RunTool(
        {"pg_dump",
         "--no-password",
         "--lock-wait-timeout=60000",
         "--format=custom",
         "--no-owner",
         "--no-privileges",
         "--file=" + file.string(),
         "--dbname=" + conninfo_}
    );
    if (dumped) {
        dumped = SyncFileAndFolder(file);
    }
    if (!dumped) {
        std::filesystem::remove(file, ec);
        return dumped.error();
    }
    return {};
}

Result<void> PostgresStore::RestoreFrom(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        return MakeError(ErrorCode::kNotFound, "'" + file.string() + "': no such file");
    }
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query("SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                      "ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
                      "'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND "
                      "n.nspname NOT LIKE 'pg_toast_temp%'")
        );
        if (rows.empty() || rows[0].Int(0) != 0) {
            return MakeError(
                ErrorCode::kAlreadyExists, "postgres: the database to restore into is not empty"
            );
        }
    }
    // What is not one of pg_dump's archives fails here, without a database; the path is made
    // absolute so that no file name is read as an option.
    const std::string path = std::filesystem::absolute(file).string();
    if (auto listed = RunTool({"pg_restore", "--list", path}); !listed) {
        Error error = std::move(listed).error();
        if (error.code == ErrorCode::kUnavailable) {
            error.code = ErrorCode::kInvalidArgument;
        }
        return error;
    }
    // --single-transaction keeps all or nothing.
    return RunTool(
        {"pg_restore",
         "--no-password",
         "--no-owner",
         "--no-privileges",
         "--single-transaction",
         "--exit-on-error",
         "--dbname=" + conninfo_,
         path}
    );
}

Result<void> PostgresStore::CheckIntegrity() {
    // PostgreSQL checks pages itself (and data checksums, when enabled, on every read); here we
    // check that the catalog of this database can be read end to end.
    CONCORD_ASSIGN_OR_RETURN(auto tx, BeginInternal());
    auto rows = tx->Query(
        "SELECT count(*) FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
    );
    if (!rows) {
        Error error = std::move(rows).error();
        if (error.code == ErrorCode::kInvalidArgument) {
            error.code = ErrorCode::kCorruption;
        }
        return error;
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options) {
    // Syntax errors in the connection string are the caller's, not the server's.
    char* raw_error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed(
        PQconninfoParse(options.url.c_str(), &raw_error), &PQconninfoFree
    );
    std::unique_ptr<char, decltype(&PQfreemem)> error(raw_error, &PQfreemem);
    if (parsed == nullptr) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "postgres: invalid connection string: " + TrimMessage(raw_error)
        );
    }
    auto store = std::make_unique<PostgresStore>(options.url);
    CONCORD_RETURN_IF_ERROR(store->Init());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace concord::store::detail
