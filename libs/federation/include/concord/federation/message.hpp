#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"

namespace concord::federation {

/// Which box a message is in: received by this node or sent by it.
enum class Direction { kIn, kOut };

/// Where a message stands. Outgoing: queued → delivered | failed. Incoming: received → opened.
enum class MessageStatus { kQueued, kDelivered, kFailed, kReceived, kOpened };

/// A message's priority as its envelope states it.
enum class Priority { kNormal, kEmergency };

/// The delivery lane of an outbox entry: emergency messages have workers of their own. The values
/// are the ones stored in `fed_outbox.lane`.
enum class Lane { kNormal = 0, kEmergency = 1 };

/// What an alert is about.
enum class AlertKind {
    kFork,         ///< a peer's log contradicts a checkpoint this node cosigned (or rolled back)
    kNonDelivery,  ///< an outgoing message was given up (signed non-delivery record)
};

/// The names used in JSON, in the store and on the wire ("in", "queued", "emergency", "fork"...).
/// Each Parse function accepts exactly the names its Name function returns; anything else is
/// kInvalidArgument naming the field and the value (cut to 64 bytes).
std::string_view DirectionName(Direction direction);
Result<Direction> ParseDirection(std::string_view name);
std::string_view MessageStatusName(MessageStatus status);
Result<MessageStatus> ParseMessageStatus(std::string_view name);
std::string_view PriorityName(Priority priority);
Result<Priority> ParsePriority(std::string_view name);
std::string_view LaneName(Lane lane);
Result<Lane> ParseLane(std::string_view name);
std::string_view AlertKindName(AlertKind kind);
Result<AlertKind> ParseAlertKind(std::string_view name);

/// The lane a message of `priority` is delivered in.
Lane LaneOf(Priority priority);

/// The actor label of the node itself (as opposed to "user:<login>"), the default of every
/// audit leaf federation writes.
inline constexpr std::string_view kNodeActor = "node";

/// Checks an actor label given by a caller: 1 to 128 printable ASCII characters.
/// kInvalidArgument otherwise.
Result<void> CheckActorLabel(std::string_view actor);

/// An accepted incoming message as the layer above sees it, inside the intake transaction.
struct ReceivedMessage {
    std::string id;
    std::string from;
    std::string type;
    Priority priority{Priority::kNormal};
    std::string in_reply_to;
    std::string time;  ///< the sender's signed time (RFC 3339)
    std::string body;  ///< the decrypted body (canonical JSON)
    std::string envelope_sha256;
    std::int64_t received_ms{0};  ///< this node's commit time, as its signed receipt states
    std::uint64_t ledger_index{0};
};

/// What Receive answers: an HTTP status and a JSON body.
struct IntakeReply {
    unsigned status{200};
    std::string body;
    std::string refusal;  ///< refusal code, empty when accepted
    bool duplicate{false};
};

/// An outgoing message as the local API submits it.
struct OutgoingMessage {
    std::string to;
    std::string type{"request"};
    Priority priority{Priority::kNormal};
    std::string in_reply_to;
    std::string body_json;  ///< any JSON value
};

struct Submitted {
    std::string id;
    std::uint64_t ledger_index{0};
};

/// One row of the inbox or outbox listing.
struct MessageSummary {
    Direction direction{Direction::kIn};
    std::string id;
    std::string peer;
    std::string type;
    Priority priority{Priority::kNormal};
    std::string in_reply_to;
    std::string time;
    MessageStatus status{MessageStatus::kReceived};
    std::int64_t attempts{0};
    std::string last_error;
    std::int64_t created_ms{0};
    std::uint64_t ledger_index{0};
};

/// A message with everything that proves what happened to it.
struct MessageDetail {
    MessageSummary summary;
    std::string body;      ///< the decrypted body (JSON)
    std::string envelope;  ///< the signed, encrypted envelope as sent
    std::string envelope_sha256;
    /// Signed evidence records (JSON texts): delivery receipt, retrieval, non_delivery.
    std::vector<std::string> evidence;
    /// For an outgoing message: the receiver's tlog-proof and ledger leaf (base64) of the receipt.
    std::string receiver_proof;
    std::string receiver_leaf;
    /// tlog-proof of this node's own ledger entry for the message.
    std::string own_proof;
};

struct Alert {
    std::int64_t seq{0};
    AlertKind kind{AlertKind::kFork};
    std::string peer;
    std::string message;
    std::string evidence;
    std::int64_t created_ms{0};
};

}  // namespace concord::federation
