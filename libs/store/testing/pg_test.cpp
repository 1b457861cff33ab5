#include "concord/store/testing/pg_test.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <libpq-fe.h>

#include <unistd.h>

namespace concord::store::testing {
namespace {

std::string Getenv(const char* name) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): tests never setenv
    return value != nullptr ? value : "";
}

/// Quotes a libpq keyword value: 'value' with \ and ' escaped.
std::string QuoteConninfoValue(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\\' || c == '\'') {
            out += '\\';
        }
        out += c;
    }
    out += '\'';
    return out;
}

/// Rewrites `dsn` (keyword string or URI) as a keyword string with dbname = `dbname`.
Result<std::string> WithDbname(const std::string& dsn, const std::string& dbname) {
    char* raw_error = nullptr;
    PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &raw_error);
    std::unique_ptr<char, decltype(&PQfreemem)> error(raw_error, &PQfreemem);
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> owned(options, &PQconninfoFree);
    if (options == nullptr) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            std::string("invalid PostgreSQL test DSN: ") + (raw_error != nullptr ? raw_error : "")
        );
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || o->val[0] == '\0' || std::string_view(o->keyword) == "dbname") {
            continue;
        }
        out += std::string(o->keyword) + "=" + QuoteConninfoValue(o->val) + " ";
    }
    out += "dbname=" + QuoteConninfoValue(dbname);
    return out;
}

}  // namespace

std::optional<std::string> PgTestDsn() {
    if (std::string dsn = Getenv("CONCORD_PG_TEST_DSN"); !dsn.empty()) {
        return dsn;
    }
    const std::string file = Getenv("CONCORD_PG_TEST_DSN_FILE");
    if (file.empty()) {
        return std::nullopt;
    }
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line) || line.empty()) {
        return std::nullopt;
    }
    return line;
}

bool InCi() {
    return Getenv("CI") == "true";
}

Result<std::string> CreateFreshPgDatabase() {
    auto dsn = PgTestDsn();
    if (!dsn) {
        return MakeError(ErrorCode::kUnavailable, "no PostgreSQL test server configured");
    }
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(dsn->c_str()), &PQfinish);
    if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
        return MakeError(
            ErrorCode::kUnavailable,
            std::string("cannot connect to the PostgreSQL test server: ") +
                (conn != nullptr ? PQerrorMessage(conn.get()) : "out of memory")
        );
    }
    static std::atomic<int> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const std::string name =
        "concord_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexec(conn.get(), ("CREATE DATABASE " + name).c_str()), &PQclear
    );
    if (result == nullptr || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        return MakeError(
            ErrorCode::kUnavailable,
            std::string("CREATE DATABASE failed: ") + PQerrorMessage(conn.get())
        );
    }
    return WithDbname(*dsn, name);
}

PgTestDatabase FreshPgDatabaseForTest() {
    using Action = PgTestDatabase::Action;
    if (!PgTestDsn()) {
        std::string reason =
            "no PostgreSQL test server: set CONCORD_PG_TEST_DSN, or run the tests through ctest "
            "(the pg_cluster_start fixture writes the DSN file)";
        return InCi() ? PgTestDatabase{Action::kFail, reason + " [CI=true: PostgreSQL is required]"}
                      : PgTestDatabase{Action::kSkip, reason};
    }
    auto dsn = CreateFreshPgDatabase();
    if (!dsn) {
        return {Action::kFail, dsn.error().message};
    }
    return {Action::kRun, std::move(*dsn)};
}

}  // namespace concord::store::testing
