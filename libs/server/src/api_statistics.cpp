// The node's official statistics (docs/statistics.md): GET /api/v1/statistics for a period, as
// JSON or CSV; publications, signed through the node's ledger, on the local API and, for anyone
// who wants to check one, on the federation listener. Handlers only translate; the figures are
// app::StatisticsService's, the publications app::StatisticsPublisher's, the collection and the
// totals of a secretariat's node app::StatisticsCollector's.
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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

// The period of ?from=&to=, with the node's threshold, or the response refusing it.
std::variant<app::StatisticsQuery, net::Response> QueryParams(
    const NodeService::Impl& s, const net::Request& request
) {
    auto from = InstantParam(request, "from");
    if (auto* refused = std::get_if<net::Response>(&from)) {
        return std::move(*refused);
    }
    auto to = InstantParam(request, "to");
    if (auto* refused = std::get_if<net::Response>(&to)) {
        return std::move(*refused);
    }
    return app::StatisticsQuery{
        std::get<std::int64_t>(from), std::get<std::int64_t>(to), s.config.statistics_threshold};
}

net::Response Report(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto query = QueryParams(s, request);
    if (auto* refused = std::get_if<net::Response>(&query)) {
        return std::move(*refused);
    }
    auto format = ChoiceParam(request, "format", {"json", "csv"}, "json");
    if (auto* refused = std::get_if<net::Response>(&format)) {
        return std::move(*refused);
    }
    auto report = s.statistics->Report(actor, std::get<app::StatisticsQuery>(query));
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

// GET /api/v1/statistics/eu-art28?from=&to=: Art 28(2) of Regulation (EU) 2023/1543.
net::Response EuArt28(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto query = QueryParams(s, request);
    if (auto* refused = std::get_if<net::Response>(&query)) {
        return std::move(*refused);
    }
    auto report = s.eu_statistics->Report(actor, std::get<app::StatisticsQuery>(query));
    return report ? net::Json(200, app::EuArt28Json(*report)) : FromError(report.error());
}

// GET /api/v1/statistics/hearings?from=&to=: the hearings by video conference.
net::Response Hearings(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto query = QueryParams(s, request);
    if (auto* refused = std::get_if<net::Response>(&query)) {
        return std::move(*refused);
    }
    auto report = s.hearing_statistics->Report(actor, std::get<app::StatisticsQuery>(query));
    return report ? net::Json(200, app::HearingStatisticsJson(*report)) : FromError(report.error());
}

// The publication document of `p`.
net::Response DocumentOf(
    NodeService::Impl& s, const app::StatisticsPublication& p, unsigned status
) {
    auto document = s.publisher->Document(p);
    return document ? net::Json(status, std::move(*document)) : FromError(document.error());
}

// POST /api/v1/statistics/publications?from=&to=: publishes the period's report.
net::Response Publish(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto query = QueryParams(s, request);
    if (auto* refused = std::get_if<net::Response>(&query)) {
        return std::move(*refused);
    }
    auto published = s.publisher->Publish(actor, std::get<app::StatisticsQuery>(query));
    return published ? DocumentOf(s, *published, 201) : FromError(published.error());
}

// GET /api/v1/statistics/publications?limit=: newest first.
net::Response Publications(NodeService::Impl& s, net::Request& request) {
    auto limit = UnsignedParam(request, "limit", 1, 1000, 100);
    if (auto* refused = std::get_if<net::Response>(&limit)) {
        return std::move(*refused);
    }
    auto list = s.publisher->List(static_cast<std::size_t>(std::get<std::uint64_t>(limit)));
    if (!list) {
        return FromError(list.error());
    }
    boost::json::array items;
    for (const app::StatisticsPublication& p : *list) {
        boost::system::error_code ec;
        const boost::json::value report = ParseJson(p.report, ec);
        boost::json::object o;
        o["id"] = p.id;
        o["published"] = FormatTimestamp(p.published_ms);
        o["published_by"] = p.published_by;
        o["ledger_index"] = ToJson(p.ledger_index);
        if (!ec && report.is_object()) {
            o["from"] = report.as_object().at("from");
            o["to"] = report.as_object().at("to");
        }
        items.push_back(std::move(o));
    }
    boost::json::object body;
    body["publications"] = std::move(items);
    return net::Json(200, boost::json::serialize(body));
}

// GET .../statistics/publications/{id}: one publication document, on either listener.
net::Response Publication(NodeService::Impl& s, net::Request& request) {
    auto p = s.publisher->Get(request.params.at("id"));
    return p ? DocumentOf(s, *p, 200) : FromError(p.error());
}

// POST /api/v1/statistics/publications/{id}/submit: sends the publication to the
// secretariat's node (docs/statistics.md "Collection by a secretariat").
net::Response SubmitPublication(
    NodeService::Impl& s, net::Request& request, const app::Actor& actor
) {
    auto sent = s.collector->Submit(actor, request.params.at("id"));
    if (!sent) {
        return FromError(sent.error());
    }
    boost::json::object o;
    o["message"] = sent->id;
    o["to"] = s.config.statistics_secretariat_node;
    return net::Json(202, boost::json::serialize(o));
}

// GET /api/v1/statistics/collected?limit=: the reports a secretariat's node collected, and
// where this node submits its own.
net::Response Collected(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto limit = UnsignedParam(request, "limit", 1, 1000, 100);
    if (auto* refused = std::get_if<net::Response>(&limit)) {
        return std::move(*refused);
    }
    auto list =
        s.collector->Collected(actor, static_cast<std::size_t>(std::get<std::uint64_t>(limit)));
    if (!list) {
        return FromError(list.error());
    }
    boost::json::array items;
    for (const app::CollectedReport& c : *list) {
        items.push_back(boost::json::object{
            {"publication", c.publication},
            {"node", c.node},
            {"party", c.party},
            {"from", FormatTimestamp(c.from_ms)},
            {"to", FormatTimestamp(c.to_ms)},
            {"published", FormatTimestamp(c.published_ms)},
            {"received", FormatTimestamp(c.received_ms)},
            {"message", c.message_id}});
    }
    boost::json::object body;
    body["secretariat"] = s.collector->Secretariat();
    body["secretariat_node"] = s.collector->SecretariatNode();
    body["reports"] = std::move(items);
    return net::Json(200, boost::json::serialize(body));
}

net::Response AggregateDocumentOf(
    NodeService::Impl& s, const app::AggregatePublication& a, unsigned status
) {
    auto document = s.collector->Document(a);
    return document ? net::Json(status, std::move(*document)) : FromError(document.error());
}

// POST /api/v1/statistics/aggregates?from=&to=: sums the period's reports and publishes it.
net::Response Aggregate(NodeService::Impl& s, net::Request& request, const app::Actor& actor) {
    auto query = QueryParams(s, request);
    if (auto* refused = std::get_if<net::Response>(&query)) {
        return std::move(*refused);
    }
    const auto& period = std::get<app::StatisticsQuery>(query);
    auto published = s.collector->Aggregate(actor, period.from_ms, period.to_ms);
    return published ? AggregateDocumentOf(s, *published, 201) : FromError(published.error());
}

// GET /api/v1/statistics/aggregates?limit=: newest first.
net::Response Aggregates(NodeService::Impl& s, net::Request& request) {
    auto limit = UnsignedParam(request, "limit", 1, 1000, 100);
    if (auto* refused = std::get_if<net::Response>(&limit)) {
        return std::move(*refused);
    }
    auto list = s.collector->Aggregates(static_cast<std::size_t>(std::get<std::uint64_t>(limit)));
    if (!list) {
        return FromError(list.error());
    }
    boost::json::array items;
    for (const app::AggregatePublication& a : *list) {
        items.push_back(boost::json::object{
            {"id", a.id},
            {"from", FormatTimestamp(a.from_ms)},
            {"to", FormatTimestamp(a.to_ms)},
            {"published", FormatTimestamp(a.published_ms)},
            {"published_by", a.published_by},
            {"inputs", a.inputs},
            {"ledger_index", ToJson(a.ledger_index)}});
    }
    boost::json::object body;
    body["aggregates"] = std::move(items);
    return net::Json(200, boost::json::serialize(body));
}

// GET .../statistics/aggregates/{id}: one aggregate publication document, on either listener.
net::Response AggregatePublication(NodeService::Impl& s, net::Request& request) {
    auto a = s.collector->GetAggregate(request.params.at("id"));
    return a ? AggregateDocumentOf(s, *a, 200) : FromError(a.error());
}

}  // namespace

void AddFederationStatisticsRoutes(RouteTable& table, NodeService::Impl& service) {
    table.Open("GET", "/fed/v1/statistics/publications/{id}", [&service](net::Request& request) {
        return Publication(service, request);
    });
    table.Open("GET", "/fed/v1/statistics/aggregates/{id}", [&service](net::Request& request) {
        return AggregatePublication(service, request);
    });
}

void AddStatisticsRoutes(RouteTable& table, NodeService::Impl& service) {
    table.Authed(
        "GET",
        "/api/v1/statistics",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor& actor) {
            return Report(service, request, actor);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/eu-art28",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor& actor) {
            return EuArt28(service, request, actor);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/hearings",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor& actor) {
            return Hearings(service, request, actor);
        }
    );
    table.Authed(
        "POST",
        "/api/v1/statistics/publications",
        app::Action::kStatisticsPublish,
        [&service](net::Request& request, const app::Actor& actor) {
            return Publish(service, request, actor);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/publications",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor&) {
            return Publications(service, request);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/publications/{id}",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor&) {
            return Publication(service, request);
        }
    );
    table.Authed(
        "POST",
        "/api/v1/statistics/publications/{id}/submit",
        app::Action::kStatisticsPublish,
        [&service](net::Request& request, const app::Actor& actor) {
            return SubmitPublication(service, request, actor);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/collected",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor& actor) {
            return Collected(service, request, actor);
        }
    );
    table.Authed(
        "POST",
        "/api/v1/statistics/aggregates",
        app::Action::kStatisticsPublish,
        [&service](net::Request& request, const app::Actor& actor) {
            return Aggregate(service, request, actor);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/aggregates",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor&) {
            return Aggregates(service, request);
        }
    );
    table.Authed(
        "GET",
        "/api/v1/statistics/aggregates/{id}",
        app::Action::kStatisticsRead,
        [&service](net::Request& request, const app::Actor&) {
            return AggregatePublication(service, request);
        }
    );
}

}  // namespace concord::server
