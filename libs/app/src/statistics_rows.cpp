#include "statistics_rows.hpp"

#include <algorithm>
#include <numeric>

#include "concord/app/domain_events.hpp"
#include "concord/core/time.hpp"

namespace concord::app::detail {
namespace {

constexpr std::int64_t kMaxThreshold = 1000;
// The last instant of year 9999: a period's ends as RFC 3339 writes them, and far enough from
// INT64_MAX that day arithmetic on them cannot overflow.
constexpr std::int64_t kLastInstant = 253'402'300'799'999;

}  // namespace

RequestRow RowFrom(const store::Row& r) {
    RequestRow row;
    row.direction = r.Text(0);
    row.requesting_party = r.Text(1);
    row.requested_party = r.Text(2);
    row.request_type = r.Text(3);
    row.priority = r.Text(4);
    row.offence = r.Text(5);
    row.data_categories = StringListFromJson(r.Text(6));
    row.started_ms = r.Int(7);
    row.acknowledged_ms = r.Int(8);
    row.answered_ms = r.Int(9);
    row.outcome = r.Text(10);
    row.grounds = StringListFromJson(r.Text(11));
    row.obligation = r.Text(12);
    row.obligation_decision = r.Text(13);
    row.peer_node = r.Text(14);
    return row;
}

Result<void> CheckStatisticsQuery(const StatisticsQuery& q) {
    if (q.from_ms < 0 || q.to_ms < 0 || q.from_ms >= q.to_ms || q.to_ms > kLastInstant) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "a statistics period needs 0 <= from < to <= 9999-12-31T23:59:59.999Z"
        );
    }
    if (q.threshold < 1 || q.threshold > kMaxThreshold) {
        return MakeError(
            ErrorCode::kInvalidArgument, "the suppression threshold must be between 1 and 1000"
        );
    }
    return {};
}

boost::json::object ReportHead(
    std::string_view format,
    const StatisticsQuery& query,
    std::int64_t generated_ms,
    std::int64_t events_through
) {
    boost::json::object o;
    o["format"] = format;
    o["from"] = FormatTimestamp(query.from_ms);
    o["to"] = FormatTimestamp(query.to_ms);
    o["threshold"] = query.threshold;
    o["generated"] = FormatTimestamp(generated_ms);
    o["events_through"] = events_through;
    return o;
}

boost::json::value FigureJson(const Figure& f) {
    return f ? boost::json::value(*f) : boost::json::value(nullptr);
}

std::int64_t Percentile(const std::vector<std::int64_t>& sorted, std::int64_t percent) {
    const auto n = static_cast<std::int64_t>(sorted.size());
    const std::int64_t rank = (percent * n + 99) / 100;
    return sorted[static_cast<std::size_t>(std::max<std::int64_t>(rank, 1) - 1)];
}

Figure Suppressor::Count(std::int64_t n) const {
    return n > 0 && n < threshold_ ? Figure{} : Figure{n};
}

std::pair<Figure, Figure> Suppressor::Durations(std::vector<std::int64_t>& values) const {
    if (static_cast<std::int64_t>(values.size()) < threshold_ || values.empty()) {
        return {};
    }
    // Selection rather than a sort: the same values as Percentile over the sorted list, in
    // linear time (a year of one key's times can be millions).
    const auto n = static_cast<std::int64_t>(values.size());
    const auto at = [n](std::int64_t percent) {
        return static_cast<std::ptrdiff_t>(std::max<std::int64_t>((percent * n + 99) / 100, 1) - 1);
    };
    const auto median = values.begin() + at(50);
    std::nth_element(values.begin(), median, values.end());
    const std::int64_t median_value = *median;
    // The 90th is at or after the median, among the values no smaller than it.
    const auto p90 = values.begin() + at(90);
    std::nth_element(median, p90, values.end());
    return {median_value, *p90};
}

Figure Suppressor::Mean(const std::vector<std::int64_t>& values) const {
    if (static_cast<std::int64_t>(values.size()) < threshold_ || values.empty()) {
        return Figure{};
    }
    // Durations in milliseconds of requests made within a few years: the sum stays far below
    // 2^63 for any number of rows a node holds.
    const std::int64_t sum = std::accumulate(values.begin(), values.end(), std::int64_t{0});
    return sum / static_cast<std::int64_t>(values.size());
}

void Suppressor::Complement(const std::vector<Figure*>& parts, const std::vector<std::int64_t>& raw)
    const {
    for (;;) {
        std::size_t hidden = 0;
        std::int64_t hidden_sum = 0;
        std::size_t pick = parts.size();
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!parts[i]->has_value()) {
                ++hidden;
                hidden_sum += raw[i];
            } else if (raw[i] > 0 && (pick == parts.size() || raw[i] < raw[pick])) {
                pick = i;
            }
        }
        if (hidden == 0 || (hidden >= 2 && hidden_sum >= threshold_) || pick == parts.size()) {
            return;
        }
        parts[pick]->reset();
    }
}

}  // namespace concord::app::detail
