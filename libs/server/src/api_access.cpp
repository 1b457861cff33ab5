// GET /api/v1/access-records: who read which case's personal data and when (docs/cases.md
// "Access records"), for the auditor (the data-protection officer's role), without the content.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/access_log.hpp"
#include "concord/core/time.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

net::Response List(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    if (s.store == nullptr) {
        return ErrorBody(503, "unavailable", "the node is not running");
    }
    auto limit = UnsignedParam(request, "limit", 1, app::kMaxAccessRecords, 100);
    if (auto* refused = std::get_if<net::Response>(&limit)) {
        return std::move(*refused);
    }
    app::AccessFilter filter;
    filter.limit = std::get<std::uint64_t>(limit);
    if (request.QueryParam("before")) {
        auto before = UnsignedParam(request, "before", 1, kMaxIndex);
        if (auto* refused = std::get_if<net::Response>(&before)) {
            return std::move(*refused);
        }
        filter.before = std::get<std::uint64_t>(before);
    }
    filter.case_id = request.QueryParam("case").value_or("");
    filter.actor = request.QueryParam("actor").value_or("");
    auto records = app::ListAccess(*s.store, actor, filter);
    if (!records) {
        return FromError(records.error());
    }
    boost::json::array items;
    for (const app::AccessRecord& r : *records) {
        boost::json::object j;
        j["ledger_index"] = ToJson(r.ledger_index);
        j["at"] = FormatTimestamp(r.at_ms);
        j["actor"] = r.actor;
        j["event"] = r.event;
        j["case"] = r.case_id;
        j["object"] = r.object;
        items.push_back(std::move(j));
    }
    boost::json::object root;
    // The next page: the reads before the oldest one shown (absent on the last page).
    if (records->size() == filter.limit && !records->empty()) {
        root["next_before"] = ToJson(records->back().ledger_index);
    }
    root["records"] = std::move(items);
    return net::Json(200, boost::json::serialize(root));
}

}  // namespace

void AddAccessRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed(
        "GET",
        "/api/v1/access-records",
        app::Action::kAuditRead,
        [&s](net::Request& r, const app::Actor& a) { return List(s, r, a); }
    );
}

}  // namespace concord::server
