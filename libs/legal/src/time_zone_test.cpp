#include "concord/legal/time_zone.hpp"

#include <gtest/gtest.h>

#include "concord/core/time.hpp"

namespace concord::legal {
namespace {

std::int64_t At(std::string_view text) {
    auto ms = ParseTimestamp(text);
    EXPECT_TRUE(ms) << text;
    return ms ? *ms : 0;
}

TEST(TimeZone, OffsetsFollowDaylightSavingTime) {
    EXPECT_EQ(*UtcOffsetSeconds("Europe/Paris", At("2027-01-15T12:00:00Z")), 3600);
    EXPECT_EQ(*UtcOffsetSeconds("Europe/Paris", At("2027-07-15T12:00:00Z")), 7200);
    EXPECT_EQ(*UtcOffsetSeconds("Asia/Kolkata", At("2027-07-15T12:00:00Z")), 19800);
    EXPECT_EQ(*UtcOffsetSeconds("America/New_York", At("2027-01-15T12:00:00Z")), -18000);
    EXPECT_EQ(*UtcOffsetSeconds("UTC", At("2027-01-15T12:00:00Z")), 0);
}

TEST(TimeZone, UnknownNamesAreRefused) {
    for (std::string_view bad : {"", "Mars/Olympus_Mons", "Europe/Pariss", "not a zone"}) {
        auto r = UtcOffsetSeconds(bad, 0);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_FALSE(UtcOffsetSeconds(std::string(65, 'A'), 0));
}

}  // namespace
}  // namespace concord::legal
