#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/case.hpp"
#include "concord/app/hearing.hpp"
#include "concord/app/obligation.hpp"
#include "concord/app/policy.hpp"
#include "concord/app/retention_policy.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/legal/lifecycle.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// A state change of a case, as the hooks see it.
struct StateChange {
    std::string transition;  ///< lifecycle transition, or "received" for a new incoming case
    std::string from_state;  ///< empty for a new case
    std::string to_state;
    std::string actor;  ///< actor label, "peer:<node>" for the other party
    std::int64_t at_ms{0};
    bool from_peer{false};
    std::vector<std::string> grounds;  ///< of a refusal or postponement
    std::string reasons;
    /// The facts the step carries besides its reasons (a hearing's, docs/cases.md "Hearings");
    /// from the peer, bounded in size but not checked: the hook that reads them checks them.
    boost::json::object details{};
};

/// Where other parts of the use-case layer plug into case steps. Each runs inside the step's
/// transaction; its error rolls the whole step back (and fails an intake with 503, so the peer
/// retries: return errors only for store failures there).
struct CaseHooks {
    /// Approval: may add members to the body of the request message before it is sealed (the
    /// approver's signature and certificate travel there).
    std::function<Result<void>(
        store::Transaction&, const Case&, const Actor& approver, boost::json::object& request_body
    )>
        on_approve;
    /// Every state change, local or from the peer (deadlines start, stop or are suspended here).
    std::function<Result<void>(store::Transaction&, const Case&, const StateChange&)>
        on_state_change;
};

/// What an officer drafts.
struct DraftInput {
    std::string request_json;  ///< a legal request (docs/legal-data.md); checked by legal
    std::string peer_node;     ///< the requested party's node
    std::string priority{"normal"};
    std::string unit;  ///< empty: the drafter's unit
    /// An incoming case this request relays to a service provider of this node's own party (a
    /// 24/7 point forwarding a foreign preservation request): the request then names the
    /// incoming case's requesting party and this node's party, and `peer_node` must be a
    /// service_provider of this node's party. Empty: an ordinary outgoing request.
    std::string relay_of{};
};

/// A step somebody takes on a case.
struct StepInput {
    std::string transition;
    std::vector<std::string> grounds;
    std::string reasons;
    /// Facts of the step (a hearing's proposal, agreed time or record; docs/cases.md
    /// "Hearings"), at most 16384 bytes serialized; they travel with the step.
    boost::json::object details{};
};

/// The approver's signed approval of a case's request (docs/cases.md "Signed approvals"): on
/// the sending node what was signed, on the receiving node what its verification found.
struct CaseApproval {
    /// "signed" (outgoing: made and checked by this node), "verified" (incoming: every link of
    /// the chain holds), "missing" (incoming: the request carried none) or "failed" (incoming:
    /// a link is broken or the approval is malformed).
    std::string status;
    std::string failure;          ///< "failed": the ApprovalFailureCode ("bad_signature", ...)
    std::string description;      ///< "signed"/"verified": DescribeApproval; "failed": why
    std::string approver;         ///< "signed"/"verified": the approver's login at the issuing node
    std::int64_t approved_ms{0};  ///< "signed"/"verified": when the approver signed
    /// An emergency request whose approval is missing or failed: shown as an alert.
    bool alert{false};
    std::string text;  ///< the approval as signed or received (empty when missing)
    std::int64_t checked_ms{0};
};

/// Steps a use case took inside its caller's transaction (CaseService::TakeStepsIn).
struct StepsTaken {
    Case record;                  ///< the case after the steps
    std::string last_message_id;  ///< the federation message of the last step that crossed
    /// Hands the steps' messages to delivery: call it once, after the transaction committed.
    std::function<void()> after_commit;
};

/// A case with its history and notes.
struct CaseView {
    Case record;
    std::vector<TimelineEntry> timeline;
    std::vector<CaseNote> notes;
    /// The request's approval; nullopt for a draft, or a case sent or received before approvals
    /// were recorded.
    std::optional<CaseApproval> approval;
    /// The obligation to extradite or prosecute a refusal of the case opened, if any
    /// (CaseObligations).
    std::optional<CaseObligation> obligation;
    /// The hearing of a video_hearing case, once a time was proposed (docs/cases.md "Hearings").
    std::optional<Hearing> hearing;
};

/// The case use cases (docs/cases.md). Each one is one store transaction: permission
/// (Decide), lifecycle rule, case row, timeline, typed domain event, audit leaf naming the
/// actor and, for a step that crosses parties, the federation message (Node::SubmitIn); after
/// the commit the message is handed to delivery (SubmitCommitted).
///
/// Errors: kPermissionDenied (policy), kNotFound (no such case), kInvalidArgument for a refused
/// step, whose message starts with the legal::StepRule name (legal::StepRuleOf reads it), or for
/// bad input; store errors as the store reports them. A refused step changes nothing.
///
/// Thread-safety: thread-safe (all state is in the store). Never call a use case from inside a
/// transaction of the same store (SQLite runs one at a time).
class CaseService {
public:
    /// Tables of cases, timelines, notes, held steps and domain events.
    static std::vector<store::Migration> Migrations();

    /// `store`, `catalog` and `lifecycle` must outlive the service.
    CaseService(
        store::Store& store,
        const legal::Catalog& catalog,
        const legal::Lifecycle& lifecycle,
        CaseHooks hooks = {}
    );

    /// Makes Approve sign: the approver's own key (UserKeys, sealed under a key derived from
    /// `node_key`) signs the canonical request and the node certifies that key (UserCertifier
    /// with `options`); the approval travels in the request message. From then on only a person
    /// can approve (the node itself has no key: kPermissionDenied "approval_unsigned").
    /// kInvalidArgument if the options are unusable. Call before the service is used.
    Result<void> SignApprovals(const crypto::SigningKey& node_key, CertifierOptions options);

    /// The node whose messages carry the cases; set before the node starts (its on_received
    /// calls OnReceived) and again after it is reopened.
    void Attach(federation::Node* node) { node_ = node; }

    /// Saves a draft of an outgoing request (kCaseCreate). The request must pass the legal
    /// check and name the parties of this node and of `peer_node` as the directory lists them.
    Result<Case> Draft(const Actor& actor, const DraftInput& input);
    /// Approves a draft and sends it (kCaseApprove): approver ≠ drafter ("self_approval").
    Result<Case> Approve(const Actor& actor, std::string_view case_id);
    /// Takes a lifecycle step (kCaseTransition); "approve" is Approve; "return" (a draft back to
    /// its drafter, with reasons) needs kCaseApprove and is not the drafter's; "revise" is Revise.
    Result<Case> Transition(const Actor& actor, std::string_view case_id, const StepInput& step);
    /// Replaces the request of a draft or returned draft (kCaseEdit) with `request_json`, checked
    /// again as Draft checks it and naming the case's parties; the case is a draft again and the
    /// reviser its drafter (so the reviser cannot approve it).
    Result<Case> Revise(
        const Actor& actor, std::string_view case_id, const std::string& request_json
    );
    /// Assigns the case to a unit and an officer (kCaseEdit; an empty value leaves it).
    Result<Case> Assign(
        const Actor& actor,
        std::string_view case_id,
        std::string_view unit,
        std::string_view assignee
    );
    /// Adds a note (kCaseEdit); at most 20000 bytes of UTF-8.
    Result<CaseNote> AddNote(const Actor& actor, std::string_view case_id, std::string_view text);
    /// The case with its request, timeline and notes (kCaseRead). The request holds personal
    /// data: the read is recorded (`case.read`, an access record) in the same transaction.
    Result<CaseView> Read(const Actor& actor, std::string_view case_id);
    /// The case's summary fields, as a search lists them: `body` (the request) is left empty, so
    /// nothing is recorded as read (kCaseRead).
    Result<Case> Summary(const Actor& actor, std::string_view case_id);
    /// Whether `actor` may do `action` on the case `case_id`, as the policy table decides for the
    /// case's relation to the caller. The seam through which other use cases check access to a
    /// case (evidence: CaseAccess). kNotFound, kPermissionDenied.
    Result<void> Authorize(const Actor& actor, Action action, std::string_view case_id);
    /// Cases matching `filter` that `actor` may read, newest first.
    Result<std::vector<Case>> Search(const Actor& actor, const CaseFilter& filter);

    /// How both nodes of a case name it: "<origin node>:<origin's case id>" (the evidence
    /// manifest's `case`). kNotFound for an unknown case.
    Result<std::string> SharedReference(std::string_view case_id);
    /// The local case that `reference` (as SharedReference writes it) names, if `peer` is the
    /// other node of that case; kNotFound otherwise (an unknown case, or one `peer` is not in).
    Result<std::string> FromSharedReference(std::string_view reference, std::string_view peer);
    /// What the evidence retention rules look at in the case `case_id`: its instrument, the other
    /// party and the data categories of its request (EvidenceService's CaseLinks::facts).
    /// kNotFound for an unknown case.
    Result<RetentionFacts> RetentionFactsOf(std::string_view case_id);

    /// For NodeOptions::on_received: inside the intake transaction, creates the incoming case of
    /// a new request or applies the peer's step to its case, in the order of the case's version
    /// (a step that arrives early is held until its turn); a repeated step changes nothing, and
    /// a step invalid in this node's view is recorded as "transition_refused". Errors are store
    /// errors only.
    Result<void> OnReceived(store::Transaction& tx, const federation::ReceivedMessage& message);
    /// The node's own steps on the incoming case that the request message `request_message_id`
    /// opened, inside the caller's transaction `tx` (the provider's automatic confirmation of a
    /// preservation order, docs/cases.md). Steps the case is already past are skipped: the first
    /// step taken is the first one the lifecycle allows from the case's state, and each later one
    /// must follow. Each is taken by `actor` as Transition would take it (policy, lifecycle,
    /// timeline, audit leaf, hooks, the message to the peer written into `tx`). nullopt when that
    /// message opened no case, or opened it
    /// as a plain request that carried no case step, so the sender has no case to move (nothing
    /// changed). kInvalidArgument (a StepRule) when the steps do
    /// not fit the case's state, checked before anything is written. Does not commit; the caller
    /// commits `tx`, then calls `after_commit`.
    Result<std::optional<StepsTaken>> TakeStepsIn(
        store::Transaction& tx,
        const Actor& actor,
        std::string_view request_message_id,
        const std::vector<StepInput>& steps
    );
    /// For the `message.delivered` event: the request's receipt moves the case from sent to
    /// delivered (by the node). Opens its own transaction.
    Result<void> OnDelivered(std::string_view message_id);

private:
    Result<Case> ApproveWith(const Actor& actor, std::string_view case_id, const StepInput& step);

    store::Store& store_;
    const legal::Catalog& catalog_;
    const legal::Lifecycle& lifecycle_;
    CaseHooks hooks_;
    federation::Node* node_{nullptr};
    std::unique_ptr<UserKeys> user_keys_;            // set by SignApprovals
    std::unique_ptr<UserCertifier> user_certifier_;  // set by SignApprovals
};

/// The node's steps that confirm a preservation order which came as a case request
/// (PreservationOptions::confirm_case): acknowledge, accept, execute and respond, with
/// `confirmation` (the provider's JSON: reference and hash of what was frozen) as the reasons of
/// the last.
std::vector<StepInput> PreservationConfirmationPath(const std::string& confirmation);

}  // namespace concord::app
