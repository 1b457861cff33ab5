// The EU e-Evidence Regulation's statistics (Regulation (EU) 2023/1543, Art 28(2);
// docs/statistics.md "EU e-Evidence report"), from the rows StatisticsService folds.
#include "concord/app/statistics_eu.hpp"

#include <array>
#include <map>
#include <string_view>
#include <tuple>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/policy.hpp"
#include "concord/core/time.hpp"

#include "statistics_rows.hpp"

namespace concord::app {
namespace {

using detail::FigureJson;
using detail::RequestRow;
using detail::Suppressor;

constexpr std::string_view kAll = "all";

// The points of Art 28(2) that Concord does not record, and why (read in a secondary copy of
// the Regulation; docs/legal-data.md).
struct NotRecorded {
    std::string_view point;
    std::string_view what;
    std::string_view why;
};

constexpr std::array<NotRecorded, 6> kNotRecorded{{
    {"28(2)(d)",
     "notifications to the enforcing authority under Article 8",
     "the issuing authority notifies outside Concord; the node does not record notifications"},
    {"28(2)(f)",
     "average time from an EPOC-PR to the subsequent request for production",
     "the node does not link a preservation order to the production request that follows it"},
    {"28(2)(g)",
     "orders transmitted to and received by an enforcing State for enforcement",
     "enforcement procedures are not recorded"},
    {"28(2)(h)",
     "legal remedies against European Production Orders",
     "legal remedies are not recorded"},
    {"28(2)(i)",
     "cases where ex post validation under Article 4(5) was not granted",
     "validation by a judicial authority is not recorded"},
    {"28(2)(j)", "costs claimed by service providers and reimbursed", "costs are not recorded"},
}};

// Accumulates one orders row.
struct OrderCell {
    std::int64_t issued{0};
    std::int64_t fulfilled{0};
    std::int64_t not_fulfilled{0};
    std::int64_t withdrawn{0};
    std::int64_t open{0};
    std::vector<std::int64_t> to_data;
};

void Add(OrderCell& cell, const RequestRow& row) {
    ++cell.issued;
    (row.outcome == "responded"   ? cell.fulfilled
     : row.outcome == "refused"   ? cell.not_fulfilled
     : row.outcome == "withdrawn" ? cell.withdrawn
                                  : cell.open)++;
    if (row.request_type == "epoc" && row.outcome == "responded" && row.answered_ms != 0) {
        cell.to_data.push_back(row.answered_ms - row.started_ms);
    }
}

using OrderKey = std::tuple<std::string, std::string, std::string, std::string>;

EuOrderFigures PublishOrders(const OrderKey& key, const OrderCell& cell, const Suppressor& s) {
    EuOrderFigures f;
    std::tie(f.order, f.data_category, f.addressee, f.situation) = key;
    f.issued = s.Count(cell.issued);
    f.fulfilled = s.Count(cell.fulfilled);
    f.not_fulfilled = s.Count(cell.not_fulfilled);
    f.withdrawn = s.Count(cell.withdrawn);
    f.open = s.Count(cell.open);
    if (!f.issued) {
        f.fulfilled = f.not_fulfilled = f.withdrawn = f.open = Figure{};
    } else {
        s.Complement(
            {&f.fulfilled, &f.not_fulfilled, &f.withdrawn, &f.open},
            {cell.fulfilled, cell.not_fulfilled, cell.withdrawn, cell.open}
        );
    }
    f.average_ms = s.Mean(cell.to_data);
    return f;
}

}  // namespace

Result<EuArt28Report> EuArt28Reporter::Report(const Actor& actor, const StatisticsQuery& query) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kStatisticsRead));
    CONCORD_RETURN_IF_ERROR(detail::CheckStatisticsQuery(query));
    CONCORD_ASSIGN_OR_RETURN(const std::int64_t through, statistics_.Refresh());
    EuArt28Report report;
    report.query = query;
    report.generated_ms = NowMillis();
    report.events_through = through;
    const Suppressor s(query.threshold);

    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            "SELECT " + std::string(detail::kStatsRowColumns) +
                " FROM app_stats_requests WHERE direction = 'out' AND request_type IN ('epoc', "
                "'epoc_pr') AND started_ms >= $1 AND started_ms < $2",
            {detail::FirstStart(query.from_ms), query.to_ms}
        )
    );
    tx->Rollback();
    std::map<OrderKey, OrderCell> cells;
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> grounds;
    std::int64_t emergency_epocs = 0;
    for (const store::Row& r : rows) {
        const RequestRow row = detail::RowFrom(r);
        const std::string addressee = row.peer_node.empty() ? "unknown" : row.peer_node;
        const std::string& situation = row.priority;
        Add(cells[{row.request_type, std::string(kAll), addressee, situation}], row);
        for (const std::string& category : row.data_categories) {
            Add(cells[{row.request_type, category, addressee, situation}], row);
        }
        if (row.data_categories.empty()) {
            Add(cells[{row.request_type, "unspecified", addressee, situation}], row);
        }
        if (row.request_type == "epoc") {
            emergency_epocs += situation == "emergency" ? 1 : 0;
            if (row.outcome == "refused") {
                for (const std::string& g : row.grounds) {
                    ++grounds[{addressee, situation, g}];
                }
            }
        }
    }
    report.emergency_epocs = s.Count(emergency_epocs);
    for (const auto& [key, cell] : cells) {
        report.orders.push_back(PublishOrders(key, cell, s));
    }
    for (const auto& [key, n] : grounds) {
        EuRefusalFigures f;
        std::tie(f.addressee, f.situation, f.ground) = key;
        f.refusals = s.Count(n);
        report.refusals.push_back(std::move(f));
    }
    return report;
}

std::string EuArt28Json(const EuArt28Report& report) {
    boost::json::object o = detail::ReportHead(
        "concord-eu-art28/1", report.query, report.generated_ms, report.events_through
    );
    o["regulation"] = "Regulation (EU) 2023/1543, Article 28(2)";
    o["emergency_epocs"] = FigureJson(report.emergency_epocs);
    boost::json::array orders;
    for (const EuOrderFigures& f : report.orders) {
        orders.push_back(boost::json::object{
            {"order", f.order},
            {"data_category", f.data_category},
            {"addressee", f.addressee},
            {"situation", f.situation},
            {"issued", FigureJson(f.issued)},
            {"fulfilled", FigureJson(f.fulfilled)},
            {"not_fulfilled", FigureJson(f.not_fulfilled)},
            {"withdrawn", FigureJson(f.withdrawn)},
            {"open", FigureJson(f.open)},
            {"average_ms", FigureJson(f.average_ms)}});
    }
    o["orders"] = std::move(orders);
    boost::json::array refusals;
    for (const EuRefusalFigures& f : report.refusals) {
        refusals.push_back(boost::json::object{
            {"addressee", f.addressee},
            {"situation", f.situation},
            {"ground", f.ground},
            {"refusals", FigureJson(f.refusals)}});
    }
    o["refusals"] = std::move(refusals);
    boost::json::array missing;
    for (const NotRecorded& n : kNotRecorded) {
        missing.push_back(boost::json::object{
            {"point", n.point}, {"figure", n.what}, {"why", n.why}});
    }
    o["not_recorded"] = std::move(missing);
    return boost::json::serialize(o);
}

}  // namespace concord::app
