#include "concord/app/case_service.hpp"

#include <chrono>
#include <memory>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/access_log.hpp"
#include "concord/app/case_hearings.hpp"
#include "concord/app/case_obligations.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/domain_events.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/legal/check.hpp"

#include "case_approvals.hpp"
#include "case_context.hpp"
#include "case_wire.hpp"

namespace concord::app {

using detail::CaseContext;

namespace {

constexpr std::size_t kMaxNoteBytes = 20000;
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxPageSize = 500;

// A message SubmitIn wrote into a step's transaction; handed to delivery after the commit.
struct Sent {
    federation::OutgoingMessage message;
    federation::Submitted submitted;
};

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<void> CheckName(std::string_view what, std::string_view value) {
    if (value.size() > kMaxNameBytes || !IsValidUtf8(value)) {
        return Invalid(std::string(what) + " must be at most 200 bytes of UTF-8");
    }
    return {};
}

Result<federation::Node*> Attached(federation::Node* node) {
    if (node == nullptr) {
        return MakeError(ErrorCode::kUnavailable, "the case service has no node attached");
    }
    return node;
}

std::string Member(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
}

// Takes `transition` on `c` for this node, in `tx`: the lifecycle rule, then the message when
// it crosses parties, then the record. `request_body` is the body of the request ("send").
Result<void> TakeLocal(
    CaseContext& ctx,
    store::Transaction& tx,
    const Actor& actor,
    Case& c,
    const StepInput& step,
    boost::json::object* request_body,
    std::vector<Sent>& sent,
    std::string_view approval = {}
) {
    CONCORD_ASSIGN_OR_RETURN(
        const legal::Transition* t,
        ctx.lifecycle.Check(
            legal::StepRequest{
                c.state,
                step.transition,
                detail::OwnSide(c),
                c.instrument,
                c.request_type,
                step.grounds,
                step.reasons},
            ctx.catalog
        )
    );
    if (step.reasons.size() > detail::kMaxReasonsBytes ||
        step.grounds.size() > detail::kMaxGrounds || !IsValidUtf8(step.reasons)) {
        return Invalid("reasons of at most 20000 bytes of UTF-8 and at most 32 grounds");
    }
    CONCORD_RETURN_IF_ERROR(detail::CheckDetailsSize(step.details));
    const std::int64_t now = NowMillis();
    TimelineEntry entry;
    entry.at_ms = now;
    entry.actor = actor.Label();
    entry.transition = t->id;
    entry.from_state = c.state;
    entry.to_state = t->to.empty() ? c.state : t->to;
    entry.grounds = step.grounds;
    entry.reasons = step.reasons;
    if (t->crosses) {
        c.version += 1;
        detail::CaseStep wire{
            c.origin_node,
            c.origin_id,
            c.version,
            t->id,
            c.number,
            step.grounds,
            step.reasons,
            step.details};
        boost::json::object body = detail::EncodeStep(wire, approval);
        federation::OutgoingMessage message;
        message.to = c.peer_node;
        message.type = "notice";
        if (request_body != nullptr) {
            (*request_body)[detail::kCaseMember] = body[detail::kCaseMember];
            body = *request_body;
            message.type = "request";
        }
        message.priority = detail::SendablePriority(ctx.node, message.type, c.priority);
        message.body_json = boost::json::serialize(body);
        CONCORD_ASSIGN_OR_RETURN(federation::Submitted submitted, ctx.node.SubmitIn(tx, message));
        entry.message_id = submitted.id;
        if (request_body != nullptr) {
            c.request_message_id = submitted.id;
        }
        sent.push_back(Sent{std::move(message), std::move(submitted)});
    }
    entry.version = c.version;
    c.state = entry.to_state;
    c.updated_ms = now;
    return ctx.recorder.RecordStep(tx, c, entry, false, step.details);
}

Result<void> CommitAndSend(
    store::Transaction& tx, federation::Node& node, const std::vector<Sent>& sent
) {
    CONCORD_RETURN_IF_ERROR(tx.Commit());
    for (const Sent& s : sent) {
        node.SubmitCommitted(s.message, s.submitted);
    }
    return {};
}

}  // namespace

std::vector<store::Migration> CaseService::Migrations() {
    std::vector<store::Migration> all = detail::CaseStore::Migrations();
    for (store::Migration& m : DomainEventMigrations()) {
        all.push_back(std::move(m));
    }
    // The search by deadline reads the deadline engine's table.
    for (std::vector<store::Migration> more :
         {detail::CaseApprovalMigrations(),
          AccessLogMigrations(),
          UserKeys::Migrations(),
          UserCertifier::Migrations(),
          DeadlineEngine::Migrations(),
          CaseObligations::Migrations(),
          CaseHearings::Migrations()}) {
        for (store::Migration& m : more) {
            all.push_back(std::move(m));
        }
    }
    return all;
}

Result<void> CaseService::SignApprovals(
    const crypto::SigningKey& node_key, CertifierOptions options
) {
    CONCORD_ASSIGN_OR_RETURN(
        UserCertifier certifier, UserCertifier::Create(node_key, std::move(options))
    );
    user_certifier_ = std::make_unique<UserCertifier>(std::move(certifier));
    user_keys_ = std::make_unique<UserKeys>(node_key);
    return {};
}

CaseService::CaseService(
    store::Store& store,
    const legal::Catalog& catalog,
    const legal::Lifecycle& lifecycle,
    CaseHooks hooks
)
    : store_(store), catalog_(catalog), lifecycle_(lifecycle), hooks_(std::move(hooks)) {}

Result<Case> CaseService::Draft(const Actor& actor, const DraftInput& input) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseCreate));
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    const std::string unit = input.unit.empty() ? actor.unit : input.unit;
    CONCORD_RETURN_IF_ERROR(CheckName("unit", unit));
    if (input.priority != "normal" && input.priority != "emergency") {
        return Invalid("priority must be normal or emergency");
    }
    const auto findings = legal::CheckRequest(catalog_, input.request_json, "en");
    if (legal::HasErrors(findings)) {
        return Invalid("request_invalid: " + legal::FindingsToJson(findings));
    }
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(input.request_json, ec);
    if (ec || !parsed.is_object()) {
        return Invalid("request_invalid: not a JSON object");
    }
    const boost::json::object& request = parsed.as_object();
    auto dir = node->Directory();
    const federation::NodeEntry* peer = dir->FindNode(input.peer_node);
    if (peer == nullptr || peer->revoked || peer->id == node->Id()) {
        return Invalid("peer node '" + input.peer_node + "' is not a listed peer");
    }
    CONCORD_ASSIGN_OR_RETURN(std::string own_party, detail::OwnParty(*node));
    Case c;
    c.requesting_party = Member(request, "requesting_party");
    c.requested_party = Member(request, "requested_party");
    std::string relayed_number;
    if (!input.relay_of.empty()) {
        // A relay: the foreign request goes on to a provider of this node's party.
        detail::CaseStore cases(store_.Backend());
        CONCORD_ASSIGN_OR_RETURN(auto read, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(Case relayed, cases.Get(*read, input.relay_of));
        read->Rollback();
        CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseRead, detail::RelationTo(actor, relayed))
        );
        if (relayed.direction != CaseDirection::kIn) {
            return Invalid("relay_of must name an incoming case");
        }
        if (peer->party != own_party || !peer->HasRole("service_provider")) {
            return Invalid("a relay goes to a service provider of " + own_party);
        }
        if (c.requesting_party != relayed.requesting_party || c.requested_party != own_party) {
            return Invalid(
                "a relayed request is from " + relayed.requesting_party + " to " + own_party
            );
        }
        relayed_number = relayed.number;
    } else if (c.requesting_party != own_party || c.requested_party != peer->party) {
        return Invalid(
            "the request must be from " + own_party + " (this node) to " + peer->party + " (" +
            peer->id + ")"
        );
    }
    c.id = NewUuidV7();
    c.origin_node = node->Id();
    c.origin_id = c.id;
    c.direction = CaseDirection::kOut;
    c.instrument = Member(request, "instrument");
    c.request_type = Member(request, "type");
    c.peer_node = peer->id;
    c.state = lifecycle_.Initial();
    c.priority = input.priority;
    c.unit = unit;
    c.drafted_by = actor.Label();
    c.offence = detail::FirstOffence(request);
    c.created_ms = NowMillis();
    c.updated_ms = c.created_ms;
    c.body = boost::json::serialize(request);

    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        c.number, ctx.cases.NextNumber(*tx, detail::NumberPrefix(own_party, c.created_ms))
    );
    TimelineEntry entry;
    entry.at_ms = c.created_ms;
    entry.actor = actor.Label();
    entry.transition = "drafted";
    entry.to_state = c.state;
    if (!input.relay_of.empty()) {
        entry.reasons = "relays case " + relayed_number + " (" + input.relay_of + ")";
    }
    CONCORD_RETURN_IF_ERROR(ctx.recorder.Record(*tx, c, entry, true, false));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return c;
}

Result<Case> CaseService::Approve(const Actor& actor, std::string_view case_id) {
    return ApproveWith(actor, case_id, StepInput{"approve", {}, {}});
}

Result<Case> CaseService::ApproveWith(
    const Actor& actor, std::string_view case_id, const StepInput& step
) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case c, ctx.cases.Get(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseApprove, detail::RelationTo(actor, c)));
    if (c.drafted_by == actor.Label()) {
        return legal::StepError(
            legal::StepRule::kSelfApproval, "the drafter of a request cannot approve it"
        );
    }
    std::vector<Sent> sent;
    CONCORD_RETURN_IF_ERROR(TakeLocal(ctx, *tx, actor, c, step, nullptr, sent));
    c.approved_by = actor.Label();
    boost::system::error_code ec;
    boost::json::value request = boost::json::parse(c.body, ec);
    if (ec || !request.is_object()) {
        return MakeError(ErrorCode::kCorruption, "case " + c.id + ": stored request is not JSON");
    }
    if (hooks_.on_approve) {
        CONCORD_RETURN_IF_ERROR(hooks_.on_approve(*tx, c, actor, request.as_object()));
    }
    // The approver signs the request as it will be sent (docs/cases.md "Signed approvals").
    std::string approval;
    if (user_keys_ != nullptr && user_certifier_ != nullptr) {
        boost::json::object form = request.as_object();
        form.erase(detail::kCaseMember);
        CONCORD_ASSIGN_OR_RETURN(
            CaseApproval signed_approval,
            detail::SignCaseApproval(
                *tx,
                *node,
                *user_keys_,
                *user_certifier_,
                actor,
                c,
                form,
                detail::SendablePriority(*node, "request", c.priority),
                NowMillis()
            )
        );
        approval = std::move(signed_approval.text);
    }
    CONCORD_RETURN_IF_ERROR(TakeLocal(
        ctx, *tx, actor, c, StepInput{"send", {}, {}}, &request.as_object(), sent, approval
    ));
    CONCORD_RETURN_IF_ERROR(CommitAndSend(*tx, *node, sent));
    return c;
}

Result<Case> CaseService::Transition(
    const Actor& actor, std::string_view case_id, const StepInput& step
) {
    if (step.transition == "approve") {
        return ApproveWith(actor, case_id, step);
    }
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case c, ctx.cases.Get(*tx, case_id));
    const bool returning = step.transition == "return";
    CONCORD_RETURN_IF_ERROR(Decide(
        actor,
        returning ? Action::kCaseApprove : Action::kCaseTransition,
        detail::RelationTo(actor, c)
    ));
    if (step.transition == "send") {
        // Sending is the second half of an approval: only Approve sends.
        return legal::StepError(legal::StepRule::kWrongState, "a request is sent by its approval");
    }
    if (step.transition == "revise") {
        return legal::StepError(
            legal::StepRule::kWrongState, "a draft is revised with its new request"
        );
    }
    if (returning && c.drafted_by == actor.Label()) {
        return legal::StepError(
            legal::StepRule::kSelfApproval, "the drafter of a request cannot return it"
        );
    }
    std::vector<Sent> sent;
    CONCORD_RETURN_IF_ERROR(TakeLocal(ctx, *tx, actor, c, step, nullptr, sent));
    CONCORD_RETURN_IF_ERROR(CommitAndSend(*tx, *node, sent));
    return c;
}

Result<Case> CaseService::Revise(
    const Actor& actor, std::string_view case_id, const std::string& request_json
) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case c, ctx.cases.Get(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseEdit, detail::RelationTo(actor, c)));
    const auto findings = legal::CheckRequest(catalog_, request_json, "en");
    if (legal::HasErrors(findings)) {
        return Invalid("request_invalid: " + legal::FindingsToJson(findings));
    }
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(request_json, ec);
    if (ec || !parsed.is_object()) {
        return Invalid("request_invalid: not a JSON object");
    }
    const boost::json::object& request = parsed.as_object();
    if (c.direction != CaseDirection::kOut) {
        return legal::StepError(legal::StepRule::kWrongState, "only an outgoing draft is revised");
    }
    if (Member(request, "requesting_party") != c.requesting_party ||
        Member(request, "requested_party") != c.requested_party) {
        return Invalid(
            "a revised request is still from " + c.requesting_party + " to " + c.requested_party
        );
    }
    c.instrument = Member(request, "instrument");
    c.request_type = Member(request, "type");
    c.offence = detail::FirstOffence(request);
    c.body = boost::json::serialize(request);
    c.drafted_by = actor.Label();
    std::vector<Sent> sent;
    CONCORD_RETURN_IF_ERROR(
        TakeLocal(ctx, *tx, actor, c, StepInput{"revise", {}, {}}, nullptr, sent)
    );
    CONCORD_RETURN_IF_ERROR(ctx.cases.UpdateRequest(*tx, c));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return c;
}

Result<Case> CaseService::Assign(
    const Actor& actor, std::string_view case_id, std::string_view unit, std::string_view assignee
) {
    CONCORD_RETURN_IF_ERROR(CheckName("unit", unit));
    CONCORD_RETURN_IF_ERROR(CheckName("assignee", assignee));
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case c, ctx.cases.Get(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseEdit, detail::RelationTo(actor, c)));
    TimelineEntry entry;
    entry.at_ms = NowMillis();
    entry.actor = actor.Label();
    entry.transition = "assigned";
    entry.from_state = c.state;
    entry.to_state = c.state;
    entry.version = c.version;
    if (!unit.empty()) {
        c.unit = std::string(unit);
    }
    if (!assignee.empty()) {
        c.assignee = std::string(assignee);
    }
    entry.reasons = "unit=" + c.unit + " assignee=" + c.assignee;
    c.updated_ms = entry.at_ms;
    CONCORD_RETURN_IF_ERROR(ctx.recorder.Record(*tx, c, entry, false, false));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return c;
}

Result<CaseNote> CaseService::AddNote(
    const Actor& actor, std::string_view case_id, std::string_view text
) {
    if (text.empty() || text.size() > kMaxNoteBytes || !IsValidUtf8(text)) {
        return Invalid("a note is 1-20000 bytes of UTF-8");
    }
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case c, cases.Get(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseEdit, detail::RelationTo(actor, c)));
    CaseNote note{0, NowMillis(), actor.Label(), std::string(text)};
    CONCORD_RETURN_IF_ERROR(cases.AddNote(*tx, c.id, note));
    boost::json::object leaf;
    leaf["event"] = "case.note_added";
    leaf["case"] = c.id;
    NameActor(leaf, actor);
    CONCORD_RETURN_IF_ERROR(node->AppendEvent(*tx, leaf));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return note;
}

Result<CaseView> CaseService::Read(const Actor& actor, std::string_view case_id) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CaseView view;
    CONCORD_ASSIGN_OR_RETURN(view.record, cases.Get(*tx, case_id));
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseRead, detail::RelationTo(actor, view.record))
    );
    CONCORD_ASSIGN_OR_RETURN(view.timeline, cases.Timeline(*tx, view.record.id));
    CONCORD_ASSIGN_OR_RETURN(view.notes, cases.Notes(*tx, view.record.id));
    CONCORD_ASSIGN_OR_RETURN(view.approval, detail::GetCaseApproval(*tx, view.record.id));
    CONCORD_ASSIGN_OR_RETURN(view.obligation, CaseObligations::ForCaseIn(*tx, view.record.id));
    CONCORD_ASSIGN_OR_RETURN(view.hearing, CaseHearings::ForCaseIn(*tx, view.record.id));
    // The request holds personal data: the read is recorded with it, and shown only once the
    // record is durable (docs/cases.md "Access records").
    boost::json::object leaf;
    leaf["event"] = "case.read";
    leaf["case"] = view.record.id;
    CONCORD_RETURN_IF_ERROR(
        RecordAccess(*tx, *node, actor, view.record.id, "case", std::move(leaf), NowMillis())
    );
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return view;
}

Result<Case> CaseService::Summary(const Actor& actor, std::string_view case_id) {
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case record, cases.Get(*tx, case_id));
    tx->Rollback();
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseRead, detail::RelationTo(actor, record)));
    record.body.clear();
    return record;
}

Result<void> CaseService::Authorize(const Actor& actor, Action action, std::string_view case_id) {
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case record, cases.Get(*tx, case_id));
    tx->Rollback();
    return Decide(actor, action, detail::RelationTo(actor, record));
}

Result<std::string> CaseService::SharedReference(std::string_view case_id) {
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case record, cases.Get(*tx, case_id));
    tx->Rollback();
    return record.origin_node + ":" + record.origin_id;
}

Result<std::string> CaseService::FromSharedReference(
    std::string_view reference, std::string_view peer
) {
    const auto colon = reference.find(':');
    if (colon == std::string_view::npos) {
        return MakeError(ErrorCode::kNotFound, "no case " + std::string(reference));
    }
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto found, cases.FindByOrigin(*tx, reference.substr(0, colon), reference.substr(colon + 1))
    );
    tx->Rollback();
    if (!found || found->peer_node != peer) {
        return MakeError(
            ErrorCode::kNotFound,
            "no case " + std::string(reference) + " shared with node " + std::string(peer)
        );
    }
    return found->id;
}

Result<RetentionFacts> CaseService::RetentionFactsOf(std::string_view case_id) {
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Case record, cases.Get(*tx, case_id));
    tx->Rollback();
    return RetentionFacts{
        record.instrument,
        record.direction == CaseDirection::kOut ? record.requested_party : record.requesting_party,
        detail::DataCategoriesOf(record.body)};
}

Result<std::vector<Case>> CaseService::Search(const Actor& actor, const CaseFilter& filter) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseRead));
    if (filter.due_before_ms && *filter.due_before_ms < 0) {
        return Invalid("deadline filter: due_before must not be before 1970");
    }
    if (filter.limit == 0 || filter.limit > kMaxPageSize) {
        return Invalid("limit must be 1-500");
    }
    for (std::string_view text :
         {filter.party,
          filter.request_type,
          filter.state,
          filter.offence,
          filter.number_contains,
          filter.unit}) {
        CONCORD_RETURN_IF_ERROR(CheckName("filter", text));
    }
    detail::CaseStore cases(store_.Backend());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    // Page through the matches and keep those the actor may read, so a page holds only cases
    // the caller may see and paging is over what they may see.
    std::vector<Case> out;
    CaseFilter page = filter;
    page.offset = 0;
    page.limit = kMaxPageSize;
    std::size_t visible = 0;
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(auto rows, cases.Search(*tx, page));
        for (Case& c : rows) {
            const Relation relation = detail::RelationTo(actor, c);
            bool may = false;
            for (Role role : actor.roles) {
                may = may || RoleMay(role, Action::kCaseRead, relation);
            }
            if (!may) {
                continue;
            }
            if (visible++ >= filter.offset) {
                out.push_back(std::move(c));
                if (out.size() == filter.limit) {
                    tx->Rollback();
                    return out;
                }
            }
        }
        if (rows.size() < page.limit) {
            break;
        }
        page.offset += page.limit;
    }
    tx->Rollback();
    return out;
}

Result<void> CaseService::OnReceived(
    store::Transaction& tx, const federation::ReceivedMessage& message
) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    return detail::ReceiveCaseMessage(ctx, tx, message);
}

std::vector<StepInput> PreservationConfirmationPath(const std::string& confirmation) {
    return {
        StepInput{"acknowledge", {}, {}},
        StepInput{"accept", {}, {}},
        StepInput{"execute", {}, {}},
        StepInput{"respond", {}, confirmation}};
}

Result<std::optional<StepsTaken>> CaseService::TakeStepsIn(
    store::Transaction& tx,
    const Actor& actor,
    std::string_view request_message_id,
    const std::vector<StepInput>& steps
) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(
        auto found, ctx.cases.FindIncomingByRequestMessage(tx, request_message_id)
    );
    if (!found) {
        return std::optional<StepsTaken>{};
    }
    Case c = std::move(*found);
    if (c.origin_id == c.request_message_id) {
        // A plain request (no case step): the sender has no case that the steps could move.
        return std::optional<StepsTaken>{};
    }
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kCaseTransition, detail::RelationTo(actor, c)));
    // Dry run over the lifecycle first, so that a path that does not fit writes nothing.
    std::size_t first = steps.size();
    std::string state = c.state;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const StepInput& step = steps[i];
        auto t = lifecycle_.Check(
            legal::StepRequest{
                state,
                step.transition,
                detail::OwnSide(c),
                c.instrument,
                c.request_type,
                step.grounds,
                step.reasons},
            catalog_
        );
        if (!t) {
            if (first == steps.size()) {
                continue;  // a step the case is already past (or not yet at: checked below)
            }
            return t.error();
        }
        if (first == steps.size()) {
            first = i;
        }
        if (!(*t)->to.empty()) {
            state = (*t)->to;
        }
    }
    if (first == steps.size()) {
        return legal::StepError(
            legal::StepRule::kWrongState,
            "no step of the path fits case " + c.id + " in state " + c.state
        );
    }
    std::vector<Sent> sent;
    for (std::size_t i = first; i < steps.size(); ++i) {
        CONCORD_RETURN_IF_ERROR(TakeLocal(ctx, tx, actor, c, steps[i], nullptr, sent));
    }
    StepsTaken taken;
    taken.record = c;
    if (!sent.empty()) {
        taken.last_message_id = sent.back().submitted.id;
    }
    auto shared = std::make_shared<std::vector<Sent>>(std::move(sent));
    taken.after_commit = [node, shared] {
        for (const Sent& s : *shared) {
            node->SubmitCommitted(s.message, s.submitted);
        }
    };
    return std::optional<StepsTaken>{std::move(taken)};
}

Result<void> CaseService::OnDelivered(std::string_view message_id) {
    CONCORD_ASSIGN_OR_RETURN(federation::Node * node, Attached(node_));
    CaseContext ctx(catalog_, lifecycle_, *node, store_.Backend(), hooks_);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto found, ctx.cases.FindByRequestMessage(*tx, message_id));
    if (!found) {
        return {};
    }
    Case& c = *found;
    auto t = lifecycle_.Check(
        legal::StepRequest{
            c.state, "deliver", legal::Side::kSystem, c.instrument, c.request_type, {}, {}},
        catalog_
    );
    if (!t) {
        return {};  // the peer's answer came first: the case is past "sent"
    }
    TimelineEntry entry;
    entry.at_ms = NowMillis();
    entry.actor = Actor::Node().Label();
    entry.transition = (*t)->id;
    entry.from_state = c.state;
    entry.to_state = (*t)->to;
    entry.version = c.version;
    entry.message_id = std::string(message_id);
    c.state = (*t)->to;
    c.updated_ms = entry.at_ms;
    CONCORD_RETURN_IF_ERROR(ctx.recorder.Record(*tx, c, entry, false, false));
    return tx->Commit();
}

}  // namespace concord::app
