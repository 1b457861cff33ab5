// The EU e-Evidence Regulation's statistics (Regulation (EU) 2023/1543, Art 28(2);
// docs/statistics.md "EU e-Evidence report"), from the rows StatisticsService folds.
#include "concord/app/statistics_eu.hpp"

#include <array>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/policy.hpp"
#include "concord/core/time.hpp"

#include "statistics_rollup.hpp"
#include "statistics_rows.hpp"

namespace concord::app {
namespace {

using detail::FigureJson;
using detail::StatsCell;
using detail::StatsTable;
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

// One row of the orders table from its rollup cell (docs/statistics.md "EU e-Evidence report").
EuOrderFigures PublishOrders(
    const std::vector<std::string>& key, const StatsCell& cell, const Suppressor& s
) {
    EuOrderFigures f;
    f.order = key.at(0);
    f.data_category = key.at(1);
    f.addressee = key.at(2);
    f.situation = key.at(3);
    const auto& n = cell.counts;
    f.issued = s.Count(n[0]);
    f.fulfilled = s.Count(n[1]);
    f.not_fulfilled = s.Count(n[2]);
    f.withdrawn = s.Count(n[3]);
    f.open = s.Count(n[4]);
    if (!f.issued) {
        f.fulfilled = f.not_fulfilled = f.withdrawn = f.open = Figure{};
    } else {
        s.Complement(
            {&f.fulfilled, &f.not_fulfilled, &f.withdrawn, &f.open}, {n[1], n[2], n[3], n[4]}
        );
    }
    f.average_ms = s.Mean(cell.to_answer);
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

    // The whole UTC days from the rollup of the EU tables, the parts of days at the period's ends
    // from the requests.
    detail::StatsCells cells;
    CONCORD_ASSIGN_OR_RETURN(
        auto tx,
        detail::ReadPeriod(store_, detail::RollupPart::kEu, query.from_ms, query.to_ms, cells)
    );
    tx->Rollback();
    std::int64_t emergency_epocs = 0;
    for (const auto& [key, cell] : cells) {
        const auto& [table, values] = key;
        if (table == StatsTable::kEuOrders) {
            if (values.at(0) == "epoc" && values.at(1) == kAll && values.at(3) == "emergency") {
                emergency_epocs += cell.counts[0];
            }
            report.orders.push_back(PublishOrders(values, cell, s));
        } else if (table == StatsTable::kEuRefusals) {
            report.refusals.push_back(EuRefusalFigures{
                values.at(0), values.at(1), values.at(2), s.Count(cell.counts[0])});
        }
    }
    report.emergency_epocs = s.Count(emergency_epocs);
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
