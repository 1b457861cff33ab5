#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/message.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {
class Node;
}

namespace concord::app {

/// The topics a need or an offer of technical assistance may name (docs/assistance.md), in the
/// order the API and the CLI list them. The one place they are written.
const std::vector<std::string_view>& AssistanceTopics();

/// A posting is a need (a State asks for assistance) or an offer (a State gives it).
enum class PostingKind : std::uint8_t { kNeed, kOffer };
/// open → matched (an engagement took it) → open again if the engagement is cancelled;
/// open → withdrawn (final).
enum class PostingStatus : std::uint8_t { kOpen, kMatched, kWithdrawn };
/// agreed → delivered → evaluated (final); agreed | delivered → cancelled (final).
enum class EngagementState : std::uint8_t { kAgreed, kDelivered, kEvaluated, kCancelled };

std::string_view PostingKindName(PostingKind kind);
std::string_view PostingStatusName(PostingStatus status);
std::string_view EngagementStateName(EngagementState state);
/// kInvalidArgument naming the allowed values for an unknown name.
Result<PostingKind> ParsePostingKind(std::string_view name);
Result<PostingStatus> ParsePostingStatus(std::string_view name);

/// What a State posts: a need or an offer of assistance.
struct AssistancePostingInput {
    std::string topic;                   ///< one of AssistanceTopics()
    std::vector<std::string> languages;  ///< ISO 639-1 codes, 1-10, lower case, no repeat
    std::string from;                    ///< first day, YYYY-MM-DD
    std::string to;                      ///< last day, YYYY-MM-DD, not before `from`
    std::string description;             ///< plain text, 1-4000 bytes
    /// Empty: the node's party. Another party (ISO 3166-1 alpha-2) only on a secretariat's
    /// node, which records what States sent it by other channels.
    std::string party;
};

/// A need or an offer as the node keeps it.
struct AssistancePosting {
    std::string id;
    PostingKind kind{PostingKind::kNeed};
    std::string party;  ///< ISO 3166-1 code of the posting node's party
    std::string topic;
    std::vector<std::string> languages;
    std::string from;
    std::string to;
    std::string description;
    PostingStatus status{PostingStatus::kOpen};
    std::int64_t created_ms{0};
    std::int64_t updated_ms{0};
    std::string updated_by;  ///< actor label
    /// The node the posting came from over the federation (docs/assistance.md "Between
    /// nodes"): on a secretariat's node the State's node that posted it, on a State's node the
    /// secretariat's node that sent it with an engagement; empty when recorded here.
    std::string origin_node;
};

/// An open offer ranked for a need, with the reasons of its score.
struct AssistanceCandidate {
    AssistancePosting offer;
    std::int64_t score{0};  ///< 0-100: 50 for the topic, 30 for a shared language, 20 × overlap
    std::vector<std::string> shared_languages;
    std::int64_t overlap_days{0};  ///< days both periods cover
    std::vector<std::string> reasons;
};

/// Ranks `offers` for `need`, best first. Only open offers of the need's topic from another
/// party are candidates. Score: 50 for the topic, 30 if they share a language, and 20 times the
/// share of the need's days the offer covers (rounded down). Ties: the older offer first, then
/// the smaller id. Pure and deterministic: the same inputs give the same list.
std::vector<AssistanceCandidate> RankOffers(
    const AssistancePosting& need, const std::vector<AssistancePosting>& offers
);

/// A need and an offer matched: one State assists another.
struct AssistanceEngagement {
    std::string id;
    std::string need_id;
    std::string offer_id;
    std::string topic;
    std::string beneficiary;  ///< the need's party
    std::string provider;     ///< the offer's party
    EngagementState state{EngagementState::kAgreed};
    std::int64_t evaluation_score{0};  ///< 1-5 once evaluated, 0 before
    std::string evaluation_comment;
    std::string cancel_reason;
    std::int64_t created_ms{0};
    std::int64_t updated_ms{0};
    std::string updated_by;
    /// The secretariat's count of the engagement's changes (1 when agreed); a State's node
    /// takes the secretariat's view of an engagement when it is at least as recent as its own.
    /// 0 for an engagement that never crossed the federation.
    std::int64_t revision{0};
    /// On a State's node: a step taken here is on its way to the secretariat's node, whose
    /// answer (a newer revision, or its view back when it refused the step) clears it. No
    /// further step is taken meanwhile, so two steps never overtake each other on the way.
    bool awaiting{false};
};

/// A step of an engagement: "deliver", "evaluate" (with a score 1-5 and a comment) or "cancel"
/// (with a reason).
struct EngagementStep {
    std::string step;
    std::int64_t score{0};
    std::string comment;
};

/// Technical assistance between States (issue 11 §4, docs/assistance.md): needs and offers,
/// their matching, and the engagements that follow a match (agreed → delivered → evaluated, or
/// cancelled).
///
/// Visibility: a node sees the postings of its own party and the engagements its party is
/// in; a secretariat's node sees everything. What a caller may not see is kNotFound, as what
/// does not exist. Reading needs kAssistanceRead; posting, withdrawing, engaging and moving an
/// engagement need kAssistanceManage, decided before the input is looked at.
///
/// Every change is one transaction with its audit leaf ("assistance.posted",
/// "assistance.withdrawn", "assistance.engaged", "assistance.delivered",
/// "assistance.evaluated", "assistance.cancelled": ids, kinds, parties, topic, actor; never the
/// description or a comment). Bad input is kInvalidArgument "assistance_input: ..."; a step the
/// state does not allow is kInvalidArgument "assistance_wrong_state: ..."; either changes
/// nothing.
///
/// Between nodes (docs/assistance.md "Between nodes"): a State's node attached with its
/// secretariat's node id sends its own postings, withdrawals and engagement steps there as
/// `notice` messages (member `concord_assistance`), in the transaction of the change; the
/// secretariat's node records them for the sender's party, makes the engagements, and sends
/// each engagement's state to the nodes its need and offer came from. OnReceived applies what
/// arrives; what it refuses is an "assistance.refused" audit leaf, never an intake error.
///
/// Thread-safety: thread-safe (state is in the store).
class TechnicalAssistance {
public:
    using AppendLeaf =
        std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>;

    /// Tables `app_assistance_postings`, `app_assistance_engagements` (component
    /// "app_assistance").
    static std::vector<store::Migration> Migrations();

    /// `party`: the node's party (ISO 3166-1); `secretariat`: the node sees every party's.
    /// `now` gives milliseconds since the epoch. `store` must outlive this object.
    TechnicalAssistance(
        store::Store& store,
        AppendLeaf append_leaf,
        std::string party,
        bool secretariat,
        std::function<std::int64_t()> now
    );

    /// Posts a need or an offer of the node's party (or, on a secretariat's node, of
    /// `input.party`; elsewhere another party is kPermissionDenied).
    Result<AssistancePosting> Post(
        const Actor& actor, PostingKind kind, const AssistancePostingInput& input
    );
    /// Withdraws an open posting of the node's party, or any on a secretariat's node
    /// (kNotFound for another party's posting elsewhere).
    Result<AssistancePosting> Withdraw(const Actor& actor, std::string_view id);
    /// One visible posting.
    Result<AssistancePosting> Get(const Actor& actor, std::string_view id);
    /// The visible postings, oldest first; an empty `topic` or a null kind/status filter
    /// nothing out.
    Result<std::vector<AssistancePosting>> List(
        const Actor& actor,
        std::optional<PostingKind> kind,
        std::optional<PostingStatus> status,
        std::string_view topic
    );
    /// The open offers this node holds ranked for visible need `need_id` (RankOffers).
    Result<std::vector<AssistanceCandidate>> Match(const Actor& actor, std::string_view need_id);
    /// Matches open need `need_id` and open offer `offer_id` (same topic, other parties): both
    /// become matched, the engagement is agreed. The need or the offer must be the node's
    /// party's, unless the node is the secretariat's.
    Result<AssistanceEngagement> Engage(
        const Actor& actor, std::string_view need_id, std::string_view offer_id
    );
    /// Moves a visible engagement one step. A cancelled engagement opens its need and offer
    /// again.
    Result<AssistanceEngagement> Advance(
        const Actor& actor, std::string_view engagement_id, const EngagementStep& step
    );
    /// The visible engagements, oldest first.
    Result<std::vector<AssistanceEngagement>> Engagements(const Actor& actor);
    /// One visible engagement.
    Result<AssistanceEngagement> GetEngagement(const Actor& actor, std::string_view id);

    /// Connects the service to the federation: `node` sends and names the senders' parties;
    /// `secretariat_node`, on a State's node, is the secretariat's node that its postings and
    /// steps go to (empty: they stay on this node). A State's node with a secretariat's node
    /// does not make engagements itself (kPermissionDenied). Call before the node takes
    /// messages.
    void Attach(federation::Node* node, std::string secretariat_node);

    /// A message the node received, in its intake transaction: applies a `concord_assistance`
    /// member; ignores every other message. Fails only when the store fails.
    Result<void> OnReceived(store::Transaction& tx, const federation::ReceivedMessage& message);

    [[nodiscard]] bool Secretariat() const { return secretariat_; }
    [[nodiscard]] const std::string& Party() const { return party_; }

private:
    Result<AssistancePosting> PostingIn(store::Transaction& tx, std::string_view id) const;
    Result<AssistanceEngagement> EngagementIn(store::Transaction& tx, std::string_view id) const;
    [[nodiscard]] bool Sees(const AssistancePosting& p) const;
    [[nodiscard]] bool Sees(const AssistanceEngagement& e) const;
    // Federation (technical_assistance_wire.cpp). The Send* write the message into `tx` and
    // remember it; Flush hands the remembered messages to delivery after the commit.
    struct Pending;
    Result<void> Submit(
        store::Transaction& tx, const std::string& to, boost::json::object op, Pending& out
    );
    Result<void> SendPosting(
        store::Transaction& tx, const AssistancePosting& p, bool withdrawn, Pending& out
    );
    Result<void> SendStep(
        store::Transaction& tx,
        const AssistanceEngagement& e,
        const EngagementStep& step,
        Pending& out
    );
    Result<void> SendEngagement(
        store::Transaction& tx,
        const AssistanceEngagement& e,
        Pending& out,
        std::string_view only_to = {}
    );
    Result<void> SendFromIntake(
        store::Transaction& tx,
        const federation::ReceivedMessage& m,
        const AssistanceEngagement& e,
        std::string_view only_to = {}
    );
    void Flush(Pending& sent);
    Result<void> ReceivePosting(
        store::Transaction& tx,
        const federation::ReceivedMessage& m,
        const std::string& party,
        const boost::json::object& body
    );
    Result<void> ReceiveStep(
        store::Transaction& tx,
        const federation::ReceivedMessage& m,
        const std::string& party,
        const boost::json::object& body
    );
    Result<void> ReceiveEngagement(
        store::Transaction& tx,
        const federation::ReceivedMessage& m,
        const boost::json::object& body
    );
    Result<void> Refuse(
        store::Transaction& tx, const federation::ReceivedMessage& m, std::string_view why
    );

    store::Store& store_;
    AppendLeaf append_leaf_;
    std::string party_;
    bool secretariat_{false};
    std::function<std::int64_t()> now_;
    federation::Node* node_{nullptr};
    std::string secretariat_node_;
};

/// The JSON forms (the API's and the CLI's, docs/assistance.md).
boost::json::object PostingJson(const AssistancePosting& p);
boost::json::object CandidateJson(const AssistanceCandidate& c);
boost::json::object EngagementJson(const AssistanceEngagement& e);

}  // namespace concord::app
