// Technical assistance between nodes (docs/assistance.md "Between nodes"): a State's node sends
// its postings, withdrawals and engagement steps to its secretariat's node; the secretariat's
// node sends each engagement's state to the nodes its need and offer came from. Every message
// is a `notice` whose body has one member, `concord_assistance`.

#include <algorithm>
#include <memory>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "concord/app/technical_assistance.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/federation/node.hpp"

#include "assistance_tables.hpp"
#include "peer_refusal.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kMember = "concord_assistance";

Error Wire(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(why));
}

Result<std::string> Text(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return Wire(fmt::format("'{}' must be a string", key));
    }
    return std::string(v->as_string());
}

Result<std::int64_t> Integer(const boost::json::object& o, std::string_view key) {
    const boost::json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64()) {
        return Wire(fmt::format("'{}' must be an integer", key));
    }
    return v->as_int64();
}

Result<std::string> Id(const boost::json::object& o, std::string_view key) {
    CONCORD_ASSIGN_OR_RETURN(std::string id, Text(o, key));
    if (!IsUuidV7(id)) {
        return Wire(fmt::format("'{}' must be a UUIDv7", key));
    }
    return id;
}

Result<std::string> PartyCode(const boost::json::object& o, std::string_view key) {
    CONCORD_ASSIGN_OR_RETURN(std::string party, Text(o, key));
    const bool iso3166 = party.size() == 2 && party[0] >= 'A' && party[0] <= 'Z' &&
                         party[1] >= 'A' && party[1] <= 'Z';
    if (!iso3166) {
        return Wire(fmt::format("'{}' must be an ISO 3166-1 alpha-2 code", key));
    }
    return party;
}

// A posting as it travels: PostingJson without what each node keeps for itself.
boost::json::object PostingWire(const AssistancePosting& p) {
    boost::json::object o = PostingJson(p);
    for (std::string_view local : {"status", "created", "updated", "updated_by", "node"}) {
        o.erase(local);
    }
    return o;
}

// A posting as a peer sent it, held to the rules of one posted here.
Result<AssistancePosting> PostingFromWire(const boost::json::value* v) {
    if (v == nullptr || !v->is_object()) {
        return Wire("'posting' must be an object");
    }
    const boost::json::object& o = v->as_object();
    AssistancePosting p;
    CONCORD_ASSIGN_OR_RETURN(p.id, Id(o, "id"));
    CONCORD_ASSIGN_OR_RETURN(std::string kind, Text(o, "kind"));
    CONCORD_ASSIGN_OR_RETURN(p.kind, detail::PostingKindNamed(kind));
    CONCORD_ASSIGN_OR_RETURN(p.party, PartyCode(o, "party"));
    AssistancePostingInput in;
    CONCORD_ASSIGN_OR_RETURN(in.topic, Text(o, "topic"));
    const boost::json::value* languages = o.if_contains("languages");
    if (languages == nullptr || !languages->is_array()) {
        return Wire("'languages' must be an array");
    }
    for (const boost::json::value& l : languages->as_array()) {
        if (!l.is_string()) {
            return Wire("'languages' must hold strings");
        }
        in.languages.emplace_back(l.as_string());
        if (in.languages.size() > 10) {
            break;  // CheckPostingInput refuses the list
        }
    }
    CONCORD_ASSIGN_OR_RETURN(in.from, Text(o, "from"));
    CONCORD_ASSIGN_OR_RETURN(in.to, Text(o, "to"));
    CONCORD_ASSIGN_OR_RETURN(in.description, Text(o, "description"));
    CONCORD_RETURN_IF_ERROR(detail::CheckPostingInput(in));
    p.topic = std::move(in.topic);
    p.languages = std::move(in.languages);
    p.from = std::move(in.from);
    p.to = std::move(in.to);
    p.description = std::move(in.description);
    return p;
}

boost::json::object EngagementWire(const AssistanceEngagement& e) {
    return {
        {"id", e.id},
        {"need", e.need_id},
        {"offer", e.offer_id},
        {"topic", e.topic},
        {"beneficiary", e.beneficiary},
        {"provider", e.provider},
        {"state", EngagementStateName(e.state)},
        {"revision", e.revision},
        {"evaluation_score", e.evaluation_score},
        {"evaluation_comment", e.evaluation_comment},
        {"cancel_reason", e.cancel_reason},
        {"created_ms", e.created_ms}};
}

Result<AssistanceEngagement> EngagementFromWire(const boost::json::value* v) {
    if (v == nullptr || !v->is_object()) {
        return Wire("'engagement' must be an object");
    }
    const boost::json::object& o = v->as_object();
    AssistanceEngagement e;
    CONCORD_ASSIGN_OR_RETURN(e.id, Id(o, "id"));
    CONCORD_ASSIGN_OR_RETURN(e.need_id, Id(o, "need"));
    CONCORD_ASSIGN_OR_RETURN(e.offer_id, Id(o, "offer"));
    CONCORD_ASSIGN_OR_RETURN(e.topic, Text(o, "topic"));
    CONCORD_ASSIGN_OR_RETURN(e.beneficiary, PartyCode(o, "beneficiary"));
    CONCORD_ASSIGN_OR_RETURN(e.provider, PartyCode(o, "provider"));
    CONCORD_ASSIGN_OR_RETURN(std::string state, Text(o, "state"));
    CONCORD_ASSIGN_OR_RETURN(e.state, detail::EngagementStateNamed(state));
    CONCORD_ASSIGN_OR_RETURN(e.revision, Integer(o, "revision"));
    CONCORD_ASSIGN_OR_RETURN(e.evaluation_score, Integer(o, "evaluation_score"));
    CONCORD_ASSIGN_OR_RETURN(e.evaluation_comment, Text(o, "evaluation_comment"));
    CONCORD_ASSIGN_OR_RETURN(e.cancel_reason, Text(o, "cancel_reason"));
    CONCORD_ASSIGN_OR_RETURN(e.created_ms, Integer(o, "created_ms"));
    if (e.revision < 1) {
        return Wire("'revision' must be at least 1");
    }
    // The state's own facts, held to the rules of the step that made them.
    if (e.state == EngagementState::kEvaluated) {
        CONCORD_RETURN_IF_ERROR(detail::CheckEngagementStep(EngagementStep{
            "evaluate", e.evaluation_score, e.evaluation_comment}));
    } else if (e.evaluation_score != 0 || !e.evaluation_comment.empty()) {
        return Wire("only an evaluated engagement has an evaluation");
    }
    if (e.state == EngagementState::kCancelled) {
        CONCORD_RETURN_IF_ERROR(detail::CheckEngagementStep(EngagementStep{
            "cancel", 0, e.cancel_reason}));
    } else if (!e.cancel_reason.empty()) {
        return Wire("only a cancelled engagement has a cancel reason");
    }
    return e;
}

}  // namespace

void TechnicalAssistance::Attach(federation::Node* node, std::string secretariat_node) {
    node_ = node;
    secretariat_node_ = secretariat_ ? std::string{} : std::move(secretariat_node);
}

Result<void> TechnicalAssistance::Submit(
    store::Transaction& tx, const std::string& to, boost::json::object op, Pending& out
) {
    federation::OutgoingMessage message;
    message.to = to;
    message.type = "notice";
    message.body_json = boost::json::serialize(boost::json::object{{kMember, std::move(op)}});
    CONCORD_ASSIGN_OR_RETURN(federation::Submitted submitted, node_->SubmitIn(tx, message));
    out.sent.emplace_back(std::move(message), std::move(submitted));
    return {};
}

Result<void> TechnicalAssistance::SendPosting(
    store::Transaction& tx, const AssistancePosting& p, bool withdrawn, Pending& out
) {
    if (node_ == nullptr || secretariat_node_.empty() || p.party != party_) {
        return {};
    }
    // A withdrawal carries the whole posting: if it overtakes its post on the way, the
    // secretariat's node records the posting withdrawn.
    return Submit(
        tx,
        secretariat_node_,
        boost::json::object{{"op", withdrawn ? "withdraw" : "post"}, {"posting", PostingWire(p)}},
        out
    );
}

Result<void> TechnicalAssistance::SendStep(
    store::Transaction& tx, const AssistanceEngagement& e, const EngagementStep& step, Pending& out
) {
    if (node_ == nullptr || secretariat_node_.empty() || e.revision == 0) {
        return {};
    }
    return Submit(
        tx,
        secretariat_node_,
        boost::json::object{
            {"op", "step"},
            {"engagement", e.id},
            {"step", step.step},
            {"score", step.score},
            {"comment", step.comment}},
        out
    );
}

Result<void> TechnicalAssistance::SendEngagement(
    store::Transaction& tx, const AssistanceEngagement& e, Pending& out, std::string_view only_to
) {
    if (node_ == nullptr || !secretariat_) {
        return {};
    }
    CONCORD_ASSIGN_OR_RETURN(auto need, detail::FindPosting(tx, e.need_id));
    CONCORD_ASSIGN_OR_RETURN(auto offer, detail::FindPosting(tx, e.offer_id));
    if (!need || !offer) {
        return MakeError(ErrorCode::kInternal, "engagement " + e.id + " lost its need or offer");
    }
    // A node the directory no longer lists (or revoked) gets nothing: the engagement goes on
    // between the others.
    const std::shared_ptr<const federation::Directory> directory = node_->Directory();
    std::vector<std::string> nodes;
    for (const AssistancePosting* p : {&*need, &*offer}) {
        const std::string& to = p->origin_node;
        if (to.empty() || (!only_to.empty() && to != only_to) ||
            std::find(nodes.begin(), nodes.end(), to) != nodes.end()) {
            continue;
        }
        const federation::NodeEntry* entry = directory->FindNode(to);
        if (entry == nullptr || entry->revoked) {
            log::Warning(
                "assistance engagement not sent",
                {{"engagement", e.id}, {"to", to}, {"reason", "not in the directory or revoked"}}
            );
            continue;
        }
        nodes.push_back(to);
    }
    for (const std::string& to : nodes) {
        CONCORD_RETURN_IF_ERROR(Submit(
            tx,
            to,
            boost::json::object{
                {"op", "engagement"},
                {"engagement", EngagementWire(e)},
                {"need", PostingWire(*need)},
                {"offer", PostingWire(*offer)}},
            out
        ));
    }
    return {};
}

// In the intake transaction: what cannot be submitted (the message policy refuses it) is an
// audit leaf, never an intake error, which would make the peer resend its message for days;
// what was submitted is handed to delivery once the intake commits.
Result<void> TechnicalAssistance::SendFromIntake(
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    const AssistanceEngagement& e,
    std::string_view only_to
) {
    Pending pending;
    auto sent = SendEngagement(tx, e, pending, only_to);
    if (!sent) {
        const ErrorCode code = sent.error().code;
        if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kPermissionDenied) {
            return sent.error();
        }
        CONCORD_ASSIGN_OR_RETURN(
            auto index,
            append_leaf_(
                tx,
                detail::PeerRefusal(
                    "assistance.unsent",
                    "assistance engagement not sent",
                    m,
                    "engagement " + e.id + ": " + sent.error().message
                )
            )
        );
        (void)index;
        return {};
    }
    tx.OnCommit([this, pending]() mutable { Flush(pending); });
    return {};
}

void TechnicalAssistance::Flush(Pending& sent) {
    for (const auto& [message, submitted] : sent.sent) {
        node_->SubmitCommitted(message, submitted);
    }
    sent.sent.clear();
}

Result<void> TechnicalAssistance::Refuse(
    store::Transaction& tx, const federation::ReceivedMessage& m, std::string_view why
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto index,
        append_leaf_(
            tx, detail::PeerRefusal("assistance.refused", "assistance message refused", m, why)
        )
    );
    (void)index;
    return {};
}

Result<void> TechnicalAssistance::OnReceived(
    store::Transaction& tx, const federation::ReceivedMessage& m
) {
    if (m.type != "notice" || node_ == nullptr) {
        return {};
    }
    boost::system::error_code ec;
    const boost::json::value body = boost::json::parse(m.body, ec);
    if (ec || !body.is_object() || !body.as_object().contains(kMember)) {
        return {};
    }
    const boost::json::value& member = body.as_object().at(kMember);
    if (!member.is_object()) {
        return Refuse(tx, m, "'concord_assistance' must be an object");
    }
    const boost::json::object& o = member.as_object();
    auto op = Text(o, "op");
    if (!op) {
        return Refuse(tx, m, op.error().message);
    }
    if (*op == "engagement") {
        if (secretariat_node_.empty() || m.from != secretariat_node_) {
            return Refuse(tx, m, "engagements are taken only from this node's secretariat's node");
        }
        return ReceiveEngagement(tx, m, o);
    }
    if (*op != "post" && *op != "withdraw" && *op != "step") {
        return Refuse(tx, m, fmt::format("unknown op '{}'", detail::Shortened(*op, 40)));
    }
    if (!secretariat_) {
        return Refuse(tx, m, "this node is not a secretariat's; it takes no '" + *op + "'");
    }
    // The directory is held while its entry is read: a reload may replace it meanwhile.
    const std::shared_ptr<const federation::Directory> directory = node_->Directory();
    const federation::NodeEntry* sender = directory->FindNode(m.from);
    if (sender == nullptr) {
        return Refuse(tx, m, "the sender is not in the directory");
    }
    if (*op == "step") {
        return ReceiveStep(tx, m, sender->party, o);
    }
    return ReceivePosting(tx, m, sender->party, o);
}

Result<void> TechnicalAssistance::ReceivePosting(
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    const std::string& party,
    const boost::json::object& o
) {
    const std::string by = "peer:" + m.from;
    if (o.at("op").as_string() == "post") {
        auto posted = PostingFromWire(o.if_contains("posting"));
        if (!posted) {
            return Refuse(tx, m, posted.error().message);
        }
        AssistancePosting p = std::move(*posted);
        if (p.party != party) {
            return Refuse(
                tx,
                m,
                fmt::format("a node posts for its own party ({}), not for {}", party, p.party)
            );
        }
        CONCORD_ASSIGN_OR_RETURN(auto known, detail::FindPosting(tx, p.id));
        if (known) {
            return Refuse(tx, m, "posting " + p.id + " is already recorded");
        }
        p.origin_node = m.from;
        p.created_ms = m.received_ms;
        p.updated_ms = m.received_ms;
        p.updated_by = by;
        CONCORD_RETURN_IF_ERROR(detail::InsertPosting(tx, p));
        boost::json::object leaf = detail::PostingLeaf("assistance.posted", p);
        leaf["from_node"] = m.from;
        CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(tx, leaf));
        (void)index;
        return {};
    }
    auto withdrawn = PostingFromWire(o.if_contains("posting"));
    if (!withdrawn) {
        return Refuse(tx, m, withdrawn.error().message);
    }
    if (withdrawn->party != party) {
        return Refuse(tx, m, fmt::format("no posting {} of {}", withdrawn->id, party));
    }
    CONCORD_ASSIGN_OR_RETURN(auto known, detail::FindPosting(tx, withdrawn->id));
    if (!known) {
        // The withdrawal overtook its post: the posting is recorded withdrawn, and the post
        // that follows is refused as recorded already.
        known = std::move(*withdrawn);
        known->status = PostingStatus::kOpen;
        known->origin_node = m.from;
        known->created_ms = m.received_ms;
        known->updated_ms = m.received_ms;
        known->updated_by = by;
        CONCORD_RETURN_IF_ERROR(detail::InsertPosting(tx, *known));
    } else if (known->party != party) {
        return Refuse(tx, m, fmt::format("no posting {} of {}", known->id, party));
    }
    AssistancePosting p = std::move(*known);
    if (p.status != PostingStatus::kOpen) {
        return Refuse(
            tx,
            m,
            fmt::format(
                "posting {} is {}; only an open posting is withdrawn",
                p.id,
                PostingStatusName(p.status)
            )
        );
    }
    p.status = PostingStatus::kWithdrawn;
    p.updated_ms = m.received_ms;
    p.updated_by = by;
    CONCORD_RETURN_IF_ERROR(detail::SetPostingStatus(
        tx, p.id, PostingStatus::kOpen, p.status, p.updated_ms, p.updated_by
    ));
    boost::json::object leaf = detail::PostingLeaf("assistance.withdrawn", p);
    leaf["from_node"] = m.from;
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(tx, leaf));
    (void)index;
    return {};
}

Result<void> TechnicalAssistance::ReceiveStep(
    store::Transaction& tx,
    const federation::ReceivedMessage& m,
    const std::string& party,
    const boost::json::object& o
) {
    EngagementStep step;
    auto id = Id(o, "engagement");
    auto name = Text(o, "step");
    auto score = Integer(o, "score");
    auto comment = Text(o, "comment");
    for (const Error* e :
         {id ? nullptr : &id.error(),
          name ? nullptr : &name.error(),
          score ? nullptr : &score.error(),
          comment ? nullptr : &comment.error()}) {
        if (e != nullptr) {
            return Refuse(tx, m, e->message);
        }
    }
    step = EngagementStep{*name, *score, *comment};
    if (auto checked = detail::CheckEngagementStep(step); !checked) {
        return Refuse(tx, m, checked.error().message);
    }
    CONCORD_ASSIGN_OR_RETURN(auto known, detail::FindEngagement(tx, *id));
    if (!known || (known->beneficiary != party && known->provider != party)) {
        return Refuse(tx, m, fmt::format("no engagement {} of {}", *id, party));
    }
    AssistanceEngagement e = std::move(*known);
    auto from = detail::ApplyEngagementStep(e, step);
    if (!from) {
        // The sender's node took the step already; it gets the secretariat's view back.
        CONCORD_RETURN_IF_ERROR(Refuse(tx, m, from.error().message));
        CONCORD_ASSIGN_OR_RETURN(auto held, detail::FindEngagement(tx, *id));
        return SendFromIntake(tx, m, *held, m.from);
    }
    e.updated_ms = m.received_ms;
    e.updated_by = "peer:" + m.from;
    ++e.revision;
    CONCORD_RETURN_IF_ERROR(detail::UpdateEngagement(tx, e, *from));
    CONCORD_RETURN_IF_ERROR(detail::FollowEngagement(tx, e));
    boost::json::object leaf = detail::StepLeaf(e, *from);
    leaf["from_node"] = m.from;
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(tx, leaf));
    (void)index;
    return SendFromIntake(tx, m, e);
}

Result<void> TechnicalAssistance::ReceiveEngagement(
    store::Transaction& tx, const federation::ReceivedMessage& m, const boost::json::object& o
) {
    auto sent = EngagementFromWire(o.if_contains("engagement"));
    if (!sent) {
        return Refuse(tx, m, sent.error().message);
    }
    AssistanceEngagement e = std::move(*sent);
    if (e.beneficiary != party_ && e.provider != party_) {
        return Refuse(tx, m, "engagement " + e.id + " is not " + party_ + "'s");
    }
    auto need = PostingFromWire(o.if_contains("need"));
    auto offer = PostingFromWire(o.if_contains("offer"));
    if (!need || !offer) {
        return Refuse(tx, m, (need ? offer.error() : need.error()).message);
    }
    if (need->id != e.need_id || offer->id != e.offer_id || need->kind != PostingKind::kNeed ||
        offer->kind != PostingKind::kOffer || need->party != e.beneficiary ||
        offer->party != e.provider || need->topic != e.topic || offer->topic != e.topic) {
        return Refuse(tx, m, "the need and the offer do not match the engagement");
    }
    e.updated_ms = m.received_ms;
    e.updated_by = "peer:" + m.from;
    // The postings: this party's own are here already (unless the secretariat recorded them);
    // the other party's arrive with the engagement.
    for (AssistancePosting* p : {&*need, &*offer}) {
        CONCORD_ASSIGN_OR_RETURN(auto known, detail::FindPosting(tx, p->id));
        if (!known) {
            p->status = PostingStatus::kMatched;
            p->origin_node = m.from;
            p->created_ms = m.received_ms;
            p->updated_ms = m.received_ms;
            p->updated_by = e.updated_by;
            CONCORD_RETURN_IF_ERROR(detail::InsertPosting(tx, *p));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(auto held, detail::FindEngagement(tx, e.id));
    if (held && held->revision > e.revision) {
        return {};  // an older view that arrived late
    }
    const EngagementState from = held ? held->state : EngagementState::kAgreed;
    if (held) {
        e.created_ms = held->created_ms;
        CONCORD_RETURN_IF_ERROR(detail::UpdateEngagement(tx, e, held->state));
    } else {
        CONCORD_RETURN_IF_ERROR(detail::InsertEngagement(tx, e));
    }
    CONCORD_RETURN_IF_ERROR(detail::FollowEngagement(tx, e));
    if (held && held->state == e.state) {
        return {};  // nothing changed here but the revision
    }
    // The same revision in another state: the secretariat's node refused the step this node
    // took, and its view replaces it.
    const bool refused = held && held->revision == e.revision;
    boost::json::object leaf =
        !held
            ? boost::json::
                  object{{"event", "assistance.engaged"}, {"engagement", e.id}, {"need", e.need_id}, {"offer", e.offer_id}, {"beneficiary", e.beneficiary}, {"provider", e.provider}, {"topic", e.topic}}
            : detail::StepLeaf(e, from);
    if (refused) {
        leaf["event"] = "assistance.step_refused";
    }
    leaf["from_node"] = m.from;
    leaf["revision"] = e.revision;
    CONCORD_ASSIGN_OR_RETURN(auto index, append_leaf_(tx, leaf));
    (void)index;
    return {};
}

}  // namespace concord::app
