#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/store/value.hpp"

namespace concord::store {

/// Which database engine a Store runs on.
enum class Backend : std::uint8_t { kSqlite, kPostgres };

/// One versioned schema step of one component (e.g. "ledger" version 1). Each backend has its own
/// DDL; statements are separated by ';'. Applied in version order, each in its own transaction,
/// and recorded in the table `schema_migrations(component, version)`.
struct Migration {
    std::string component;
    int version{0};
    std::string sqlite_sql;
    std::string postgres_sql;
};

/// An open transaction. Obtained from Store::Begin. Destroying it without Commit() rolls back.
///
/// SQL is written once for both backends: parameters are `$1`, `$2`, ... and statements use the
/// common subset of SQLite and PostgreSQL (INSERT ... ON CONFLICT, RETURNING, LIMIT).
/// Errors: kAlreadyExists on a unique/primary-key violation, kInvalidArgument on an SQL error,
/// kUnavailable on I/O failure, lost connection, disk full or serialization failure
/// (the caller may retry the whole transaction), kCorruption if the database is damaged.
/// After any error the transaction can only be rolled back. Not thread-safe.
class Transaction {
public:
    virtual ~Transaction() = default;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// Runs a statement; returns the number of rows it changed.
    virtual Result<std::int64_t> Execute(std::string_view sql, std::span<const Value> params) = 0;
    /// Runs a query and returns all its rows.
    virtual Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) = 0;

    /// Commits. When it returns success the data is durable (fsync'd / flushed to the WAL on disk);
    /// only then may anything be acknowledged. On an I/O failure during commit the Store stops
    /// accepting writes (kUnavailable until reopened): a failed fsync is never retried.
    virtual Result<void> Commit() = 0;
    /// Rolls back; also done by the destructor when neither was called.
    virtual void Rollback() = 0;

    /// Registers `hook` to run after a successful Commit(), in registration order. Hooks do not
    /// run on rollback. Use them to publish in-memory state that must match committed data.
    void OnCommit(std::function<void()> hook) { commit_hooks_.push_back(std::move(hook)); }

    /// Convenience overloads.
    Result<std::int64_t> Execute(std::string_view sql, std::initializer_list<Value> params = {}) {
        return Execute(sql, std::span<const Value>(params.begin(), params.size()));
    }
    Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
        return Query(sql, std::span<const Value>(params.begin(), params.size()));
    }

protected:
    Transaction() = default;
    /// Backends call this after a durable commit.
    void RunCommitHooks();
    /// Backends call this on rollback.
    void DropCommitHooks() { commit_hooks_.clear(); }

private:
    std::vector<std::function<void()>> commit_hooks_;
};

/// Options for Store::Open.
struct StoreOptions {
    /// "sqlite:PATH" or a libpq connection string/URI ("postgresql://...", "host=... dbname=...").
    std::string url;
    /// SQLite only: name of a registered sqlite3_vfs to use (fault-injection tests); empty =
    /// default.
    std::string sqlite_vfs;
    /// SQLite only: milliseconds to wait for a lock held by another process.
    int busy_timeout_ms{5000};
};

/// A transactional database: the one storage interface of Concord, with a SQLite backend
/// (embedded default) and a PostgreSQL backend. Both pass the same conformance suite
/// (libs/store/src/store_conformance_test.cpp).
///
/// Durability is not negotiable: SQLite runs in WAL mode with synchronous=FULL and Open refuses a
/// database where either cannot be set (e.g. ":memory:"); PostgreSQL refuses a server with
/// fsync or synchronous_commit off.
///
/// Thread-safety: Store is thread-safe; each Transaction is used by one thread at a time. SQLite
/// runs one read-write transaction at a time (Begin blocks until the previous one ends).
class Store {
public:
    virtual ~Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Opens (creating if needed, for SQLite) the database named by `options.url`.
    /// kInvalidArgument for a bad URL or weak durability settings; kUnavailable if it cannot
    /// be reached; kCorruption if it is not a database.
    static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
    /// Opens `url` with every other option at its default.
    static Result<std::unique_ptr<Store>> Open(std::string_view url);

    [[nodiscard]] virtual store::Backend Backend() const = 0;

    /// Starts a read-write transaction.
    virtual Result<std::unique_ptr<Transaction>> Begin() = 0;

    /// Applies, in order, every migration not yet recorded. Idempotent; concurrent callers on
    /// PostgreSQL are serialised by an advisory lock. kInvalidArgument if a migration fails
    /// (nothing of it is kept).
    virtual Result<void> Migrate(std::span<const Migration> migrations) = 0;

    /// The highest applied version of `component`, 0 if none.
    virtual Result<int> SchemaVersion(std::string_view component) = 0;

    /// Checks the physical integrity of the database (SQLite `PRAGMA integrity_check`,
    /// PostgreSQL: a catalog query). kCorruption with the first problem otherwise.
    virtual Result<void> CheckIntegrity() = 0;

    /// Writes a consistent copy of the whole database to the new file `file` while other
    /// transactions go on, durable when it returns: SQLite writes a database file (VACUUM INTO),
    /// PostgreSQL a custom-format archive of `pg_dump` (found on PATH). kAlreadyExists if `file`
    /// exists; kUnavailable if the copy cannot be written (nothing is left at `file`).
    virtual Result<void> BackupTo(const std::filesystem::path& file) = 0;

    /// Loads into this database, which must hold no table (kAlreadyExists otherwise, and nothing
    /// changes), a copy that BackupTo of the same backend wrote: all of it in one transaction
    /// (PostgreSQL: `pg_restore --single-transaction`). kInvalidArgument if `file` is not such a
    /// copy; kNotFound if it does not exist.
    virtual Result<void> RestoreFrom(const std::filesystem::path& file) = 0;

protected:
    Store() = default;
};

}  // namespace concord::store
