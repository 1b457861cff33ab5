#include "concord/federation/message.hpp"

#include <gtest/gtest.h>

namespace concord::federation {
namespace {

// Each enum's names round-trip, and are the names the store, the JSON API and the wire use.
TEST(MessageEnums, NamesRoundTripAndAreTheStoredNames) {
    for (Direction d : {Direction::kIn, Direction::kOut}) {
        EXPECT_EQ(*ParseDirection(DirectionName(d)), d);
    }
    EXPECT_EQ(DirectionName(Direction::kIn), "in");
    EXPECT_EQ(DirectionName(Direction::kOut), "out");
    const std::pair<MessageStatus, std::string_view> statuses[] = {
        {MessageStatus::kQueued, "queued"},
        {MessageStatus::kDelivered, "delivered"},
        {MessageStatus::kFailed, "failed"},
        {MessageStatus::kReceived, "received"},
        {MessageStatus::kOpened, "opened"}};
    for (const auto& entry : statuses) {
        EXPECT_EQ(MessageStatusName(entry.first), entry.second);
        EXPECT_EQ(*ParseMessageStatus(entry.second), entry.first);
    }
    EXPECT_EQ(PriorityName(Priority::kNormal), "normal");
    EXPECT_EQ(PriorityName(Priority::kEmergency), "emergency");
    EXPECT_EQ(*ParsePriority("emergency"), Priority::kEmergency);
    EXPECT_EQ(*ParseLane(LaneName(Lane::kEmergency)), Lane::kEmergency);
    EXPECT_EQ(*ParseLane(LaneName(Lane::kNormal)), Lane::kNormal);
    EXPECT_EQ(AlertKindName(AlertKind::kFork), "fork");
    EXPECT_EQ(AlertKindName(AlertKind::kNonDelivery), "non_delivery");
    EXPECT_EQ(*ParseAlertKind("non_delivery"), AlertKind::kNonDelivery);
    // The stored lane values (fed_outbox.lane) and the lane of each priority.
    EXPECT_EQ(static_cast<int>(Lane::kNormal), 0);
    EXPECT_EQ(static_cast<int>(Lane::kEmergency), 1);
    EXPECT_EQ(LaneOf(Priority::kEmergency), Lane::kEmergency);
    EXPECT_EQ(LaneOf(Priority::kNormal), Lane::kNormal);
}

TEST(MessageEnums, UnknownNamesAreInvalidArgumentsNamingTheField) {
    auto direction = ParseDirection("IN");
    ASSERT_FALSE(direction);
    EXPECT_EQ(direction.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(direction.error().message.find("direction 'IN'"), std::string::npos);
    EXPECT_FALSE(ParseMessageStatus(""));
    EXPECT_FALSE(ParsePriority("urgent"));
    EXPECT_FALSE(ParseLane("1"));
    EXPECT_FALSE(ParseAlertKind("non-delivery"));
    // A long value is cut in the message.
    auto long_value = ParsePriority(std::string(10'000, 'x'));
    ASSERT_FALSE(long_value);
    EXPECT_LT(long_value.error().message.size(), 200U);
}

TEST(ActorLabel, AcceptsNodeAndUserLabelsOnly) {
    EXPECT_TRUE(CheckActorLabel(kNodeActor));
    EXPECT_TRUE(CheckActorLabel("user:alice"));
    EXPECT_TRUE(CheckActorLabel(std::string(128, 'a')));
    for (const std::string& bad :
         {std::string(),
          std::string(129, 'a'),
          std::string("a b"),
          std::string("a\nb"),
          std::string("caf\xc3\xa9")}) {
        auto checked = CheckActorLabel(bad);
        ASSERT_FALSE(checked) << bad;
        EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument);
    }
}

}  // namespace
}  // namespace concord::federation
