#pragma once

// The legal deadlines in statistics (docs/statistics.md "Legal deadlines"): the deadlines by UTC
// day of their start, kind and state, which the statistics fold keeps from the deadline engine's
// typed events, so that a report reads days × kinds × states rather than deadlines, and no step
// of a deadline waits on a shared count.

#include <cstdint>
#include <map>
#include <string>

#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app::detail {

/// The component "app_statistics" migration that creates the counts (version 5), fills them
/// from the deadlines there and marks the deadline events before it counted.
store::Migration DeadlineCountsMigration();

/// Counts the state of the deadlines that changed since the last fold: one batch of events not
/// yet folded, each marked folded in this transaction. Returns how many events it folded;
/// kUnavailable when another fold took one of them first.
Result<std::size_t> FoldDeadlineEvents(store::Store& db, std::size_t batch);

/// Counts of deadlines by kind, then state.
using DeadlineCounts = std::map<std::string, std::map<std::string, std::int64_t>>;

/// The deadlines that started in [from_ms, to_ms): the counts of its whole UTC days and the
/// deadlines of the parts of days at its ends.
Result<DeadlineCounts> CountDeadlines(
    store::Transaction& tx, std::int64_t from_ms, std::int64_t to_ms
);

}  // namespace concord::app::detail
