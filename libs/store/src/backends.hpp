#pragma once

#include <memory>

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
