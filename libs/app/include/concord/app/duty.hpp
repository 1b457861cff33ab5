#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/roster.hpp"
#include "concord/core/result.hpp"
#include "concord/federation/node.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// How the duty desk sends a message in the caller's transaction (production: NodeSender over
/// federation::Node::SubmitIn / SubmitCommitted).
class MessageSender {
public:
    virtual ~MessageSender() = default;
    /// Seals and queues `message` in `tx`; kPermissionDenied when the directory's message policy
    /// does not allow it, kInvalidArgument for an unknown recipient.
    virtual Result<federation::Submitted> SubmitIn(
        store::Transaction& tx, const federation::OutgoingMessage& message
    ) = 0;
    /// After `tx` committed: wakes delivery.
    virtual void SubmitCommitted(
        const federation::OutgoingMessage& message, const federation::Submitted& submitted
    ) = 0;
};

/// MessageSender over a federation node. `node` must outlive it.
class NodeSender : public MessageSender {
public:
    explicit NodeSender(federation::Node& node) : node_(node) {}
    Result<federation::Submitted> SubmitIn(
        store::Transaction& tx, const federation::OutgoingMessage& message
    ) override;
    void SubmitCommitted(
        const federation::OutgoingMessage& message, const federation::Submitted& submitted
    ) override;

private:
    federation::Node& node_;
};

/// Settings of the duty desk (docs/operations.md "Duty desk").
struct DutyOptions {
    /// An emergency arrival unacknowledged this long escalates to the backups and the webhook.
    std::int64_t escalation_ms{std::int64_t{15} * 60 * 1000};
    /// Envelope type of the acknowledgement sent back (must be allowed by the directory's
    /// message_policy as a reply; the default table allows "response" from every role).
    std::string acknowledgement_type{"response"};
    /// This node's authority as the directory names it (shown to the sender).
    std::string authority;
    /// Milliseconds since the epoch (a fake clock in tests).
    std::function<std::int64_t()> now;
    /// Appends an audit leaf in the transaction (production: federation::Node::AppendEvent).
    std::function<Result<std::uint64_t>(store::Transaction&, const boost::json::object&)>
        append_leaf;
    /// Live event after commit (name, JSON).
    std::function<void(std::string_view, const std::string&)> on_live;
};

/// The deadline kind the duty desk starts for every emergency arrival.
inline constexpr std::string_view kDutyAcknowledgeKind = "duty.acknowledge";

/// The 24/7 duty desk: the roster, a live alert for the officers on duty when an emergency
/// request arrives, the acknowledgement that travels back to the sender as a signed message,
/// and escalation to the backups through the deadline engine when nobody acknowledges in time.
///
/// Thread-safety: thread-safe (state lives in the store).
class DutyDesk {
public:
    /// The roster table.
    static std::vector<store::Migration> Migrations();

    /// The people a breached deadline escalates to (DeadlineHooks::escalation_recipients): for
    /// a duty acknowledgement, the backups on duty at `now_ms` (the primaries when no backup is
    /// on duty); for any other deadline its named backup.
    static Result<std::vector<std::string>> EscalationRecipientsIn(
        store::Transaction& tx, const Deadline& deadline, std::int64_t now_ms
    );

    /// `store`, `engine` and `sender` must outlive the desk.
    DutyDesk(
        store::Store& store, DeadlineEngine& engine, MessageSender& sender, DutyOptions options
    );

    /// For NodeOptions::on_received, inside the intake transaction: an emergency message that
    /// starts something (no in_reply_to) raises a "duty.emergency" alert for the primaries on
    /// duty (the backups when no primary is) and starts a `duty.acknowledge` deadline of
    /// escalation_ms from the receipt time. Returns the alert, or nullopt for other messages.
    Result<std::optional<AppAlert>> OnReceivedIn(
        store::Transaction& tx, const federation::ReceivedMessage& message
    );

    /// Records who acknowledged `alert_id` and when, meets its deadline (a late acknowledgement
    /// after escalation is still recorded), appends `duty.acknowledged` to the audit log and sends
    /// the signed acknowledgement back to the sender in reply to the original message — all in
    /// one transaction. kPermissionDenied (policy, or the directory does not allow the reply),
    /// kNotFound, kInvalidArgument (not a duty alert), kAlreadyExists (already acknowledged).
    Result<AppAlert> Acknowledge(const Actor& actor, std::string_view alert_id);

    /// An alert for the officers on duty now (the primaries; the backups when no primary is)
    /// about something the node cannot finish by itself — e.g. `evidence.undelivered`, a package
    /// its recipient keeps refusing. One transaction: the alert (`kind`, `case_id`, `text` and
    /// the `facts` the UI words it from: AppAlert::facts), the audit leaf `duty.alerted` naming
    /// the alert, its kind and `about`, and, after the commit, the live event `duty.alert`. Such
    /// an alert is listed, not acknowledged (Acknowledge takes emergency arrivals only).
    Result<AppAlert> RaiseAlert(
        std::string kind,
        std::string case_id,
        std::string text,
        std::map<std::string, std::string> facts,
        const std::string& about
    );

    /// Replaces the roster (Action::kRosterManage) and returns its new revision; with
    /// `expected_revision`, only while the roster is still at it (kAlreadyExists otherwise, nothing
    /// changed). Audit leaf `duty.roster_changed` with the shift count and the new revision.
    Result<std::int64_t> SetRoster(
        const Actor& actor,
        const std::vector<RosterEntry>& entries,
        std::optional<std::int64_t> expected_revision = std::nullopt
    );
    /// The roster and its revision (Action::kDutyRead).
    Result<RosterSnapshot> GetRoster(const Actor& actor);
    /// Who is on duty now (Action::kDutyRead).
    Result<OnDuty> OnDutyNow(const Actor& actor);
    /// Alerts, newest first (Action::kDutyRead).
    Result<std::vector<AppAlert>> Alerts(const Actor& actor, std::size_t limit, bool open_only);

private:
    std::int64_t Now() const;

    store::Store& store_;
    DeadlineEngine& engine_;
    MessageSender& sender_;
    DutyOptions options_;
};

}  // namespace concord::app
