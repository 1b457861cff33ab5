// Technical assistance between States on the local API (docs/assistance.md): needs and offers,
// their ranked matches and the engagements that follow. Every decision is
// app::TechnicalAssistance's; these handlers translate JSON to its inputs and its results to JSON.

#include <algorithm>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/assistance_summary.hpp"
#include "concord/app/technical_assistance.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

Response Invalid(std::string message) {
    return ErrorBody(400, "invalid_argument", message);
}

// Refuses members other than `known` (a misspelt "langauges" is an error, never ignored).
std::optional<Response> OnlyKnown(
    const boost::json::object& body, std::initializer_list<std::string_view> known
) {
    for (const auto& member : body) {
        if (std::find(known.begin(), known.end(), member.key()) == known.end()) {
            return Invalid("unknown member '" + ValidUtf8(member.key()) + "'");
        }
    }
    return std::nullopt;
}

// The members of `names` that are present must be strings.
std::optional<Response> StringsOnly(
    const boost::json::object& body, std::initializer_list<std::string_view> names
) {
    for (std::string_view name : names) {
        const boost::json::value* v = body.if_contains(name);
        if (v != nullptr && !v->is_string()) {
            return Invalid("'" + std::string(name) + "' must be a JSON string");
        }
    }
    return std::nullopt;
}

// POST /api/v1/assistance/needs and /offers {topic, languages: [..], from, to, description,
// party?}
Response PostPosting(
    app::TechnicalAssistance& ta, app::PostingKind kind, Request& request, const app::Actor& actor
) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad = OnlyKnown(*body, {"topic", "languages", "from", "to", "description", "party"})) {
        return std::move(*bad);
    }
    if (auto bad = StringsOnly(*body, {"topic", "from", "to", "description", "party"})) {
        return std::move(*bad);
    }
    app::AssistancePostingInput input{
        Text(*body, "topic"),
        {},
        Text(*body, "from"),
        Text(*body, "to"),
        Text(*body, "description"),
        Text(*body, "party")};
    const boost::json::value* languages = body->if_contains("languages");
    if (languages == nullptr || !languages->is_array()) {
        return Invalid("'languages' must be an array of ISO 639-1 codes");
    }
    for (const boost::json::value& l : languages->as_array()) {
        if (!l.is_string()) {
            return Invalid("'languages' must be an array of ISO 639-1 codes");
        }
        input.languages.emplace_back(l.as_string());
    }
    auto posted = ta.Post(actor, kind, input);
    return posted ? Json(201, boost::json::serialize(app::PostingJson(*posted)))
                  : FromError(posted.error());
}

// GET /api/v1/assistance/postings?kind=&status=&topic=
Response ListPostings(app::TechnicalAssistance& ta, Request& request, const app::Actor& actor) {
    auto kind = ChoiceParam(request, "kind", {"need", "offer", "any"}, "any");
    if (auto* r = std::get_if<Response>(&kind)) {
        return std::move(*r);
    }
    auto status = ChoiceParam(request, "status", {"open", "matched", "withdrawn", "any"}, "any");
    if (auto* r = std::get_if<Response>(&status)) {
        return std::move(*r);
    }
    std::vector<std::string_view> topics{"any"};
    for (std::string_view t : app::AssistanceTopics()) {
        topics.push_back(t);
    }
    const std::string topic = request.QueryParam("topic").value_or("any");
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) {
        return ParameterError("topic", "must be any or a topic of GET /api/v1/assistance/topics");
    }
    std::optional<app::PostingKind> k;
    if (std::get<std::string>(kind) != "any") {
        k = *app::ParsePostingKind(std::get<std::string>(kind));
    }
    std::optional<app::PostingStatus> s;
    if (std::get<std::string>(status) != "any") {
        s = *app::ParsePostingStatus(std::get<std::string>(status));
    }
    auto list = ta.List(actor, k, s, topic == "any" ? "" : topic);
    if (!list) {
        return FromError(list.error());
    }
    boost::json::array a;
    for (const app::AssistancePosting& p : *list) {
        a.push_back(app::PostingJson(p));
    }
    return Json(
        200,
        boost::json::serialize(boost::json::object{
            {"party", ta.Party()}, {"secretariat", ta.Secretariat()}, {"postings", std::move(a)}})
    );
}

// POST /api/v1/assistance/engagements {need, offer}
Response Engage(app::TechnicalAssistance& ta, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad = OnlyKnown(*body, {"need", "offer"})) {
        return std::move(*bad);
    }
    if (auto bad = StringsOnly(*body, {"need", "offer"})) {
        return std::move(*bad);
    }
    auto engaged = ta.Engage(actor, Text(*body, "need"), Text(*body, "offer"));
    return engaged ? Json(201, boost::json::serialize(app::EngagementJson(*engaged)))
                   : FromError(engaged.error());
}

// POST /api/v1/assistance/engagements/{id}/steps {step, score?, comment?}
Response Step(app::TechnicalAssistance& ta, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    if (auto bad = OnlyKnown(*body, {"step", "score", "comment"})) {
        return std::move(*bad);
    }
    if (auto bad = StringsOnly(*body, {"step", "comment"})) {
        return std::move(*bad);
    }
    app::EngagementStep step{Text(*body, "step"), 0, Text(*body, "comment")};
    if (const boost::json::value* score = body->if_contains("score"); score != nullptr) {
        if (!score->is_int64()) {
            return Invalid("'score' must be an integer from 1 to 5");
        }
        step.score = score->as_int64();
    }
    auto moved = ta.Advance(actor, request.Param("id"), step);
    return moved ? Json(200, boost::json::serialize(app::EngagementJson(*moved)))
                 : FromError(moved.error());
}

template <class F>
RouteTable::AuthedHandler With(NodeService::Impl& s, F f) {
    return [&s, f](Request& r, const app::Actor& actor) {
        if (s.assistance == nullptr) {
            return ErrorBody(503, "unavailable", "technical assistance is not available");
        }
        return f(*s.assistance, r, actor);
    };
}

}  // namespace

void AddAssistanceRoutes(RouteTable& t, NodeService::Impl& s) {
    using app::Action;
    t.Authed(
        "GET",
        "/api/v1/assistance/topics",
        Action::kAssistanceRead,
        [](Request&, const app::Actor&) {
            boost::json::array a;
            for (std::string_view topic : app::AssistanceTopics()) {
                a.emplace_back(topic);
            }
            return Json(200, boost::json::serialize(boost::json::object{{"topics", std::move(a)}}));
        }
    );
    t.Authed("GET", "/api/v1/assistance/postings", Action::kAssistanceRead, With(s, ListPostings));
    t.Authed(
        "GET",
        "/api/v1/assistance/summary",
        Action::kAssistanceRead,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request&, const app::Actor& actor) {
                auto postings = ta.List(actor, std::nullopt, std::nullopt, "");
                if (!postings) {
                    return FromError(postings.error());
                }
                auto engagements = ta.Engagements(actor);
                if (!engagements) {
                    return FromError(engagements.error());
                }
                boost::json::object out =
                    app::AssistanceSummaryJson(app::SummarizeAssistance(*postings, *engagements));
                out["party"] = ta.Party();
                out["secretariat"] = ta.Secretariat();
                return Json(200, boost::json::serialize(out));
            }
        )
    );
    t.Authed(
        "GET",
        "/api/v1/assistance/postings/{id}",
        Action::kAssistanceRead,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                auto p = ta.Get(actor, r.Param("id"));
                return p ? Json(200, boost::json::serialize(app::PostingJson(*p)))
                         : FromError(p.error());
            }
        )
    );
    t.Authed(
        "POST",
        "/api/v1/assistance/needs",
        Action::kAssistanceManage,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                return PostPosting(ta, app::PostingKind::kNeed, r, actor);
            }
        )
    );
    t.Authed(
        "POST",
        "/api/v1/assistance/offers",
        Action::kAssistanceManage,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                return PostPosting(ta, app::PostingKind::kOffer, r, actor);
            }
        )
    );
    t.Authed(
        "POST",
        "/api/v1/assistance/postings/{id}/withdraw",
        Action::kAssistanceManage,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                auto p = ta.Withdraw(actor, r.Param("id"));
                return p ? Json(200, boost::json::serialize(app::PostingJson(*p)))
                         : FromError(p.error());
            }
        )
    );
    t.Authed(
        "GET",
        "/api/v1/assistance/needs/{id}/matches",
        Action::kAssistanceRead,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                auto ranked = ta.Match(actor, r.Param("id"));
                if (!ranked) {
                    return FromError(ranked.error());
                }
                boost::json::array a;
                for (const app::AssistanceCandidate& c : *ranked) {
                    a.push_back(app::CandidateJson(c));
                }
                return Json(
                    200,
                    boost::json::serialize(boost::json::object{
                        {"need", r.Param("id")}, {"candidates", std::move(a)}})
                );
            }
        )
    );
    t.Authed(
        "GET",
        "/api/v1/assistance/engagements",
        Action::kAssistanceRead,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request&, const app::Actor& actor) {
                auto list = ta.Engagements(actor);
                if (!list) {
                    return FromError(list.error());
                }
                boost::json::array a;
                for (const app::AssistanceEngagement& e : *list) {
                    a.push_back(app::EngagementJson(e));
                }
                return Json(
                    200, boost::json::serialize(boost::json::object{{"engagements", std::move(a)}})
                );
            }
        )
    );
    t.Authed("POST", "/api/v1/assistance/engagements", Action::kAssistanceManage, With(s, Engage));
    t.Authed(
        "GET",
        "/api/v1/assistance/engagements/{id}",
        Action::kAssistanceRead,
        With(
            s,
            [](app::TechnicalAssistance& ta, Request& r, const app::Actor& actor) {
                auto e = ta.GetEngagement(actor, r.Param("id"));
                return e ? Json(200, boost::json::serialize(app::EngagementJson(*e)))
                         : FromError(e.error());
            }
        )
    );
    t.Authed(
        "POST",
        "/api/v1/assistance/engagements/{id}/steps",
        Action::kAssistanceManage,
        With(s, Step)
    );
}

}  // namespace concord::server
