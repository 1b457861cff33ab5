// Official statistics (issue 11 §5: the statistics of 10^7 recorded requests computed in under
// 1 s), beside the limit measured in the same run: one query that reads the rollup rows the
// report reads (docs/statistics.md "Cost"), with nothing decoded or computed.
//
// Each database (SQLite, on disk under /tmp, removed at exit; PostgreSQL, the throwaway server
// named by CONCORD_PG_TEST_DSN, skipped without it) is filled once with
// BENCH_STATS_REQUESTS folded requests (default 10^6; `BENCH_STATS_REQUESTS=10000000` for the
// issue's figure) spread over one year, 12 party pairs, 4 request types (one of them EPOCs), both
// priorities and all outcomes, with one legal deadline each, and the rollup is built from them.
// BM_StatisticsReport computes the report of the whole year (from midnight: whole days only; from
// noon: two half days read from the requests), then of one month; BM_EuArt28Report the EU
// e-Evidence report (docs/statistics.md), which reads the period's EPOCs through the index on
// request type and start, beside the bare read of those rows.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <benchmark/benchmark.h>

#include "concord/app/case_service.hpp"
#include "concord/app/domain_events.hpp"
#include "concord/app/statistics.hpp"
#include "concord/app/statistics_eu.hpp"
#include "concord/core/time.hpp"
#include "concord/store/store.hpp"

#include "bench_main.hpp"

namespace concord::app {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kYear = 365 * kDay;
constexpr std::int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

std::int64_t Requests() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    const char* text = std::getenv("BENCH_STATS_REQUESTS");
    const long long n = text != nullptr ? std::atoll(text) : 0;
    return n > 0 ? n : 1'000'000;
}

// The same requests in either dialect: `n` rows, `s` the start, `o` 0-9 for the outcome.
constexpr std::string_view kColumns =
    "INSERT INTO app_stats_requests (case_id, direction, requesting_party, requested_party, "
    "request_type, priority, offence, data_categories, started_ms, acknowledged_ms, answered_ms, "
    "outcome, grounds) ";
constexpr std::string_view kValues =
    "CASE WHEN i % 2 = 0 THEN 'in' ELSE 'out' END, substr('FRDEJPHUBRKE', 1 + (i % 12 % 6) * 2, "
    "2), substr('HUKEFRDEJPBR', 1 + (i % 12 / 2) * 2, 2), CASE i % 4 WHEN 0 THEN 'preservation' "
    "WHEN 1 THEN 'mla_stored_data' WHEN 2 THEN 'extradition' ELSE 'epoc' END, "
    "CASE WHEN i % 7 = 0 THEN 'emergency' ELSE 'normal' END, 'budapest:' || (2 + i % 9), CASE "
    "WHEN i % 3 = 0 THEN '[\"subscriber\",\"traffic\"]' ELSE '[]' END, s, CASE WHEN o < 8 THEN s "
    "+ 60000 + a ELSE 0 END, CASE WHEN o < 6 THEN s + 3600000 + b ELSE 0 END, CASE WHEN o < 5 "
    "THEN 'responded' WHEN o = 5 THEN 'refused' WHEN o = 6 THEN 'withdrawn' ELSE 'open' END, CASE "
    "WHEN o = 5 THEN '[\"nationality\"]' ELSE '[]' END";

// One statement that generates the rows in the database itself: the fill is setup. Rows are
// written in the order of their start, as a node folds its requests.
std::string FillSql(store::Backend backend) {
    if (backend == store::Backend::kSqlite) {
        return "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1), "
               "r(i, s, o, a, b) AS (SELECT i, $2 + abs(random()) % $3, abs(random()) % 10, "
               "abs(random()) % 86400000, abs(random()) % 2592000000 FROM n) " +
               std::string(kColumns) + "SELECT printf('case-%09d', i), " + std::string(kValues) +
               " FROM r ORDER BY s";
    }
    return std::string(kColumns) + "SELECT 'case-' || lpad(i::text, 9, '0'), " +
           std::string(kValues) +
           " FROM (SELECT i, $2::bigint + floor(random() * $3::bigint)::bigint AS s, "
           "floor(random() "
           "* 10)::int AS o, floor(random() * 86400000)::bigint AS a, floor(random() * "
           "2592000000)::bigint AS b FROM generate_series(0, $1::int - 1) AS i) AS r ORDER BY s";
}

struct Filled {
    fs::path dir;
    std::unique_ptr<store::Store> store;
    std::string error;
    ~Filled() {
        store.reset();
        if (!dir.empty()) {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }
};

const char* PgDsn() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    return std::getenv("CONCORD_PG_TEST_DSN");
}

// Migrates `db`, empties what an earlier run on the same server left, fills it and builds the
// rollup.
Result<void> Fill(store::Store& db) {
    CONCORD_RETURN_IF_ERROR(db.Migrate(CaseService::Migrations()));
    CONCORD_RETURN_IF_ERROR(db.Migrate(StatisticsService::Migrations()));
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_stats_requests"));
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_stats_days"));
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_stats_eu_days"));
        CONCORD_RETURN_IF_ERROR(tx->Execute("UPDATE app_stats_rollup SET ready = 0, next_day = -1")
        );
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_deadlines"));
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_stats_deadlines"));
        CONCORD_RETURN_IF_ERROR(tx->Execute("DELETE FROM app_stats_deadline_days"));
        CONCORD_RETURN_IF_ERROR(tx->Execute(FillSql(db.Backend()), {Requests(), kStart, kYear}));
        // One deadline per request (to answer in 25 days), and its counts by day as the
        // statistics fold keeps them.
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO app_deadlines (id, case_id, kind, starts_ms, due_ms, warn_ms, state, "
            "suspended_at_ms, warned_ms, closed_ms, backup, extensions) SELECT 'd-' || case_id, "
            "case_id, 'mla.response', started_ms, started_ms + 2160000000, started_ms + "
            "1728000000, CASE WHEN outcome = 'withdrawn' THEN 'cancelled' WHEN answered_ms = 0 "
            "THEN 'open' WHEN answered_ms - started_ms > 2160000000 THEN 'breached' ELSE 'met' "
            "END, 0, 0, answered_ms, '', '[]' FROM app_stats_requests"
        ));
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO app_stats_deadlines (deadline_id, day, kind, state) SELECT id, "
            "starts_ms / 86400000, kind, state FROM app_deadlines"
        ));
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO app_stats_deadline_days (day, kind, state, n) SELECT day, kind, state, "
            "COUNT(*) FROM app_stats_deadlines GROUP BY day, kind, state"
        ));
        CONCORD_RETURN_IF_ERROR(tx->Commit());
    }
    // The rollup, built from the rows as on a node upgraded with them: setup too, timed for
    // docs/PERFORMANCE.md.
    // It is built in steps of whole days of at least 100 000 requests (docs/statistics.md), each
    // its own transaction: the node's other writers wait for one step at a time.
    const auto start = std::chrono::steady_clock::now();
    CONCORD_RETURN_IF_ERROR(StatisticsService(db).Refresh());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto days, tx->Query("SELECT COUNT(DISTINCT day) FROM app_stats_days")
    );
    const std::int64_t day_count = days.empty() ? 0 : days[0].Int(0);
    const std::int64_t per_day = day_count > 0 ? Requests() / day_count : 0;
    // Whole days until 100 000 requests are in: ceil(100 000 / per_day) days a step.
    const std::int64_t days_per_step = per_day > 0 ? (100'000 + per_day - 1) / per_day : 1;
    const std::int64_t steps = (day_count + days_per_step - 1) / days_per_step;
    std::printf(
        "setup: rollup of %lld requests built in %.1f s, in %lld steps (%.0f ms a step on "
        "average)\n",
        static_cast<long long>(Requests()),
        seconds,
        static_cast<long long>(steps),
        steps > 0 ? seconds * 1000 / static_cast<double>(steps) : 0.0
    );
    return {};
}

// The shared database of the backend (filled on first use); nullptr (and a message) on failure
// or, for PostgreSQL, without CONCORD_PG_TEST_DSN.
store::Store* FilledStore(benchmark::State& state, store::Backend backend) {
    static Filled sqlite;
    static Filled postgres;
    Filled& f = backend == store::Backend::kSqlite ? sqlite : postgres;
    if (f.store == nullptr && f.error.empty()) {
        std::string url;
        if (backend == store::Backend::kPostgres) {
            if (PgDsn() == nullptr) {
                f.error = "skipped: no CONCORD_PG_TEST_DSN";
            } else {
                url = PgDsn();
            }
        } else {
            std::string templ = (fs::temp_directory_path() / "concord-bench.XXXXXX").string();
            if (mkdtemp(templ.data()) == nullptr) {
                f.error = "mkdtemp failed";
            } else {
                f.dir = templ;
                url = "sqlite:" + (f.dir / "statistics.db").string();
            }
        }
        if (f.error.empty()) {
            auto opened = store::Store::Open(url);
            Result<void> ok = opened ? Fill(**opened) : Result<void>(opened.error());
            if (ok) {
                f.store = std::move(*opened);
            } else {
                f.error = ok.error().ToString();
            }
        }
    }
    if (f.store == nullptr) {
        state.SkipWithError(f.error.c_str());
    }
    return f.store.get();
}

// The limit: the rollup rows (of `table`: app_stats_days or app_stats_eu_days) a report of whole
// days reads, read through the store with nothing decoded or computed.
double RollupReadMs(
    store::Store& store,
    const std::string& table,
    std::int64_t from,
    std::int64_t to,
    std::size_t& rows_read
) {
    auto start = std::chrono::steady_clock::now();
    auto tx = store.Begin();
    if (!tx) {
        return -1;
    }
    auto rows = (*tx)->Query(
        "SELECT tab, k, n0, n1, n2, n3, n4, n5, n6, to_acknowledge, to_answer FROM " + table +
            " WHERE day >= $1 AND day < $2",
        {(from + kDay - 1) / kDay, to / kDay}
    );
    (*tx)->Rollback();
    rows_read = rows ? rows->size() : 0;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// The user the reports are computed for.
Actor Statistician() {
    Actor statistician;
    statistician.kind = Actor::Kind::kUser;
    statistician.user_id = "bench";
    statistician.roles = {Role::kStatistician};
    return statistician;
}

std::int64_t CountRequests(store::Store& store, std::int64_t from, std::int64_t to) {
    auto tx = store.Begin();
    if (!tx) {
        return -1;
    }
    auto rows = (*tx)->Query(
        "SELECT COUNT(*) FROM app_stats_requests WHERE started_ms >= $1 AND started_ms < $2",
        {from, to}
    );
    return rows && !rows->empty() ? (*rows)[0].Int(0) : -1;
}

// The periods both reports are measured over: a year from midnight, a year from noon and 30 days,
// on SQLite, then on PostgreSQL.
void PeriodArgs(benchmark::internal::Benchmark* b) {
    for (const std::int64_t backend : {0, 1}) {
        b->Args({365, 0, backend})->Args({365, 1, backend})->Args({30, 0, backend});
    }
}

// Arguments: the period's days; 1 to start it at noon (whole days from the rollup, the two half
// days at its ends from the requests) rather than at midnight; 0 for SQLite, 1 for PostgreSQL.
void BM_StatisticsReport(benchmark::State& state) {
    store::Store* store = FilledStore(
        state, state.range(2) == 0 ? store::Backend::kSqlite : store::Backend::kPostgres
    );
    if (store == nullptr) {
        return;
    }
    const std::int64_t from = kStart + state.range(1) * (kDay / 2);
    const std::int64_t to = from + state.range(0) * kDay;
    StatisticsService stats(*store);
    const Actor statistician = Statistician();
    std::size_t rows = 0;
    for ([[maybe_unused]] auto _ : state) {
        auto report = stats.Report(statistician, StatisticsQuery{from, to, 5});
        if (!report) {
            state.SkipWithError(report.error().ToString().c_str());
            return;
        }
        rows = report->requests.size();
        benchmark::DoNotOptimize(report->requests.data());
    }
    std::size_t rollup_rows = 0;
    const double read_ms = RollupReadMs(*store, "app_stats_days", from, to, rollup_rows);
    const std::int64_t requests = CountRequests(*store, from, to);
    state.counters["requests_in_period"] = static_cast<double>(requests);
    state.counters["report_rows"] = static_cast<double>(rows);
    state.counters["rollup_rows"] = static_cast<double>(rollup_rows);
    state.counters["limit_read_ms"] = read_ms;
    std::printf(
        "%s: report over %lld of %lld requests (%lld days%s): limit in this run, the %zu rollup "
        "rows "
        "of its whole days read through the store: %.0f ms\n",
        state.range(2) == 0 ? "SQLite" : "PostgreSQL",
        static_cast<long long>(requests),
        static_cast<long long>(Requests()),
        static_cast<long long>(state.range(0)),
        state.range(1) != 0 ? ", from noon" : "",
        rollup_rows,
        read_ms
    );
}
BENCHMARK(BM_StatisticsReport)->Apply(PeriodArgs)->Unit(benchmark::kMillisecond)->Iterations(3);

// Arguments: the period's days; 1 to start it at noon; 0 for SQLite, 1 for PostgreSQL.
void BM_EuArt28Report(benchmark::State& state) {
    store::Store* store = FilledStore(
        state, state.range(2) == 0 ? store::Backend::kSqlite : store::Backend::kPostgres
    );
    if (store == nullptr) {
        return;
    }
    const std::int64_t from = kStart + state.range(1) * (kDay / 2);
    const std::int64_t to = from + state.range(0) * kDay;
    StatisticsService stats(*store);
    EuArt28Reporter eu(*store, stats);
    const Actor statistician = Statistician();
    std::size_t rows = 0;
    for ([[maybe_unused]] auto _ : state) {
        auto report = eu.Report(statistician, StatisticsQuery{from, to, 5});
        if (!report) {
            state.SkipWithError(report.error().ToString().c_str());
            return;
        }
        rows = report->orders.size();
        benchmark::DoNotOptimize(report->orders.data());
    }
    std::size_t rollup_rows = 0;
    const double read_ms = RollupReadMs(*store, "app_stats_eu_days", from, to, rollup_rows);
    state.counters["report_rows"] = static_cast<double>(rows);
    state.counters["rollup_rows"] = static_cast<double>(rollup_rows);
    state.counters["limit_read_ms"] = read_ms;
    std::printf(
        "%s: EU Art 28 report over %lld days%s: limit in this run, the %zu rows of its whole days "
        "in the EU rollup read through the store: %.0f ms\n",
        state.range(2) == 0 ? "SQLite" : "PostgreSQL",
        static_cast<long long>(state.range(0)),
        state.range(1) != 0 ? ", from noon" : "",
        rollup_rows,
        read_ms
    );
}
BENCHMARK(BM_EuArt28Report)->Apply(PeriodArgs)->Unit(benchmark::kMillisecond)->Iterations(3);

constexpr int kFoldCases = 3000;  // three events each: one fold batch of 9000 events

// Appends kFoldCases new requests, received, acknowledged and answered, as unfolded events.
Result<void> AppendFoldEvents(store::Store& db, int round) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    for (int i = 0; i < kFoldCases; ++i) {
        DomainEvent e;
        e.actor = "node";
        e.case_id = "fold-" + std::to_string(round) + "-" + std::to_string(i);
        e.direction = "in";
        e.request_type = "mla_stored_data";
        e.requesting_party = "FR";
        e.requested_party = "HU";
        e.priority = "normal";
        e.offence = "budapest:2";
        const std::int64_t start = kStart + (static_cast<std::int64_t>(i) * 7919 % 365) * kDay;
        for (const auto& [kind, at] :
             {std::pair{"received", start},
              std::pair{"acknowledge", start + 3'600'000},
              std::pair{"respond", start + 86'400'000 + i}}) {
            e.kind = kind;
            e.at_ms = at;
            CONCORD_RETURN_IF_ERROR(AppendDomainEvent(*tx, e).transform([](std::int64_t) {}));
        }
    }
    return tx->Commit();
}

// The limit: the same events read and marked folded, with nothing applied (rolled back).
Result<double> MarkOnlyMs(store::Store& db) {
    const auto start = std::chrono::steady_clock::now();
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto events, ReadUnfoldedDomainEvents(*tx, 10000));
    for (const DomainEvent& e : events) {
        CONCORD_RETURN_IF_ERROR(MarkDomainEventFolded(*tx, e.seq).transform([](bool) {}));
    }
    tx->Rollback();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// The fold of 9000 new events into the filled database (rows and rollup), beside the limit.
void BM_StatisticsFold(benchmark::State& state) {
    store::Store* store = FilledStore(
        state, state.range(0) == 0 ? store::Backend::kSqlite : store::Backend::kPostgres
    );
    if (store == nullptr) {
        return;
    }
    StatisticsService stats(*store);
    static int round = 0;
    double limit_ms = 0;
    for ([[maybe_unused]] auto _ : state) {
        state.PauseTiming();
        auto appended = AppendFoldEvents(*store, ++round);
        auto limit = appended ? MarkOnlyMs(*store) : Result<double>(appended.error());
        if (!limit) {
            state.SkipWithError(limit.error().ToString().c_str());
            return;
        }
        limit_ms = *limit;
        state.ResumeTiming();
        auto folded = stats.Refresh();
        if (!folded) {
            state.SkipWithError(folded.error().ToString().c_str());
            return;
        }
    }
    state.counters["events"] = 3 * kFoldCases;
    state.counters["limit_mark_ms"] = limit_ms;
    std::printf(
        "%s: fold of %d events: limit in this run, the same events read and marked folded with "
        "nothing applied: %.0f ms\n",
        state.range(0) == 0 ? "SQLite" : "PostgreSQL",
        3 * kFoldCases,
        limit_ms
    );
}
BENCHMARK(BM_StatisticsFold)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace concord::app

int main(int argc, char** argv) {
    return concord::bench::RunBenchmarks(argc, argv);
}
