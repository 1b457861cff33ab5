#include "concord/core/time.hpp"

#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/log.hpp"

namespace concord {
namespace {

TEST(TimeTest, FormatsAndParsesRoundTrip) {
    for (std::int64_t ms : {0LL, 1LL, 951'782'400'123LL, 1'796'000'000'999LL, -1000LL}) {
        auto parsed = ParseTimestamp(FormatTimestamp(ms));
        ASSERT_TRUE(parsed) << parsed.error().ToString();
        EXPECT_EQ(*parsed, ms);
    }
    EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatTimestamp(951'782'400'123), "2000-02-29T00:00:00.123Z");
}

TEST(TimeTest, ParsesZoneOffsetsAndFractions) {
    EXPECT_EQ(*ParseTimestamp("1970-01-01T01:00:00+01:00"), 0);
    EXPECT_EQ(*ParseTimestamp("1969-12-31T23:30:00-00:30"), 0);
    EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00.5Z"), 500);
    EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00.123456789Z"), 123);
}

TEST(TimeTest, RefusesMalformedTimestamps) {
    for (const char* bad :
         {"",
          "2026-11-29",
          "2026-11-29T10:00:00",
          "2026-02-30T10:00:00Z",
          "2026-11-29T24:00:00Z",
          "2026-11-29T10:00:00.Z",
          "2026-11-29T10:00:00+0100",
          "2026-11-29T10:00:00Zjunk",
          "2026-11-29 10:00:00Z",
          "2026-11-29T10:00:00.1234567890Z"}) {
        auto r = ParseTimestamp(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        }
    }
}

TEST(TimeTest, ParsesDurations) {
    EXPECT_EQ(ParseDuration("250ms")->count(), 250);
    EXPECT_EQ(ParseDuration("30s")->count(), 30'000);
    EXPECT_EQ(ParseDuration("5m")->count(), 300'000);
    EXPECT_EQ(ParseDuration("10d")->count(), 864'000'000);
    for (const char* bad : {"", "s", "10", "10w", "-5s", "1.5s", "99999999999999999d"}) {
        EXPECT_FALSE(ParseDuration(bad)) << bad;
    }
}

TEST(IdTest, UuidV7CarriesTimeVersionAndVariant) {
    const std::string id = NewUuidV7At(1'796'000'000'000);
    EXPECT_TRUE(IsUuidV7(id)) << id;
    EXPECT_EQ(UuidV7Millis(id), 1'796'000'000'000);
    EXPECT_FALSE(IsUuidV7("0190a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a2b"));  // version 4
    EXPECT_FALSE(IsUuidV7("0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B"));  // upper case
    EXPECT_FALSE(IsUuidV7("0190a1b2-c3d4-7e5f-ca6b-7c8d9e0f1a2b"));  // wrong variant
}

TEST(IdTest, IdsAreUniqueAndOrderedWithinOneProcess) {
    std::set<std::string> seen;
    std::string previous;
    for (int i = 0; i < 20'000; ++i) {
        std::string id = NewUuidV7();
        ASSERT_TRUE(IsUuidV7(id));
        ASSERT_GT(id, previous);
        ASSERT_TRUE(seen.insert(id).second);
        previous = std::move(id);
    }
}

TEST(LogTest, WritesOneJsonObjectPerLineWithEscapedFields) {
    std::ostringstream out;
    log::Configure(&out, log::Level::kInfo);
    log::Debug("dropped");
    log::Info("hello \"world\"\n", {{"peer", "b.poc"}, {"count", 3}});
    log::Configure(nullptr, log::Level::kInfo);
    const std::string text = out.str();
    EXPECT_EQ(text.find("dropped"), std::string::npos);
    EXPECT_NE(
        text.find(R"("msg":"hello \"world\"\n","peer":"b.poc","count":3})"), std::string::npos
    ) << text;
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find('\n'), text.size() - 1);
}

}  // namespace
}  // namespace concord
