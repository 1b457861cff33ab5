#include "statistics_deadline_counts.hpp"

#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "statistics_rollup.hpp"

namespace concord::app::detail {
namespace {

// A deadline as counted: UTC day of its start, kind, state.
using Counted = std::tuple<std::int64_t, std::string, std::string>;

Result<void> AddCounts(
    store::Transaction& tx,
    std::string_view sql,
    std::int64_t from,
    std::int64_t to,
    DeadlineCounts& counts
) {
    if (from >= to) {
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, {from, to}));
    for (const store::Row& r : rows) {
        counts[r.Text(0)][r.Text(1)] += r.Int(2);
    }
    return {};
}

}  // namespace

store::Migration DeadlineCountsMigration() {
    auto schema = [](std::string_view integer) {
        const std::string i(integer);
        return "CREATE TABLE app_stats_deadlines (deadline_id TEXT PRIMARY KEY, day " + i +
               " NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL);"
               "CREATE TABLE app_stats_deadline_days (day " +
               i + " NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL, n " + i +
               " NOT NULL, PRIMARY KEY (day, kind, state));"
               "INSERT INTO app_stats_deadlines (deadline_id, day, kind, state) SELECT id, "
               "starts_ms / 86400000, kind, state FROM app_deadlines;"
               "INSERT INTO app_stats_deadline_days (day, kind, state, n) SELECT day, kind, "
               "state, COUNT(*) FROM app_stats_deadlines GROUP BY day, kind, state;"
               "UPDATE app_deadline_events SET folded = 1";
    };
    return store::Migration{"app_statistics", 5, schema("INTEGER"), schema("BIGINT")};
}

Result<std::size_t> FoldDeadlineEvents(store::Store& db, std::size_t batch) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, db.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto events,
        tx->Query(
            "SELECT id, deadline_id FROM app_deadline_events WHERE folded = 0 ORDER BY id LIMIT "
            "$1",
            {static_cast<std::int64_t>(batch)}
        )
    );
    if (events.empty()) {
        return std::size_t{0};
    }
    std::set<std::string> changed;
    for (const store::Row& e : events) {
        CONCORD_ASSIGN_OR_RETURN(
            const std::int64_t mine,
            tx->Execute(
                "UPDATE app_deadline_events SET folded = 1 WHERE id = $1 AND folded = 0",
                {e.Text(0)}
            )
        );
        if (mine != 1) {
            return MakeError(
                ErrorCode::kUnavailable, "another fold of the same deadline events ran first; retry"
            );
        }
        changed.insert(e.Text(1));
    }
    // Each changed deadline moves from the count it was in to the one of its state now. The
    // state read here is at least as new as the events just marked: each event commits with its
    // change of the row.
    std::map<Counted, std::int64_t> moves;
    for (const std::string& id : changed) {
        CONCORD_ASSIGN_OR_RETURN(
            auto now,
            tx->Query("SELECT starts_ms, kind, state FROM app_deadlines WHERE id = $1", {id})
        );
        CONCORD_ASSIGN_OR_RETURN(
            auto was,
            tx->Query(
                "SELECT day, kind, state FROM app_stats_deadlines WHERE deadline_id = $1", {id}
            )
        );
        std::optional<Counted> before;
        if (!was.empty()) {
            before = Counted{was[0].Int(0), was[0].Text(1), was[0].Text(2)};
        }
        std::optional<Counted> after;
        if (!now.empty()) {
            after = Counted{now[0].Int(0) / kStatsDayMs, now[0].Text(1), now[0].Text(2)};
        }
        if (before == after) {
            continue;
        }
        if (before) {
            --moves[*before];
        }
        if (after) {
            ++moves[*after];
            const auto& [day, kind, state] = *after;
            CONCORD_RETURN_IF_ERROR(tx->Execute(
                "INSERT INTO app_stats_deadlines (deadline_id, day, kind, state) VALUES ($1, $2, "
                "$3, $4) ON CONFLICT (deadline_id) DO UPDATE SET day = excluded.day, kind = "
                "excluded.kind, state = excluded.state",
                {id, day, kind, state}
            ));
        } else {
            CONCORD_RETURN_IF_ERROR(
                tx->Execute("DELETE FROM app_stats_deadlines WHERE deadline_id = $1", {id})
            );
        }
    }
    for (const auto& [counted, n] : moves) {
        if (n == 0) {
            continue;
        }
        const auto& [day, kind, state] = counted;
        CONCORD_RETURN_IF_ERROR(tx->Execute(
            "INSERT INTO app_stats_deadline_days (day, kind, state, n) VALUES ($1, $2, $3, $4) ON "
            "CONFLICT (day, kind, state) DO UPDATE SET n = app_stats_deadline_days.n + excluded.n",
            {day, kind, state, n}
        ));
    }
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return events.size();
}

Result<DeadlineCounts> CountDeadlines(
    store::Transaction& tx, std::int64_t from_ms, std::int64_t to_ms
) {
    DeadlineCounts counts;
    constexpr std::string_view kStarted =
        "SELECT kind, state, COUNT(*) FROM app_deadlines WHERE starts_ms >= $1 AND starts_ms < $2 "
        "GROUP BY kind, state";
    const std::int64_t first_day = (from_ms + kStatsDayMs - 1) / kStatsDayMs;
    const std::int64_t end_day = to_ms / kStatsDayMs;
    if (first_day >= end_day) {
        CONCORD_RETURN_IF_ERROR(AddCounts(tx, kStarted, from_ms, to_ms, counts));
        return counts;
    }
    CONCORD_RETURN_IF_ERROR(AddCounts(
        tx,
        "SELECT kind, state, CAST(SUM(n) AS BIGINT) FROM app_stats_deadline_days WHERE day >= $1 "
        "AND day < $2 GROUP BY kind, state",
        first_day,
        end_day,
        counts
    ));
    CONCORD_RETURN_IF_ERROR(AddCounts(tx, kStarted, from_ms, first_day * kStatsDayMs, counts));
    CONCORD_RETURN_IF_ERROR(AddCounts(tx, kStarted, end_day * kStatsDayMs, to_ms, counts));
    return counts;
}

}  // namespace concord::app::detail
