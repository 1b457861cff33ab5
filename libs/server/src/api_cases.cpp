// Cases on the local API: draft, approve, step, assign, note, read and search, and the
// obligations to extradite or prosecute that refusals open. Every decision is
// app::CaseService's; these handlers only translate JSON to its inputs and its results to JSON.

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/case_obligations.hpp"
#include "concord/app/case_service.hpp"
#include "concord/core/time.hpp"
#include "concord/legal/lifecycle.hpp"

#include "api_routes.hpp"
#include "api_util.hpp"

namespace concord::server {
namespace {

using net::Json;
using net::Request;
using net::Response;

boost::json::array Strings(const std::vector<std::string>& list) {
    boost::json::array a;
    for (const std::string& s : list) {
        a.emplace_back(s);
    }
    return a;
}

boost::json::object CaseJson(const app::Case& c) {
    boost::json::object o;
    o["id"] = c.id;
    o["number"] = c.number;
    o["origin_node"] = c.origin_node;
    o["origin_id"] = c.origin_id;
    o["direction"] = app::CaseDirectionName(c.direction);
    o["instrument"] = c.instrument;
    o["request_type"] = c.request_type;
    o["peer_node"] = c.peer_node;
    o["requesting_party"] = c.requesting_party;
    o["requested_party"] = c.requested_party;
    o["state"] = c.state;
    o["version"] = c.version;
    o["priority"] = c.priority;
    o["unit"] = c.unit;
    o["assignee"] = c.assignee;
    o["drafted_by"] = c.drafted_by;
    o["approved_by"] = c.approved_by;
    o["offence"] = c.offence;
    o["peer_number"] = c.peer_number;
    o["created"] = FormatTimestamp(c.created_ms);
    o["updated"] = FormatTimestamp(c.updated_ms);
    if (c.next_due_ms) {
        o["next_due"] = FormatTimestamp(*c.next_due_ms);
    }
    return o;
}

// The request's signed approval (docs/cases.md "Signed approvals"), or null.
boost::json::value ApprovalJson(const std::optional<app::CaseApproval>& approval) {
    if (!approval) {
        return nullptr;
    }
    boost::json::object o;
    o["status"] = approval->status;
    o["failure"] = approval->failure;
    o["description"] = approval->description;
    o["approver"] = approval->approver;
    o["approved"] = approval->approved_ms > 0
                        ? boost::json::value(FormatTimestamp(approval->approved_ms))
                        : boost::json::value(nullptr);
    o["alert"] = approval->alert;
    o["checked"] = FormatTimestamp(approval->checked_ms);
    boost::system::error_code ec;
    boost::json::value text = ParseJson(approval->text, ec);
    o["approval"] = !ec && text.is_object() ? std::move(text) : boost::json::value(nullptr);
    return o;
}

Response CaseAnswer(unsigned status, const Result<app::Case>& c) {
    return c ? Json(status, boost::json::serialize(CaseJson(*c))) : FromError(c.error());
}

Response CreateCase(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    const boost::json::value* legal_request = body->if_contains("request");
    if (legal_request == nullptr || !legal_request->is_object()) {
        return ErrorBody(400, "invalid_argument", "'request' must be a legal request object");
    }
    app::DraftInput input;
    input.request_json = boost::json::serialize(*legal_request);
    input.peer_node = Text(*body, "peer_node");
    input.priority = body->contains("priority") ? Text(*body, "priority") : "normal";
    input.unit = Text(*body, "unit");
    input.relay_of = Text(*body, "relay_of");
    return CaseAnswer(201, cases.Draft(actor, input));
}

// A draft returned to its drafter by an approver, with the reasons.
Response ReturnCase(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    app::StepInput step;
    step.transition = "return";
    step.reasons = Text(*body, "reasons");
    return CaseAnswer(200, cases.Transition(actor, request.Param("id"), step));
}

// A draft's request replaced by its revision.
Response ReviseCase(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    const boost::json::value* legal_request = body->if_contains("request");
    if (legal_request == nullptr || !legal_request->is_object()) {
        return ErrorBody(400, "invalid_argument", "'request' must be a legal request object");
    }
    return CaseAnswer(
        200, cases.Revise(actor, request.Param("id"), boost::json::serialize(*legal_request))
    );
}

Response ListCases(app::CaseService& cases, Request& request, const app::Actor& actor) {
    app::CaseFilter filter;
    filter.party = request.QueryParam("party").value_or("");
    filter.request_type = request.QueryParam("type").value_or("");
    filter.state = request.QueryParam("state").value_or("");
    filter.offence = request.QueryParam("offence").value_or("");
    filter.unit = request.QueryParam("unit").value_or("");
    filter.request_message = request.QueryParam("message").value_or("");
    filter.number_contains = request.QueryParam("number").value_or("");
    auto direction = ChoiceParam(request, "direction", {"in", "out", "any"}, "any");
    if (auto* r = std::get_if<Response>(&direction)) {
        return std::move(*r);
    }
    if (std::get<std::string>(direction) != "any") {
        filter.direction = std::get<std::string>(direction) == "in" ? app::CaseDirection::kIn
                                                                    : app::CaseDirection::kOut;
    }
    auto limit = UnsignedParam(request, "limit", 1, 500, 50);
    if (auto* r = std::get_if<Response>(&limit)) {
        return std::move(*r);
    }
    auto offset = UnsignedParam(request, "offset", 0, 1'000'000, 0);
    if (auto* r = std::get_if<Response>(&offset)) {
        return std::move(*r);
    }
    filter.limit = static_cast<std::size_t>(std::get<std::uint64_t>(limit));
    filter.offset = static_cast<std::size_t>(std::get<std::uint64_t>(offset));
    if (auto due_before = request.QueryParam("due_before")) {
        auto instant = ParseTimestamp(*due_before);
        if (!instant) {
            return ParameterError("due_before", instant.error().message);
        }
        filter.due_before_ms = *instant;
    }
    auto found = cases.Search(actor, filter);
    if (!found) {
        return FromError(found.error());
    }
    boost::json::array list;
    for (const app::Case& c : *found) {
        list.push_back(CaseJson(c));
    }
    boost::json::object o;
    o["cases"] = std::move(list);
    return Json(200, boost::json::serialize(o));
}

// An instant, or null for 0 (not yet).
boost::json::value InstantOrNull(std::int64_t ms) {
    return ms > 0 ? boost::json::value(FormatTimestamp(ms)) : boost::json::value(nullptr);
}

// An obligation to extradite or prosecute (docs/cases.md "Extradite or prosecute").
boost::json::object ObligationJson(const app::CaseObligation& ob, std::int64_t now_ms) {
    boost::json::object o;
    o["id"] = ob.id;
    o["case"] = ob.case_id;
    o["rule"] = ob.rule;
    o["cite"] = ob.cite;
    o["ground"] = ob.ground;
    o["owed_here"] = ob.owed_here;
    o["state"] = app::ObligationStateName(ob.state);
    o["decision"] = ob.decision;
    o["opened"] = InstantOrNull(ob.opened_ms);
    o["submitted"] = InstantOrNull(ob.submitted_ms);
    o["decided"] = InstantOrNull(ob.decided_ms);
    o["reported"] = InstantOrNull(ob.reported_ms);
    o["due"] = InstantOrNull(ob.due_ms);
    o["overdue"] =
        ob.state != app::ObligationState::kReported && ob.due_ms > 0 && ob.due_ms < now_ms;
    o["submission"] = ob.submission;
    o["decision_reasons"] = ob.decision_reasons;
    o["outcome"] = ob.outcome;
    return o;
}

// GET /api/v1/obligations?state=&overdue=true&limit=: the obligations of the cases the caller
// may read, newest first, without their free text (the case's read gives it, recorded).
Response ListObligations(store::Store& store, Request& request, const app::Actor& actor) {
    app::ObligationFilter filter;
    if (auto state = request.QueryParam("state")) {
        auto parsed = app::ParseObligationState(*state);
        if (!parsed) {
            return ParameterError("state", parsed.error().message);
        }
        filter.state = *parsed;
    }
    auto overdue = ChoiceParam(request, "overdue", {"true", "false"}, "false");
    if (auto* r = std::get_if<Response>(&overdue)) {
        return std::move(*r);
    }
    const std::int64_t now = NowMillis();
    if (std::get<std::string>(overdue) == "true") {
        filter.overdue_at_ms = now;
    }
    auto limit = UnsignedParam(request, "limit", 1, 500, 100);
    if (auto* r = std::get_if<Response>(&limit)) {
        return std::move(*r);
    }
    filter.limit = static_cast<std::size_t>(std::get<std::uint64_t>(limit));
    auto found = app::CaseObligations::List(store, actor, filter);
    if (!found) {
        return FromError(found.error());
    }
    boost::json::array list;
    for (const app::ListedObligation& l : *found) {
        boost::json::object o = ObligationJson(l.obligation, now);
        for (const char* text : {"submission", "decision_reasons", "outcome"}) {
            o.erase(text);
        }
        o["number"] = l.case_number;
        o["requesting_party"] = l.requesting_party;
        o["requested_party"] = l.requested_party;
        list.push_back(std::move(o));
    }
    boost::json::object o;
    o["obligations"] = std::move(list);
    return Json(200, boost::json::serialize(o));
}

// The steps this node's side may take on the case now, as the lifecycle allows them for its
// instrument and request type (what a UI offers; the step is checked again when taken).
boost::json::array NextSteps(const legal::Lifecycle& lifecycle, const app::Case& c) {
    const legal::Side mine = c.direction == app::CaseDirection::kOut ? legal::Side::kRequesting
                                                                     : legal::Side::kRequested;
    boost::json::array out;
    for (const legal::Transition& t : lifecycle.Transitions()) {
        if (t.side != mine && t.side != legal::Side::kBoth) {
            continue;
        }
        const auto from = lifecycle.FromStates(t, c.instrument, c.request_type);
        if (std::find(from.begin(), from.end(), c.state) == from.end()) {
            continue;
        }
        out.push_back(boost::json::object{
            {"transition", t.id},
            {"to", t.to},
            {"crosses", t.crosses},
            {"grounds", t.grounds},
            {"reasons", t.reasons}});
    }
    return out;
}

Response ReadCase(
    app::CaseService& cases,
    const legal::Lifecycle* lifecycle,
    Request& request,
    const app::Actor& actor
) {
    auto view = cases.Read(actor, request.Param("id"));
    if (!view) {
        return FromError(view.error());
    }
    boost::json::object o;
    o["case"] = CaseJson(view->record);
    boost::system::error_code ec;
    o["request"] = ParseJson(view->record.body, ec);
    boost::json::array timeline;
    for (const app::TimelineEntry& e : view->timeline) {
        boost::json::object t;
        t["at"] = FormatTimestamp(e.at_ms);
        t["actor"] = e.actor;
        t["transition"] = e.transition;
        t["from_state"] = e.from_state;
        t["to_state"] = e.to_state;
        t["grounds"] = Strings(e.grounds);
        t["reasons"] = e.reasons;
        t["version"] = e.version;
        t["message_id"] = e.message_id;
        timeline.push_back(std::move(t));
    }
    o["timeline"] = std::move(timeline);
    boost::json::array notes;
    for (const app::CaseNote& n : view->notes) {
        boost::json::object t;
        t["at"] = FormatTimestamp(n.at_ms);
        t["author"] = n.author;
        t["text"] = n.text;
        notes.push_back(std::move(t));
    }
    o["notes"] = std::move(notes);
    o["approval"] = ApprovalJson(view->approval);
    o["obligation"] = view->obligation
                          ? boost::json::value(ObligationJson(*view->obligation, NowMillis()))
                          : boost::json::value(nullptr);
    o["hearing"] = view->hearing ? boost::json::value(app::HearingJson(*view->hearing))
                                 : boost::json::value(nullptr);
    o["steps"] = lifecycle != nullptr ? NextSteps(*lifecycle, view->record) : boost::json::array{};
    return Json(200, boost::json::serialize(o));
}

Response StepCase(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    app::StepInput step;
    step.transition = Text(*body, "transition");
    step.reasons = Text(*body, "reasons");
    if (const auto* grounds = body->if_contains("grounds"); grounds != nullptr) {
        if (!grounds->is_array() || grounds->as_array().size() > 32) {
            return ErrorBody(400, "invalid_argument", "'grounds' must be at most 32 ids");
        }
        for (const auto& g : grounds->as_array()) {
            if (!g.is_string()) {
                return ErrorBody(400, "invalid_argument", "'grounds' must hold ids");
            }
            step.grounds.emplace_back(g.as_string());
        }
    }
    if (const auto* details = body->if_contains("details"); details != nullptr) {
        if (!details->is_object()) {
            return ErrorBody(400, "invalid_argument", "'details' must be an object");
        }
        step.details = details->as_object();
    }
    return CaseAnswer(200, cases.Transition(actor, request.Param("id"), step));
}

Response AssignCase(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    return CaseAnswer(
        200, cases.Assign(actor, request.Param("id"), Text(*body, "unit"), Text(*body, "assignee"))
    );
}

Response AddNote(app::CaseService& cases, Request& request, const app::Actor& actor) {
    Response refusal;
    auto body = BodyObject(request, refusal);
    if (!body) {
        return refusal;
    }
    auto note = cases.AddNote(actor, request.Param("id"), Text(*body, "text"));
    if (!note) {
        return FromError(note.error());
    }
    boost::json::object o;
    o["at"] = FormatTimestamp(note->at_ms);
    o["author"] = note->author;
    o["text"] = note->text;
    return Json(201, boost::json::serialize(o));
}

// The handlers reach the case service of the running node (absent only in the route listing).
template <class F>
RouteTable::AuthedHandler With(NodeService::Impl& s, F f) {
    return [&s, f](Request& r, const app::Actor& actor) {
        if (s.cases == nullptr) {
            return ErrorBody(503, "unavailable", "cases are not available on this node");
        }
        return f(*s.cases, r, actor);
    };
}

}  // namespace

void AddCaseRoutes(RouteTable& t, NodeService::Impl& s) {
    t.Authed("GET", "/api/v1/cases", app::Action::kCaseRead, With(s, ListCases));
    t.Authed("POST", "/api/v1/cases", app::Action::kCaseCreate, With(s, CreateCase));
    t.Authed(
        "GET",
        "/api/v1/cases/{id}",
        app::Action::kCaseRead,
        With(
            s,
            [&s](app::CaseService& cases, Request& r, const app::Actor& actor) {
                return ReadCase(cases, s.lifecycle ? &*s.lifecycle : nullptr, r, actor);
            }
        )
    );
    t.Authed(
        "GET",
        "/api/v1/cases/{id}/summary",
        app::Action::kCaseRead,
        With(
            s,
            [](app::CaseService& cases, Request& r, const app::Actor& actor) {
                return CaseAnswer(200, cases.Summary(actor, r.Param("id")));
            }
        )
    );
    t.Authed(
        "POST",
        "/api/v1/cases/{id}/approve",
        app::Action::kCaseApprove,
        With(
            s,
            [](app::CaseService& cases, Request& r, const app::Actor& actor) {
                return CaseAnswer(200, cases.Approve(actor, r.Param("id")));
            }
        )
    );
    t.Authed("POST", "/api/v1/cases/{id}/return", app::Action::kCaseApprove, With(s, ReturnCase));
    t.Authed("PUT", "/api/v1/cases/{id}/request", app::Action::kCaseEdit, With(s, ReviseCase));
    t.Authed(
        "POST", "/api/v1/cases/{id}/transition", app::Action::kCaseTransition, With(s, StepCase)
    );
    t.Authed("POST", "/api/v1/cases/{id}/assign", app::Action::kCaseEdit, With(s, AssignCase));
    t.Authed("POST", "/api/v1/cases/{id}/notes", app::Action::kCaseEdit, With(s, AddNote));
    t.Authed(
        "GET",
        "/api/v1/obligations",
        app::Action::kCaseRead,
        With(
            s,
            [&s](app::CaseService&, Request& r, const app::Actor& actor) {
                return ListObligations(*s.store, r, actor);
            }
        )
    );
}

}  // namespace concord::server
