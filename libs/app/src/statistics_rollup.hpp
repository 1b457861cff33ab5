#pragma once

// The statistics rollup (docs/statistics.md "Cost"): what every folded request adds to the
// tables of a report, kept per UTC day of its start (the general report's tables in
// `app_stats_days`, the EU Art 28 report's in `app_stats_eu_days`), so that a report reads
// days × keys rather than requests. The fold moves a request's contribution when the request
// changes; a report adds the rollup of its whole days to the rows of its partial days.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

#include "statistics_rows.hpp"

namespace concord::app::detail {

inline constexpr std::int64_t kStatsDayMs = 86'400'000;

/// The tables a request contributes to, in the `tab` column of its part's rollup.
enum class StatsTable : std::uint8_t {
    kRequests,
    kRefusals,
    kDimensions,
    kObligations,
    kEuOrders,    ///< key: order, data category ("all", "unspecified"), addressee, situation
    kEuRefusals,  ///< key: addressee, situation, ground (EPOCs refused)
};

/// The reports the rollup serves, each from a table of its own so that one does not read the
/// other's rows: the general report (the first four tables, `app_stats_days`) and the EU Art 28
/// report (the EU tables, `app_stats_eu_days`).
enum class RollupPart : std::uint8_t { kGeneral, kEu };

/// The part whose rollup holds `table`.
RollupPart PartOf(StatsTable table);

/// The counts of one key of one table, in the order docs/statistics.md lists them:
/// requests: requests, acknowledged, responded, refused, withdrawn, open;
/// refusals: refusals; dimensions: requests;
/// obligations: obligations, opened, submitted, decided, reported, prosecute, not_prosecute;
/// eu_orders: issued, fulfilled, not fulfilled, withdrawn, open (and in `to_answer` the times
/// from issue to the data of the fulfilled EPOCs); eu_refusals: refusals.
using StatsCounts = std::array<std::int64_t, 7>;

/// What a set of requests adds to one key of one table: its counts and, in the requests table,
/// the times from start to acknowledgement and to answer (in no order).
struct StatsCell {
    StatsCounts counts{};
    std::vector<std::int64_t> to_acknowledge;
    std::vector<std::int64_t> to_answer;
};

/// A table and the values of its key (e.g. direction, parties, request type, priority).
using StatsKey = std::pair<StatsTable, std::vector<std::string>>;

/// Cells by key, ordered by table and then by the key's values.
using StatsCells = std::map<StatsKey, StatsCell>;

/// A list of times as `app_stats_days` stores it (docs/statistics.md "The rollup by day"):
/// sorted, the first zigzag-encoded, then each gap, each a LEB128 varint.
Bytes EncodeTimes(std::vector<std::int64_t> values);

/// Appends the times of `in` to `out`, in ascending order; kCorruption for a cut or overlong
/// varint.
Result<void> DecodeTimes(const Bytes& in, std::vector<std::int64_t>& out);

/// Adds what `row` contributes (nothing when it never started) to `cells`.
void AddRequest(const RequestRow& row, StatsCells& cells);

/// The component "app_statistics" migration that creates the rollup (version 4).
store::Migration RollupMigration();

/// Keeps the rollup in step with `app_stats_requests` inside a fold's transaction: `Move`
/// records that a request's row changed from `before` (nullopt: new) to `after`; `Write` applies
/// every move to the rollup, one read and one write per day and key touched.
class RollupDelta {
public:
    void Move(const std::optional<RequestRow>& before, const RequestRow& after);
    /// kCorruption when the rollup is out of step with the rows (a count below zero, a time to
    /// take out that is not there): the caller has it built again (MarkRollupStale).
    Result<void> Write(store::Transaction& tx) const;

private:
    struct Change {
        StatsCounts counts{};
        std::vector<std::int64_t> add_acknowledge, remove_acknowledge;
        std::vector<std::int64_t> add_answer, remove_answer;
    };
    std::map<std::pair<std::int64_t, StatsKey>, Change> changes_;
};

/// The component "app_statistics" migration that records how far a build of the rollup has come
/// (version 7).
store::Migration RollupProgressMigration();

/// Locks the rollup's state row for the rest of `tx`: build steps and the moves of folds take it
/// first, so that each runs wholly before or after the other.
Result<void> LockRollupState(store::Transaction& tx);

/// The requests one transaction of a build reads (whole days: a day's requests are never split).
/// A node's other writers wait at most for one such step on SQLite.
inline constexpr std::int64_t kRollupStepRequests = 100'000;

/// One step of building the rollup from `app_stats_requests`, in a transaction of its own: the
/// next whole days from where the build stands, until at least `step_requests` requests are in or
/// none is left. True once the rollup is built (then, and when it was built already, it does
/// nothing). Folds meanwhile move the days built and leave the rest to later steps; builds on
/// several threads or processes share the steps.
Result<bool> BuildRollupStep(store::Store& db, std::int64_t step_requests);

/// Builds the rollup unless it is built (after the migration that created it, on a node with
/// requests folded before, or after MarkRollupStale): steps of kRollupStepRequests until done.
Result<void> EnsureRollup(store::Store& db);

/// Has the next EnsureRollup build the rollup again from its first day, in a transaction of its
/// own.
Result<void> MarkRollupStale(store::Store& db);

/// The component "app_statistics" migration that adds the EU Art 28 report's rollup and has the
/// rollup built again, so that it holds the EU tables of the requests folded before (version 8).
store::Migration EuRollupMigration();

/// Adds `part`'s rollup of the days [first_day, end_day) (days since the epoch, UTC) to `cells`;
/// kCorruption for a row that does not decode.
Result<void> ReadRollup(
    store::Transaction& tx,
    RollupPart part,
    std::int64_t first_day,
    std::int64_t end_day,
    StatsCells& cells
);

/// Sets `cells` to what the requests that started in [from_ms, to_ms) add to `part`'s tables: the
/// whole UTC days from the rollup, the parts of days at the period's ends from the requests. A
/// rollup row that does not decode has the rollup built again, once, and read again. Returns the
/// transaction it read in, still open, for the caller's further reads.
Result<std::unique_ptr<store::Transaction>> ReadPeriod(
    store::Store& db, RollupPart part, std::int64_t from_ms, std::int64_t to_ms, StatsCells& cells
);

}  // namespace concord::app::detail
