// GET /api/v1/statistics: the node's official statistics for a period, as JSON or CSV
// (docs/statistics.md). The handler only translates; the figures are app::StatisticsService's.
#include <string>

#include "concord/core/time.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"
#include "service_impl.hpp"

namespace concord::server {
namespace {

// The instant of the RFC 3339 parameter `name`, or the response refusing it.
std::variant<std::int64_t, net::Response> InstantParam(
    const net::Request& request, std::string_view name
) {
    auto text = request.QueryParam(name);
    if (!text) {
        return ParameterError(name, "is required (RFC 3339)");
    }
    auto instant = ParseTimestamp(*text);
    if (!instant) {
        return ParameterError(name, instant.error().message);
    }
    return *instant;
}

net::Response Report(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto from = InstantParam(request, "from");
    if (auto* refused = std::get_if<net::Response>(&from)) {
        return std::move(*refused);
    }
    auto to = InstantParam(request, "to");
    if (auto* refused = std::get_if<net::Response>(&to)) {
        return std::move(*refused);
    }
    auto format = ChoiceParam(request, "format", {"json", "csv"}, "json");
    if (auto* refused = std::get_if<net::Response>(&format)) {
        return std::move(*refused);
    }
    auto report = s.statistics->Report(
        actor,
        app::StatisticsQuery{
            std::get<std::int64_t>(from), std::get<std::int64_t>(to), s.config.statistics_threshold}
    );
    if (!report) {
        return FromError(report.error());
    }
    if (std::get<std::string>(format) == "json") {
        return net::Json(200, app::StatisticsJson(*report));
    }
    net::Response csv;
    csv.content_type = "text/csv; charset=utf-8; header=present";
    csv.body = app::StatisticsCsv(*report);
    return csv;
}

}  // namespace

void AddStatisticsRoutes(RouteTable& table, NodeService::Impl& service) {
    table.Authed(
        "GET",
        "/api/v1/statistics",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor& actor) {
            return Report(service, request, actor);
        }
    );
}

}  // namespace concord::server
