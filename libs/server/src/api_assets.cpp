// The asset record of a case on the local API (docs/assets.md): assets, the orders that move
// them, return and sharing agreements and exact totals. Every decision is app::AssetRegister's;
// these handlers translate JSON to its inputs and its results to JSON.

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/assets.hpp"
#include "concord/core/time.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

boost::json::value Instant(std::int64_t ms) {
    return ms > 0 ? boost::json::value(FormatTimestamp(ms)) : boost::json::value(nullptr);
}

boost::json::object AssetJson(const app::Asset& a) {
    boost::json::object o{
        {"id", a.id},
        {"case", a.case_id},
        {"kind", app::AssetKindName(a.kind)},
        {"identifier", a.identifier},
        {"chain", a.chain},
        {"description", a.description},
        {"state", app::AssetStateName(a.state)},
        {"frozen_until", Instant(a.frozen_until_ms)},
        {"created", FormatTimestamp(a.created_ms)},
        {"updated", FormatTimestamp(a.updated_ms)},
        {"updated_by", a.updated_by}};
    o["value"] = a.value ? boost::json::value(boost::json::object{
                               {"amount", a.value->amount}, {"currency", a.value->currency}})
                         : boost::json::value(nullptr);
    return o;
}

boost::json::object OrderJson(const app::AssetOrder& o) {
    return {
        {"id", o.id},
        {"asset", o.asset_id},
        {"kind", app::AssetOrderKindName(o.kind)},
        {"reference", o.reference},
        {"authority", o.authority},
        {"issued", FormatTimestamp(o.issued_ms)},
        {"expires", Instant(o.expires_ms)},
        {"from_state", o.from_state},
        {"to_state", o.to_state},
        {"recorded", FormatTimestamp(o.recorded_ms)},
        {"recorded_by", o.recorded_by}};
}

boost::json::object TotalsJson(const app::AssetTotals& t) {
    boost::json::object by_state;
    for (const auto& [state, sums] : t.by_state) {
        boost::json::object currencies;
        for (const auto& [currency, amount] : sums) {
            currencies[currency] = amount;
        }
        by_state[state] = std::move(currencies);
    }
    boost::json::object counts;
    for (const auto& [state, n] : t.counts) {
        counts[state] = n;
    }
    boost::json::array hidden;
    for (const std::string& state : t.hidden) {
        hidden.emplace_back(state);
    }
    return {
        {"counts", std::move(counts)},
        {"amounts", std::move(by_state)},
        {"hidden", std::move(hidden)}};
}

// Every member of `body` named in `names` that is present must be a JSON string (an amount
// or an instant sent as a number is refused, never dropped); nullopt when they are, the 400
// otherwise.
std::optional<Response> StringsOnly(
    const boost::json::object& body, std::initializer_list<std::string_view> names
) {
    for (std::string_view name : names) {
        const boost::json::value* v = body.if_contains(name);
        if (v != nullptr && !v->is_string()) {
            return ErrorBody(
                400, "invalid_argument", "'" + std::string(name) + "' must be a JSON string"
            );
        }
    }
    return std::nullopt;
}

// An RFC 3339 member of `body`: 0 when absent and not `required`; nullopt (with `refusal`) when
// malformed or required and absent.
std::optional<std::int64_t> InstantMember(
    const boost::json::object& body, std::string_view key, bool required, Response& refusal
) {
    const std::string text = Text(body, key);
    if (text.empty() && !required) {
        return std::int64_t{0};
    }
    auto instant = ParseTimestamp(text);
    if (!instant) {
        refusal = ErrorBody(
            400, "invalid_argument", "'" + std::string(key) + "' must be an RFC 3339 instant"
        );
        return std::nullopt;
    }
    return *instant;
}

// GET /api/v1/cases/{id}/assets: the assets, their orders, the agreements and the totals.
Response ReadAssets(app::AssetRegister& assets, Request& request, const app::Actor& actor) {
    const std::string case_id = request.Param("id");
    auto record = assets.Record(actor, case_id);
    if (!record) {
        return FromError(record.error());
    }
    boost::json::array a;
    for (const app::Asset& asset : record->assets) {
        a.push_back(AssetJson(asset));
    }
    boost::json::array o;
    for (const app::AssetOrder& order : record->orders) {
        o.push_back(OrderJson(order));
    }
    boost::json::array g;
    for (const app::AssetAgreement& agreement : record->agreements) {
        boost::json::object shares;
        for (const auto& [party, percent] : agreement.shares) {
            shares[party] = percent;
        }
        g.push_back(boost::json::object{
            {"id", agreement.id},
            {"kind", agreement.kind},
            {"cite", agreement.cite},
            {"terms", agreement.terms},
            {"shares", std::move(shares)},
            {"concluded", FormatTimestamp(agreement.concluded_ms)},
            {"recorded", FormatTimestamp(agreement.recorded_ms)},
            {"recorded_by", agreement.recorded_by}});
    }
    boost::json::object out{
        {"assets", std::move(a)},
        {"orders", std::move(o)},
        {"agreements", std::move(g)},
        {"totals", TotalsJson(app::TotalsOf(record->assets))}};
    return Json(200, boost::json::serialize(out));
}

// POST /api/v1/cases/{id}/assets {kind, identifier, chain?, description?, amount?, currency?}
Response IdentifyAsset(app::AssetRegister& assets, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad = StringsOnly(
            *body, {"kind", "identifier", "chain", "description", "amount", "currency"}
        )) {
        return std::move(*bad);
    }
    auto asset = assets.Identify(
        actor,
        request.Param("id"),
        app::AssetInput{
            Text(*body, "kind"),
            Text(*body, "identifier"),
            Text(*body, "chain"),
            Text(*body, "description"),
            Text(*body, "amount"),
            Text(*body, "currency")}
    );
    return asset ? Json(201, boost::json::serialize(AssetJson(*asset))) : FromError(asset.error());
}

// POST /api/v1/cases/{id}/asset-orders {asset, kind, reference, authority?, issued, expires?}
Response RecordOrder(app::AssetRegister& assets, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad =
            StringsOnly(*body, {"asset", "kind", "reference", "authority", "issued", "expires"})) {
        return std::move(*bad);
    }
    app::AssetOrderInput input{
        Text(*body, "kind"), Text(*body, "reference"), Text(*body, "authority"), 0, 0};
    if (body->contains("issued")) {
        auto issued = InstantMember(*body, "issued", true, refusal);
        if (!issued) {
            return refusal;
        }
        input.issued_ms = *issued;
    }
    auto expires = InstantMember(*body, "expires", false, refusal);
    if (!expires) {
        return refusal;
    }
    input.expires_ms = *expires;
    auto done = assets.RecordOrder(actor, request.Param("id"), Text(*body, "asset"), input);
    if (!done) {
        return FromError(done.error());
    }
    boost::json::object out{{"asset", AssetJson(done->first)}, {"order", OrderJson(done->second)}};
    return Json(201, boost::json::serialize(out));
}

// POST /api/v1/cases/{id}/asset-agreements {kind, cite?, terms, shares: {PARTY: "percent"},
// concluded}
Response RecordAgreement(app::AssetRegister& assets, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad = StringsOnly(*body, {"kind", "cite", "terms", "concluded"})) {
        return std::move(*bad);
    }
    app::AssetAgreement agreement;
    agreement.kind = Text(*body, "kind");
    agreement.cite = Text(*body, "cite");
    agreement.terms = Text(*body, "terms");
    if (const auto* shares = body->if_contains("shares"); shares != nullptr) {
        if (!shares->is_object() || shares->as_object().size() > 50) {
            return ErrorBody(
                400, "invalid_argument", "'shares' maps at most 50 parties to percents"
            );
        }
        for (const auto& [party, percent] : shares->as_object()) {
            if (!percent.is_string()) {
                return ErrorBody(400, "invalid_argument", "a share's percent is a decimal string");
            }
            agreement.shares[std::string(party)] = std::string(percent.as_string());
        }
    }
    if (body->contains("concluded")) {
        auto concluded = InstantMember(*body, "concluded", true, refusal);
        if (!concluded) {
            return refusal;
        }
        agreement.concluded_ms = *concluded;
    }
    auto recorded = assets.RecordAgreement(actor, request.Param("id"), std::move(agreement));
    if (!recorded) {
        return FromError(recorded.error());
    }
    return Json(
        201,
        boost::json::serialize(boost::json::object{
            {"id", recorded->id}, {"kind", recorded->kind}, {"recorded_by", recorded->recorded_by}})
    );
}

// GET /api/v1/statistics/assets?party=&other=: totals of the assets of every case between two
// parties (figures only).
Response PairTotals(
    app::AssetRegister& assets, std::int64_t threshold, Request& request, const app::Actor& actor
) {
    auto totals = assets.PairTotals(
        actor,
        request.QueryParam("party").value_or(""),
        request.QueryParam("other").value_or(""),
        threshold
    );
    return totals ? Json(200, boost::json::serialize(TotalsJson(*totals)))
                  : FromError(totals.error());
}

// A route about case {id}: the caller's permission on that case (`action` for its relation)
// is decided before the body is read, so a caller who may not touch the case learns nothing of
// what its input would have been refused for.
template <class F>
RouteTable::AuthedHandler OnCase(NodeService::Impl& s, app::Action action, F f) {
    return [&s, action, f](Request& r, const app::Actor& actor) {
        if (s.assets == nullptr || s.cases == nullptr) {
            return ErrorBody(503, "unavailable", "assets are not available on this node");
        }
        if (auto allowed = s.cases->Authorize(actor, action, r.Param("id")); !allowed) {
            return FromError(allowed.error());
        }
        return f(*s.assets, r, actor);
    };
}

}  // namespace

void AddAssetRoutes(RouteTable& t, NodeService::Impl& s) {
    using app::Action;
    t.Authed(
        "GET",
        "/api/v1/cases/{id}/assets",
        Action::kCaseRead,
        OnCase(s, Action::kCaseRead, ReadAssets)
    );
    t.Authed(
        "POST",
        "/api/v1/cases/{id}/assets",
        Action::kCaseEdit,
        OnCase(s, Action::kCaseEdit, IdentifyAsset)
    );
    t.Authed(
        "POST",
        "/api/v1/cases/{id}/asset-orders",
        Action::kCaseEdit,
        OnCase(s, Action::kCaseEdit, RecordOrder)
    );
    t.Authed(
        "POST",
        "/api/v1/cases/{id}/asset-agreements",
        Action::kCaseEdit,
        OnCase(s, Action::kCaseEdit, RecordAgreement)
    );
    t.Authed(
        "GET",
        "/api/v1/statistics/assets",
        Action::kStatisticsRead,
        [&s](Request& r, const app::Actor& actor) {
            if (s.assets == nullptr) {
                return ErrorBody(503, "unavailable", "assets are not available on this node");
            }
            return PairTotals(*s.assets, s.config.statistics_threshold, r, actor);
        }
    );
}

}  // namespace concord::server
