// Legal deadlines (issue 9 §5: 10^6 open deadlines, the next due found and fired <= 1 s late),
// each figure beside the limits measured in the same run: one durable SQLite commit (a firing
// is one transaction) and one pop + push on a binary heap of 10^6 entries (finding the next).
//
// The database (on disk under /tmp, removed at exit) is filled once with 10^6 open deadlines due
// in 1 to 30 days; BM_DeadlineLoad measures reading them into the engine's heap (what a restart
// costs) beside one query of the same rows through the store, BM_DeadlineFireLateness starts one
// more deadline due 20 ms ahead, lets the engine's timer thread fire it, and reports how late the
// breach event came after the due instant.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "concord/app/deadlines.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/store/store.hpp"

#include "bench_main.hpp"

namespace concord::app {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kOpen = 1'000'000;
constexpr std::int64_t kDay = 86'400'000;

fs::path& TempDir() {
    static fs::path dir;
    return dir;
}

std::int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::unique_ptr<store::Store>& StoreSlot() {
    static std::unique_ptr<store::Store> store;
    return store;
}

// The shared database with kOpen open deadlines; nullptr (and a message) on failure.
store::Store* FilledStore(benchmark::State& state) {
    std::unique_ptr<store::Store>& store = StoreSlot();
    static std::string error;
    if (store == nullptr && error.empty()) {
        std::string templ = (fs::temp_directory_path() / "concord-bench.XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) {
            error = "mkdtemp failed";
        } else {
            TempDir() = templ;
            auto opened = store::Store::Open("sqlite:" + (TempDir() / "deadlines.db").string());
            if (!opened) {
                error = opened.error().ToString();
            } else if (auto migrated = (*opened)->Migrate(DeadlineEngine::Migrations());
                       !migrated) {
                error = migrated.error().ToString();
            } else {
                // One statement generates the rows in SQLite itself (a recursive CTE): the
                // fill is setup, not what is measured.
                const std::int64_t now = NowMillis();
                auto tx = (*opened)->Begin();
                if (tx) {
                    auto ok = (*tx)->Execute(
                        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE "
                        "i + 1 < $1), d(i, due) AS (SELECT i, $2 + $3 + abs(random()) % $4 FROM "
                        "n) INSERT INTO app_deadlines (id, case_id, kind, starts_ms, due_ms, "
                        "warn_ms, state, suspended_at_ms, warned_ms, closed_ms, backup, "
                        "extensions) SELECT printf('bench-%08d', i), printf('case-%08d', i), "
                        "'epoc.response', $2, due, due - $3, 'open', 0, 0, 0, '', '[]' FROM d",
                        {kOpen, now, kDay, 29 * kDay}
                    );
                    if (!ok) {
                        error = ok.error().ToString();
                    }
                }
                if (!tx) {
                    error = tx.error().ToString();
                } else if (error.empty()) {
                    if (auto ok = (*tx)->Commit(); !ok) {
                        error = ok.error().ToString();
                    }
                }
                if (error.empty()) {
                    store = std::move(*opened);
                }
            }
        }
    }
    if (store == nullptr) {
        state.SkipWithError(error.c_str());
    }
    return store.get();
}

void BM_DeadlineLoad(benchmark::State& state) {
    store::Store* store = FilledStore(state);
    if (store == nullptr) {
        return;
    }
    for ([[maybe_unused]] auto _ : state) {
        DeadlineEngine engine(*store, DeadlineHooks{});
        auto loaded = engine.Load();
        if (!loaded || *loaded != static_cast<std::size_t>(kOpen)) {
            state.SkipWithError("Load did not read every open deadline");
            return;
        }
        benchmark::DoNotOptimize(engine.NextInstant());
    }
    state.counters["deadlines"] = static_cast<double>(kOpen);
    // The limit: the same columns of every open deadline read through the store in one query
    // on the same index (no paging, no heap): what reading the rows costs at all.
    auto start = std::chrono::steady_clock::now();
    auto tx = store->Begin();
    if (!tx) {
        return;
    }
    auto rows = (*tx)->Query(
        "SELECT id, due_ms, warn_ms, warned_ms FROM app_deadlines WHERE state = 'open' ORDER BY id"
    );
    (*tx)->Rollback();
    const double scan_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!rows || rows->size() != static_cast<std::size_t>(kOpen)) {
        state.SkipWithError("the limit scan did not read every open deadline");
        return;
    }
    state.counters["limit_scan_ms"] = scan_ms;
    std::printf(
        "one query of the %zu open deadlines through the store (the limit of Load): %.0f ms\n",
        rows->size(),
        scan_ms
    );
}
BENCHMARK(BM_DeadlineLoad)->Unit(benchmark::kMillisecond)->Iterations(1);

// The limit of "find the next": one pop and one push on a binary heap of 10^6 instants.
double HeapPopPushNs() {
    std::mt19937_64 rng(3);
    std::priority_queue<std::int64_t, std::vector<std::int64_t>, std::greater<>> heap;
    for (std::int64_t i = 0; i < kOpen; ++i) {
        heap.push(static_cast<std::int64_t>(rng() >> 20));
    }
    constexpr int kOps = 200'000;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kOps; ++i) {
        std::int64_t top = heap.top();
        heap.pop();
        heap.push(top + static_cast<std::int64_t>(rng() >> 40));
    }
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start);
    benchmark::DoNotOptimize(heap.top());
    return ns.count() / kOps;
}

// The limit of "fire": one small durable commit on the same database, median and max of 100.
std::pair<double, double> CommitMs(store::Store& store) {
    std::vector<double> ms;
    for (int i = 0; i < 100; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto tx = store.Begin();
        if (!tx || !(*tx)->Execute("UPDATE app_deadlines SET backup = '' WHERE id = 'none'") ||
            !(*tx)->Commit()) {
            return {-1, -1};
        }
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count()
        );
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

void BM_DeadlineFireLateness(benchmark::State& state) {
    store::Store* store = FilledStore(state);
    if (store == nullptr) {
        return;
    }
    std::mutex mu;
    std::condition_variable cv;
    std::int64_t fired_us = 0;
    DeadlineHooks hooks;
    hooks.on_live = [&](std::string_view name, const std::string&) {
        if (name == "deadline.breached") {
            std::scoped_lock lock(mu);
            fired_us = NowMicros();
            cv.notify_all();
        }
    };
    DeadlineEngine engine(*store, hooks);
    if (auto loaded = engine.Load(); !loaded) {
        state.SkipWithError(loaded.error().ToString().c_str());
        return;
    }
    engine.Run();
    std::vector<double> late_ms;
    for ([[maybe_unused]] auto _ : state) {
        {
            std::scoped_lock lock(mu);
            fired_us = 0;
        }
        const std::int64_t due_ms = NowMillis() + 20;
        DeadlineSpec spec{"bench-case", "epoc.emergency_response", due_ms - 1000, 1000, 0, ""};
        if (auto started = engine.Start(Actor::Node(), spec); !started) {
            state.SkipWithError(started.error().ToString().c_str());
            break;
        }
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return fired_us != 0; })) {
            state.SkipWithError("the deadline did not fire within 30 s");
            break;
        }
        late_ms.push_back(static_cast<double>(fired_us - due_ms * 1000) / 1000.0);
    }
    engine.Stop();
    if (late_ms.empty()) {
        return;
    }
    std::sort(late_ms.begin(), late_ms.end());
    auto [commit_p50, commit_max] = CommitMs(*store);
    state.counters["watched"] = static_cast<double>(engine.Watched());
    state.counters["late_ms_p50"] = late_ms[late_ms.size() / 2];
    state.counters["late_ms_max"] = late_ms.back();
    state.counters["limit_commit_ms_p50"] = commit_p50;
    state.counters["limit_commit_ms_max"] = commit_max;
    state.counters["limit_heap_pop_push_ns"] = HeapPopPushNs();
    std::printf(
        "deadline fired late by p50 %.2f ms, max %.2f ms (goal <= 1000 ms) with %.0f watched; "
        "limits in this run: one durable commit p50 %.2f ms, max %.2f ms; heap pop+push at 1e6 "
        "%.0f ns\n",
        late_ms[late_ms.size() / 2],
        late_ms.back(),
        static_cast<double>(engine.Watched()),
        commit_p50,
        commit_max,
        HeapPopPushNs()
    );
}
BENCHMARK(BM_DeadlineFireLateness)->Unit(benchmark::kMillisecond)->Iterations(50);

}  // namespace
}  // namespace concord::app

int main(int argc, char** argv) {
    const int status = concord::bench::RunBenchmarks(argc, argv);
    concord::app::StoreSlot().reset();  // close the database before removing its file
    if (!concord::app::TempDir().empty()) {
        std::error_code ec;
        std::filesystem::remove_all(concord::app::TempDir(), ec);
    }
    return status;
}
