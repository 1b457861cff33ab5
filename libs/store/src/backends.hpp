#pragma once

#include <memory>
#include <span>
#include <string>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::store::detail {

/// Opens a SQLite store; `path` is the part of the URL after "sqlite:".
Result<std::unique_ptr<Store>> OpenSqliteStore(
    const StoreOptions& options, const std::string& path
);

/// Opens a PostgreSQL store; `options.url` is a libpq connection string or URI.
Result<std::unique_ptr<Store>> OpenPostgresStore(const StoreOptions& options);

/// Checks a list of migrations before applying it: versions are >= 1 and strictly increasing
/// within each component. kInvalidArgument otherwise.
Result<void> ValidateMigrations(std::span<const Migration> migrations);

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
            error.message = "migration '" + m.component + "' version " +
                            std::to_string(m.version) + " failed: " + error.message;
            return error;
        }
    }
    return {};
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
