#include "concord/federation/message.hpp"

#include <array>
#include <utility>

namespace concord::federation {
namespace {

// One table per enum: the enumerator and its name, in enumerator order.
template <typename E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

constexpr Names<Direction, 2> kDirections{{{Direction::kIn, "in"}, {Direction::kOut, "out"}}};
constexpr Names<MessageStatus, 5> kStatuses{{
    {MessageStatus::kQueued, "queued"},
    {MessageStatus::kDelivered, "delivered"},
    {MessageStatus::kFailed, "failed"},
    {MessageStatus::kReceived, "received"},
    {MessageStatus::kOpened, "opened"},
}};
constexpr Names<Priority, 2> kPriorities{
    {{Priority::kNormal, "normal"}, {Priority::kEmergency, "emergency"}}};
constexpr Names<Lane, 2> kLanes{{{Lane::kNormal, "normal"}, {Lane::kEmergency, "emergency"}}};
constexpr Names<AlertKind, 2> kAlertKinds{
    {{AlertKind::kFork, "fork"}, {AlertKind::kNonDelivery, "non_delivery"}}};

template <typename E, std::size_t N>
std::string_view NameOf(const Names<E, N>& names, E value) {
    for (const auto& [e, name] : names) {
        if (e == value) {
            return name;
        }
    }
    return "?";
}

template <typename E, std::size_t N>
Result<E> Parse(const Names<E, N>& names, std::string_view what, std::string_view text) {
    for (const auto& [e, name] : names) {
        if (name == text) {
            return e;
        }
    }
    std::string expected;
    for (const auto& entry : names) {
        expected += (expected.empty() ? "'" : ", '") + std::string(entry.second) + "'";
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        std::string(what) + " '" + std::string(text.substr(0, 64)) + "': expected one of " +
            expected
    );
}

}  // namespace

std::string_view DirectionName(Direction direction) {
    return NameOf(kDirections, direction);
}
Result<Direction> ParseDirection(std::string_view name) {
    return Parse(kDirections, "direction", name);
}
std::string_view MessageStatusName(MessageStatus status) {
    return NameOf(kStatuses, status);
}
Result<MessageStatus> ParseMessageStatus(std::string_view name) {
    return Parse(kStatuses, "status", name);
}
std::string_view PriorityName(Priority priority) {
    return NameOf(kPriorities, priority);
}
Result<Priority> ParsePriority(std::string_view name) {
    return Parse(kPriorities, "priority", name);
}
std::string_view LaneName(Lane lane) {
    return NameOf(kLanes, lane);
}
Result<Lane> ParseLane(std::string_view name) {
    return Parse(kLanes, "lane", name);
}
std::string_view AlertKindName(AlertKind kind) {
    return NameOf(kAlertKinds, kind);
}
Result<AlertKind> ParseAlertKind(std::string_view name) {
    return Parse(kAlertKinds, "alert kind", name);
}

Lane LaneOf(Priority priority) {
    return priority == Priority::kEmergency ? Lane::kEmergency : Lane::kNormal;
}

Result<void> CheckActorLabel(std::string_view actor) {
    constexpr std::size_t kMaxActorBytes = 128;
    if (actor.empty() || actor.size() > kMaxActorBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "an actor label has 1 to 128 characters");
    }
    for (const char c : actor) {
        if (c < 0x21 || c > 0x7e) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "an actor label has printable ASCII characters only, without spaces"
            );
        }
    }
    return {};
}

}  // namespace concord::federation
