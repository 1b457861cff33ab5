#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::store::detail {

/// Opens a SQLite store; `path` is the part of the URL after "sqlite:".
Result<std::unique_ptr<Store>> OpenSqliteStore(
    const StoreOptions& options, const std::string& path
);

/// Opens a PostgreSQL store; `options.url` is a libpq connection string or URI.
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options);

/// Makes the whole file `file` and its entry in its folder durable (fsync of both).
/// kUnavailable (FileErrnoError) on failure.
Result<void> SyncFileAndFolder(const std::filesystem::path& file);

/// Checks a list of migrations before applying it: versions are >= 1 and strictly increasing
/// within each component. kInvalidArgument otherwise.
Result<void> ValidateMigrations(std::span<const Migration> migrations);

/// The state machine both backends' transactions share: after any failed statement the
/// transaction can only be rolled back; Commit() on a failed transaction rolls it back and says
/// so; a failed commit rolls back; commit hooks run only after a durable commit. Backends
/// implement the Do* steps. Not thread-safe.
class TransactionBase : public Transaction {
public:
    using Transaction::Execute;
    using Transaction::Query;

    Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params) final {
        CONCORD_RETURN_IF_ERROR(CheckOpen());
        return Track(DoRun(sql, params, nullptr));
    }

    Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) final {
        CONCORD_RETURN_IF_ERROR(CheckOpen());
        std::vector<Row> rows;
        CONCORD_RETURN_IF_ERROR(Track(DoRun(sql, params, &rows)));
        return rows;
    }

    /// Runs a migration script (several statements, no parameters) inside this transaction.
    Result<void> ExecScript(const std::string& sql) {
        CONCORD_RETURN_IF_ERROR(CheckOpen());
        return Track(DoExecScript(sql));
    }

    Result<void> Commit() final {
        if (state_ == State::kDone) {
            return MakeError(ErrorCode::kInvalidArgument, "transaction is no longer open");
        }
        if (state_ == State::kFailed) {
            Rollback();
            return MakeError(
                ErrorCode::kInvalidArgument,
                "transaction had an error and was rolled back instead of committed"
            );
        }
        auto committed = DoCommit();
        if (!committed) {
            Rollback();
            return committed;
        }
        state_ = State::kDone;
        RunCommitHooks();
        return {};
    }

    void Rollback() final {
        if (state_ == State::kDone) {
            return;
        }
        DoRollback();
        state_ = State::kDone;
        DropCommitHooks();
    }

protected:
    /// Runs one statement, filling `rows` when it is not null; returns the rows changed.
    virtual Result<std::int64_t> DoRun(
        std::string_view sql, std::span<const Value> params, std::vector<Row>* rows
    ) = 0;
    virtual Result<void> DoExecScript(const std::string& sql) = 0;
    /// Commits durably and releases the transaction's resources. On failure it leaves them
    /// held; the base then calls DoRollback().
    virtual Result<void> DoCommit() = 0;
    /// Ends the transaction without committing and releases its resources.
    virtual void DoRollback() = 0;

private:
    enum class State : std::uint8_t { kOpen, kFailed, kDone };

    Result<void> CheckOpen() const {
        if (state_ == State::kOpen) {
            return {};
        }
        return MakeError(
            ErrorCode::kInvalidArgument,
            state_ == State::kFailed ? "transaction had an error; it can only be rolled back"
                                     : "transaction is no longer open"
        );
    }

    template <class T>
    Result<T> Track(Result<T> result) {
        if (!result) {
            state_ = State::kFailed;
        }
        return result;
    }

    State state_{State::kOpen};
};

/// Applies, in order, each migration not yet recorded in `schema_migrations`, each in its own
/// transaction together with its record. The backend supplies `begin()` (a transaction of its own
/// type, which has ExecScript), `prepare(tx)` (makes the migration table exist and takes any lock
/// the backend needs) and `script(migration)` (its DDL). A failing migration keeps nothing of
/// itself; its error names it and is kInvalidArgument unless the store is unavailable or corrupt.
template <class Begin, class Prepare, class Script>
Result<void> ApplyMigrations(
    std::span<const Migration> migrations, Begin begin, Prepare prepare, Script script
) {
    CONCORD_RETURN_IF_ERROR(ValidateMigrations(migrations));
    for (const Migration& m : migrations) {
        CONCORD_ASSIGN_OR_RETURN(auto tx, begin());
        CONCORD_RETURN_IF_ERROR(prepare(*tx));
        CONCORD_ASSIGN_OR_RETURN(
            auto applied,
            tx->Query(
                "SELECT 1 FROM schema_migrations WHERE component = $1 AND version = $2",
                {Value(m.component), Value(std::int64_t{m.version})}
            )
        );
        if (!applied.empty()) {
            tx->Rollback();
            continue;
        }
        const std::string& sql = script(m);
        auto done = sql.empty() ? Result<void>() : tx->ExecScript(sql);
        if (done) {
            auto recorded = tx->Execute(
                "INSERT INTO schema_migrations (component, version) VALUES ($1, $2)",
                {Value(m.component), Value(std::int64_t{m.version})}
            );
            done = recorded ? tx->Commit() : Result<void>(std::move(recorded).error());
        }
        if (!done) {
            Error error = std::move(done).error();
            if (error.code != ErrorCode::kUnavailable && error.code != ErrorCode::kCorruption) {
                error.code = ErrorCode::kInvalidArgument;
            }
            error.message = "migration '" + m.component + "' version " + std::to_string(m.version) +
                            " failed: " + error.message;
            return error;
        }
    }
    return {};
}

/// The highest applied version of `component` as seen by `tx`, 0 if none; `table_exists_sql`
/// is the backend's query answering whether `schema_migrations` exists (one row, one integer).
template <class Tx>
Result<int> ReadSchemaVersion(
    Tx& tx, std::string_view table_exists_sql, std::string_view component
) {
    CONCORD_ASSIGN_OR_RETURN(auto table, tx.Query(table_exists_sql, {}));
    if (table.empty() || table.at(0).Int(0) == 0) {
        return 0;
    }
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx.Query(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1",
            {Value(std::string(component))}
        )
    );
    return static_cast<int>(rows.at(0).Int(0));
}

/// The SQL that creates the migration table (the same text works on both backends).
inline constexpr const char* kSqliteCreateMigrationTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
    " PRIMARY KEY (component, version))";
inline constexpr const char* kPostgresCreateMigrationTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " component TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
    " PRIMARY KEY (component, version))";

}  // namespace concord::store::detail
