// The peer's side of a case: what an incoming case message means, applied inside the intake
// transaction (NodeOptions::on_received).
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/id.hpp"
#include "concord/core/log.hpp"

#include "case_approvals.hpp"
#include "case_context.hpp"
#include "case_wire.hpp"

namespace concord::app::detail {
namespace {

std::string Member(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string{};
}

void Ignore(const federation::ReceivedMessage& m, std::string_view why) {
    log::Warning(
        "case message ignored",
        {{"message", m.id}, {"from", m.from}, {"type", m.type}, {"reason", std::string(why)}}
    );
}

// The peer's step `s` is the next one of `c`: apply it, or record it as refused.
Result<void> Apply(
    CaseContext& ctx,
    store::Transaction& tx,
    Case& c,
    const CaseStep& s,
    const std::string& sender,
    const std::string& message_id,
    std::int64_t at_ms
) {
    auto checked = ctx.lifecycle.Check(
        legal::StepRequest{
            c.state, s.transition, PeerSide(c), c.instrument, c.request_type, s.grounds, s.reasons},
        ctx.catalog
    );
    TimelineEntry entry;
    entry.at_ms = at_ms;
    entry.actor = "peer:" + sender;
    entry.from_state = c.state;
    entry.grounds = s.grounds;
    entry.reasons = s.reasons;
    entry.version = s.version;
    entry.message_id = message_id;
    if (checked && (*checked)->crosses) {
        entry.transition = s.transition;
        entry.to_state = (*checked)->to.empty() ? c.state : (*checked)->to;
    } else {
        // Invalid in this node's view: recorded, never an intake error. The step's version is
        // used up, so the steps after it are not held forever.
        entry.transition = "transition_refused";
        entry.to_state = c.state;
        entry.reasons = s.transition + ": " +
                        (checked ? std::string("does not cross parties") : checked.error().message);
    }
    c.state = entry.to_state;
    c.version = s.version;
    if (c.peer_number.empty()) {
        c.peer_number = s.number;
    }
    c.updated_ms = at_ms;
    // A refused step reaches the hooks as "transition_refused", which no hook reads details of.
    return ctx.recorder.RecordStep(tx, c, entry, true, s.details);
}

// Applies the held steps that follow `c`'s version, in order.
Result<void> Drain(CaseContext& ctx, store::Transaction& tx, Case& c) {
    for (;;) {
        CONCORD_ASSIGN_OR_RETURN(
            auto held, ctx.cases.TakeStep(tx, c.origin_node, c.origin_id, c.version + 1)
        );
        if (!held) {
            return {};
        }
        boost::system::error_code ec;
        boost::json::value body = boost::json::parse(held->body, ec);
        auto step = !ec && body.is_object() ? DecodeStep(body.as_object())
                                            : Result<std::optional<CaseStep>>(std::nullopt);
        if (!step || !*step) {
            return MakeError(ErrorCode::kCorruption, "held case step is not a step");
        }
        CONCORD_RETURN_IF_ERROR(
            Apply(ctx, tx, c, **step, held->sender, held->message_id, held->received_ms)
        );
    }
}

Result<Case> CreateIncoming(
    CaseContext& ctx,
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    boost::json::object request,
    const std::optional<CaseStep>& step
) {
    const CarriedApproval carried = DecodeApproval(request);
    request.erase(kCaseMember);
    auto dir = ctx.node.Directory();
    const federation::NodeEntry* sender = dir->FindNode(m.from);
    auto own = OwnParty(ctx.node);
    const std::string own_party = own ? *own : std::string("CASE");
    Case c;
    c.id = NewUuidV7();
    c.origin_node = m.from;
    c.origin_id = step ? step->origin_id : m.id;
    c.direction = CaseDirection::kIn;
    c.instrument = Member(request, "instrument");
    c.request_type = Member(request, "type");
    c.peer_node = m.from;
    c.requesting_party = sender != nullptr ? sender->party : Member(request, "requesting_party");
    c.requested_party = own_party;
    const legal::Transition* deliver = ctx.lifecycle.Find("deliver");
    const legal::Transition* send = ctx.lifecycle.Find("send");
    c.state = deliver != nullptr ? deliver->to
              : send != nullptr  ? send->to
                                 : ctx.lifecycle.Initial();
    c.version = 1;
    c.priority = m.priority == federation::Priority::kEmergency ? "emergency" : "normal";
    c.drafted_by = "peer:" + m.from;
    c.offence = FirstOffence(request);
    c.peer_number = step ? step->number : std::string{};
    c.request_message_id = m.id;
    c.created_ms = m.received_ms;
    c.updated_ms = m.received_ms;
    c.body = boost::json::serialize(request);
    CONCORD_ASSIGN_OR_RETURN(
        c.number, ctx.cases.NextNumber(tx, NumberPrefix(own_party, m.received_ms))
    );
    TimelineEntry entry;
    entry.at_ms = m.received_ms;
    entry.actor = "peer:" + m.from;
    entry.transition = "received";
    entry.to_state = c.state;
    entry.version = c.version;
    entry.message_id = m.id;
    CONCORD_RETURN_IF_ERROR(ctx.recorder.Record(tx, c, entry, true, true));
    // Recorded whatever the approval's state: the receiving authority must see forged attempts.
    CONCORD_RETURN_IF_ERROR(CheckIncomingApproval(ctx, tx, m, c, request, step, carried));
    return c;
}

}  // namespace

Result<void> ReceiveCaseMessage(
    CaseContext& ctx, store::Transaction& tx, const federation::ReceivedMessage& m
) {
    if (m.type != "request" && m.type != "notice") {
        return {};
    }
    boost::system::error_code ec;
    boost::json::value body = boost::json::parse(m.body, ec);
    if (ec || !body.is_object()) {
        Ignore(m, "body is not a JSON object");
        return {};
    }
    auto decoded = DecodeStep(body.as_object());
    if (!decoded) {
        Ignore(m, decoded.error().message);
        return {};
    }
    if (!*decoded) {
        if (m.type == "request") {
            CONCORD_RETURN_IF_ERROR(CreateIncoming(ctx, tx, m, body.as_object(), std::nullopt));
        }
        return {};
    }
    const CaseStep& s = **decoded;
    if (s.origin_node != m.from && s.origin_node != ctx.node.Id()) {
        Ignore(m, "a case between other nodes");
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(auto found, ctx.cases.FindByOrigin(tx, s.origin_node, s.origin_id));
    if (!found) {
        if (s.origin_node != m.from) {
            Ignore(m, "no such case of this node");
            return {};
        }
        if (s.version > 1) {
            // A step overtook the request it follows: hold it until the request arrives.
            return ctx.cases.HoldStep(
                tx,
                s.origin_node,
                s.origin_id,
                s.version,
                PendingStep{m.from, m.id, m.body, m.received_ms}
            );
        }
        if (m.type != "request" || s.transition != "send") {
            Ignore(m, "a case starts with its request");
            return {};
        }
        CONCORD_ASSIGN_OR_RETURN(Case c, CreateIncoming(ctx, tx, m, body.as_object(), s));
        return Drain(ctx, tx, c);
    }
    Case c = std::move(*found);
    if (c.peer_node != m.from) {
        Ignore(m, "the sender is not the other party of the case");
        return {};
    }
    if (s.version <= c.version) {
        return {};  // a step this node has already applied
    }
    if (s.version > c.version + 1) {
        return ctx.cases.HoldStep(
            tx,
            s.origin_node,
            s.origin_id,
            s.version,
            PendingStep{m.from, m.id, m.body, m.received_ms}
        );
    }
    CONCORD_RETURN_IF_ERROR(Apply(ctx, tx, c, s, m.from, m.id, m.received_ms));
    return Drain(ctx, tx, c);
}

}  // namespace concord::app::detail
