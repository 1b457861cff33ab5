#pragma once

// What the statistics reports share (docs/statistics.md): the folded row of one request, the
// period check and the suppression of small figures. StatisticsService folds and reports the
// general tables; EuArt28Reporter reports the e-Evidence Regulation's figures from the same rows.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "concord/app/statistics.hpp"
#include "concord/core/result.hpp"
#include "concord/store/store.hpp"

namespace concord::app::detail {

/// The columns of `app_stats_requests` that RowFrom reads, in its order.
inline constexpr std::string_view kStatsRowColumns =
    "direction, requesting_party, requested_party, request_type, priority, offence, "
    "data_categories, started_ms, acknowledged_ms, answered_ms, outcome, grounds, obligation, "
    "obligation_decision, peer_node";

/// What the fold knows of one request.
struct RequestRow {
    std::string direction;
    std::string requesting_party;
    std::string requested_party;
    std::string request_type;
    std::string priority;
    std::string offence;
    std::vector<std::string> data_categories;
    std::int64_t started_ms{0};
    std::int64_t acknowledged_ms{0};
    std::int64_t answered_ms{0};
    std::string outcome{"open"};
    std::vector<std::string> grounds;
    std::string obligation;           ///< "" (none), opened, submitted, decided, reported
    std::string obligation_decision;  ///< "", prosecute, not_prosecute
    /// The other node of the case: for an outgoing request its addressee (e.g. a service
    /// provider's node); "" for requests folded before the column existed.
    std::string peer_node;
};

/// A row read with kStatsRowColumns.
RequestRow RowFrom(const store::Row& r);

/// kInvalidArgument unless 0 <= from < to <= the last instant of 9999 and the threshold is 1-1000.
Result<void> CheckStatisticsQuery(const StatisticsQuery& q);

/// The first start a period's query asks for: `from_ms`, but never 0 (a request that never
/// started has `started_ms` 0). One lower bound on `started_ms`, not two: given
/// `started_ms > 0 AND started_ms >= $1`, SQLite may take `> 0` for its index range and walk
/// every start before the period.
inline std::int64_t FirstStart(std::int64_t from_ms) {
    return from_ms > 0 ? from_ms : 1;
}

/// The members every report begins with: `format`, `from`, `to`, `threshold`, `generated`,
/// `events_through`.
boost::json::object ReportHead(
    std::string_view format,
    const StatisticsQuery& query,
    std::int64_t generated_ms,
    std::int64_t events_through
);

/// A figure as JSON: the number, or null where it is suppressed.
boost::json::value FigureJson(const Figure& f);

/// Nearest rank: the smallest value with at least `percent` % of the values at or below it
/// (`sorted` not empty).
std::int64_t Percentile(const std::vector<std::int64_t>& sorted, std::int64_t percent);

/// Hides the figures that could single out a case (docs/statistics.md "Suppression").
class Suppressor {
public:
    explicit Suppressor(std::int64_t threshold) : threshold_(threshold) {}

    /// `n`, or nothing when 0 < n < threshold.
    [[nodiscard]] Figure Count(std::int64_t n) const;

    /// The median and 90th percentile of `values` (reordered here), or nothing when fewer than
    /// the threshold.
    [[nodiscard]] std::pair<Figure, Figure> Durations(std::vector<std::int64_t>& values) const;

    /// The mean of `values` (rounded down), or nothing when fewer than the threshold.
    [[nodiscard]] Figure Mean(const std::vector<std::int64_t>& values) const;

    /// Complementary suppression of a partition of a published total: while a part is hidden
    /// and the hidden parts are one alone, or add up to less than the threshold, the smallest
    /// visible part above zero is hidden too. Otherwise subtraction would give the hidden part
    /// (total − the rest), or pin down small hidden parts (two hidden that add up to 2 are 1
    /// and 1).
    void Complement(const std::vector<Figure*>& parts, const std::vector<std::int64_t>& raw) const;

private:
    std::int64_t threshold_;
};

}  // namespace concord::app::detail
