#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "concord/core/result.hpp"

namespace concord::store::testing {

/// The connection string of the PostgreSQL server for tests: the environment variable
/// CONCORD_PG_TEST_DSN if set and non-empty, else the first line of the file named by
/// CONCORD_PG_TEST_DSN_FILE (written by `scripts/pg-test-cluster start`); nullopt if neither.
std::optional<std::string> PgTestDsn();

/// Creates an empty database with a unique name on the PgTestDsn() server and returns a DSN that
/// connects to it (the server DSN with its dbname replaced). The databases are not dropped: the
/// test cluster is thrown away as a whole. kUnavailable when there is no server or it cannot be
/// reached.
Result<std::string> CreateFreshPgDatabase();

/// True when the environment variable CI is "true" (tests must not silently skip there).
bool InCi();

/// What a PostgreSQL test should do, decided by FreshPgDatabaseForTest().
struct PgTestDatabase {
    enum class Action : std::uint8_t { kRun, kSkip, kFail };
    Action action{Action::kSkip};
    /// The DSN of a fresh database (kRun), or why there is none.
    std::string dsn_or_reason;
};

/// Creates a fresh database for one test. No DSN configured: kFail in CI, kSkip elsewhere. A
/// configured server that fails: kFail.
PgTestDatabase FreshPgDatabaseForTest();

}  // namespace concord::store::testing

/// Declares `std::string dsn_var` holding the DSN of a fresh, empty PostgreSQL database, or ends
/// the current test: skipped when no test server is configured, failed when CI=true or the server
/// does not work. Use in a TEST body or a fixture's SetUp (it `return`s from the function).
#define CONCORD_FRESH_PG_DSN_OR_SKIP(dsn_var)                                                      \
    std::string dsn_var; /* NOLINT(bugprone-macro-parentheses): a declarator */                    \
    do {                                                                                           \
        auto concord_pg_db = ::concord::store::testing::FreshPgDatabaseForTest();                  \
        using ConcordPgAction = ::concord::store::testing::PgTestDatabase::Action;                 \
        if (concord_pg_db.action == ConcordPgAction::kSkip) {                                      \
            /* Only off CI: with CI=true FreshPgDatabaseForTest() returns kFail, never kSkip. */   \
            GTEST_SKIP() << "skip reason (CI fails instead): " << concord_pg_db.dsn_or_reason;     \
        }                                                                                          \
        if (concord_pg_db.action == ConcordPgAction::kFail) {                                      \
            FAIL() << concord_pg_db.dsn_or_reason;                                                 \
        }                                                                                          \
        dsn_var = std::move(concord_pg_db.dsn_or_reason); /* NOLINT(bugprone-macro-parentheses) */ \
    } while (false)
