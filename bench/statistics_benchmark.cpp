// Official statistics (issue 11 §5: the statistics of 10^7 recorded requests computed in under
// 1 s), beside the limit measured in the same run: one query that reads the same columns of the
// same rows through the store, with nothing computed.
//
// The database (SQLite, on disk under /tmp, removed at exit) is filled once with
// BENCH_STATS_REQUESTS folded requests (default 10^6; `BENCH_STATS_REQUESTS=10000000` for the
// issue's figure) spread over one year, 12 party pairs, 4 request types, both priorities and all
// outcomes. BM_StatisticsReport computes the report of the whole year (every row), then of one
// month.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "concord/app/case_service.hpp"
#include "concord/app/statistics.hpp"
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

Filled& Shared() {
    static Filled filled;
    return filled;
}

// The shared database; nullptr (and a message) on failure.
store::Store* FilledStore(benchmark::State& state) {
    Filled& f = Shared();
    if (f.store == nullptr && f.error.empty()) {
        std::string templ = (fs::temp_directory_path() / "concord-bench.XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) {
            f.error = "mkdtemp failed";
        } else {
            f.dir = templ;
            auto opened = store::Store::Open("sqlite:" + (f.dir / "statistics.db").string());
            Result<void> ok = opened ? Result<void>() : Result<void>(opened.error());
            if (ok) {
                ok = (*opened)->Migrate(CaseService::Migrations());
            }
            if (ok) {
                ok = (*opened)->Migrate(StatisticsService::Migrations());
            }
            if (ok) {
                // One statement generates the rows in SQLite itself: the fill is setup.
                auto tx = (*opened)->Begin();
                ok = tx ? Result<void>() : Result<void>(tx.error());
                if (ok) {
                    auto filled = (*tx)->Execute(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + "
                        "1 < $1), r(i, s, pair, o) AS (SELECT i, $2 + abs(random()) % $3, i % 12, "
                        "abs(random()) % 10 FROM n) INSERT INTO app_stats_requests (case_id, "
                        "direction, requesting_party, requested_party, request_type, priority, "
                        "offence, data_categories, started_ms, acknowledged_ms, answered_ms, "
                        "outcome, grounds) SELECT printf('case-%09d', i), CASE WHEN i % 2 = 0 "
                        "THEN 'in' ELSE 'out' END, substr('FRDEJPHUBRKE', 1 + (pair % 6) * 2, "
                        "2), substr('HUKEFRDEJPBR', 1 + (pair / 2) * 2, 2), CASE i % 4 WHEN 0 "
                        "THEN 'preservation' WHEN 1 THEN 'mla_stored_data' WHEN 2 THEN "
                        "'subscriber_information' ELSE 'extradition' END, CASE WHEN i % 7 = 0 "
                        "THEN 'emergency' ELSE 'normal' END, 'budapest:' || (2 + i % 9), CASE "
                        "WHEN i % 3 = 0 THEN '[\"subscriber\",\"traffic\"]' ELSE '[]' END, s, "
                        "CASE WHEN o < 8 THEN s + 60000 + abs(random()) % 86400000 ELSE 0 END, "
                        "CASE WHEN o < 6 THEN s + 3600000 + abs(random()) % 2592000000 ELSE 0 "
                        "END, CASE WHEN o < 5 THEN 'responded' WHEN o = 5 THEN 'refused' WHEN o "
                        "= 6 THEN 'withdrawn' ELSE 'open' END, CASE WHEN o = 5 THEN "
                        "'[\"nationality\"]' ELSE '[]' END FROM r",
                        {Requests(), kStart, kYear}
                    );
                    ok = filled ? (*tx)->Commit() : Result<void>(filled.error());
                }
            }
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

// The limit: the columns a report needs, of the same rows, read through the store.
double ScanMs(store::Store& store, std::int64_t from, std::int64_t to, std::size_t& rows_read) {
    auto start = std::chrono::steady_clock::now();
    auto tx = store.Begin();
    if (!tx) {
        return -1;
    }
    auto rows = (*tx)->Query(
        "SELECT direction, requesting_party, requested_party, request_type, priority, offence, "
        "data_categories, started_ms, acknowledged_ms, answered_ms, outcome, grounds FROM "
        "app_stats_requests WHERE started_ms >= $1 AND started_ms < $2",
        {from, to}
    );
    (*tx)->Rollback();
    rows_read = rows ? rows->size() : 0;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

void BM_StatisticsReport(benchmark::State& state) {
    store::Store* store = FilledStore(state);
    if (store == nullptr) {
        return;
    }
    const std::int64_t to = kStart + state.range(0) * kDay;
    StatisticsService stats(*store);
    Actor statistician;
    statistician.kind = Actor::Kind::kUser;
    statistician.user_id = "bench";
    statistician.roles = {Role::kStatistician};
    std::size_t rows = 0;
    for ([[maybe_unused]] auto _ : state) {
        auto report = stats.Report(statistician, StatisticsQuery{kStart, to, 5});
        if (!report) {
            state.SkipWithError(report.error().ToString().c_str());
            return;
        }
        rows = report->requests.size();
        benchmark::DoNotOptimize(report->requests.data());
    }
    std::size_t scanned = 0;
    const double scan_ms = ScanMs(*store, kStart, to, scanned);
    state.counters["requests_in_period"] = static_cast<double>(scanned);
    state.counters["report_rows"] = static_cast<double>(rows);
    state.counters["limit_scan_ms"] = scan_ms;
    std::printf(
        "report over %zu of %lld requests (%lld days): limit in this run, the same rows read "
        "through the store: %.0f ms\n",
        scanned,
        static_cast<long long>(Requests()),
        static_cast<long long>(state.range(0)),
        scan_ms
    );
}
BENCHMARK(BM_StatisticsReport)->Arg(365)->Arg(30)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace concord::app

int main(int argc, char** argv) {
    return concord::bench::RunBenchmarks(argc, argv);
}
