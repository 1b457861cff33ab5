// The legal catalogue on the local API: instruments, offences, mappings and request checks.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/legal/check.hpp"
#include "concord/legal/json_view.hpp"
#include "concord/legal/render.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

Response LegalInstruments(NodeService::Impl& s, Request& request) {
    return Json(200, legal::InstrumentsJson(*s.catalog, Language(request)));
}

// The request as its receiver reads it, in `lang` (the legal texts of the catalogue; free text
// as written, marked for translation).
Response LegalRender(NodeService::Impl& s, Request& request) {
    const std::string lang = Language(request);
    auto text = legal::RenderRequest(*s.catalog, request.body, lang);
    if (!text) {
        return FromError(text.error());
    }
    boost::json::object o;
    o["lang"] = lang;
    o["text"] = *text;
    return Json(200, boost::json::serialize(o));
}

Response LegalForms(NodeService::Impl& s, Request& request) {
    return Json(200, legal::FormsJson(*s.catalog, Language(request)));
}

Response LegalOffences(NodeService::Impl& s, Request& request) {
    auto json = legal::OffencesJson(
        *s.catalog, request.QueryParam("instrument").value_or(""), Language(request)
    );
    return json ? Json(200, std::move(*json)) : FromError(json.error());
}

Response LegalMap(NodeService::Impl& s, Request& request) {
    auto json = legal::MappingJson(
        *s.catalog, request.QueryParam("article").value_or(""), Language(request)
    );
    return json ? Json(200, std::move(*json)) : FromError(json.error());
}

Response LegalCheck(NodeService::Impl& s, Request& request) {
    auto findings = legal::CheckRequest(*s.catalog, request.body, Language(request));
    boost::json::object o;
    o["valid"] = !legal::HasErrors(findings);
    o["findings"] = boost::json::parse(legal::FindingsToJson(findings));
    return Json(200, boost::json::serialize(o));
}
}  // namespace

void AddLegalRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed(
        "POST",
        "/api/v1/legal/check",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalCheck(s, r); }
    );
    t.Authed(
        "GET",
        "/api/v1/legal/instruments",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalInstruments(s, r); }
    );
    t.Authed(
        "POST",
        "/api/v1/legal/render",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalRender(s, r); }
    );
    t.Authed(
        "GET",
        "/api/v1/legal/forms",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalForms(s, r); }
    );
    t.Authed(
        "GET",
        "/api/v1/legal/offences",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalOffences(s, r); }
    );
    t.Authed(
        "GET",
        "/api/v1/legal/map",
        app::Action::kLegalRead,
        [&s](Request& r, const app::Actor&) { return LegalMap(s, r); }
    );
}

}  // namespace concord::server
