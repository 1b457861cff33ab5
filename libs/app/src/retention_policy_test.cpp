#include "concord/app/retention_policy.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace concord::app {
namespace {

constexpr std::int64_t kDay = std::int64_t{24} * 3600 * 1000;

RetentionFacts Facts(
    std::string instrument, std::string party, std::vector<std::string> categories
) {
    return RetentionFacts{std::move(instrument), std::move(party), std::move(categories)};
}

TEST(RetentionPolicy, TheMostSpecificRuleWinsAndAmongEqualsTheShortest) {
    const RetentionPolicy policy = RetentionPolicy::Create(
                                       1827 * kDay,
                                       {
                                           {"budapest", "", "", 1000 * kDay},
                                           {"budapest", "", "content", 400 * kDay},
                                           {"", "US", "", 3000 * kDay},
                                           {"", "", "traffic", 700 * kDay},
                                           {"", "", "content", 900 * kDay},
                                       }
    )
                                       .value();
    // No rule matches: the default, and no rule named.
    RetentionPolicy::Decision d = policy.For(Facts("uncac", "FR", {"subscriber"}));
    EXPECT_EQ(d.period_ms, 1827 * kDay);
    EXPECT_EQ(d.rule, "");
    // One member matches: that rule.
    d = policy.For(Facts("budapest", "FR", {"subscriber"}));
    EXPECT_EQ(d.period_ms, 1000 * kDay);
    EXPECT_EQ(d.rule, "instrument=budapest");
    // Two members beat one, even when the one-member rule is shorter.
    d = policy.For(Facts("budapest", "FR", {"content", "traffic"}));
    EXPECT_EQ(d.period_ms, 400 * kDay);
    EXPECT_EQ(d.rule, "instrument=budapest,category=content");
    // Rules of one member each: the shortest (traffic 700 < content 900 < US 3000).
    d = policy.For(Facts("uncac", "US", {"content", "traffic"}));
    EXPECT_EQ(d.period_ms, 700 * kDay);
    EXPECT_EQ(d.rule, "category=traffic");
    // A party rule applies to that party only.
    d = policy.For(Facts("uncac", "US", {}));
    EXPECT_EQ(d.period_ms, 3000 * kDay);
    EXPECT_EQ(d.rule, "party=US");
}

TEST(RetentionPolicy, BadRulesAreRefusedWithTheirNumber) {
    const auto refused = [](std::vector<RetentionRule> rules, std::string_view says) {
        auto p = RetentionPolicy::Create(30 * kDay, std::move(rules));
        ASSERT_FALSE(p.has_value());
        EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(p.error().message.find(says), std::string::npos) << p.error().message;
    };
    refused({{"", "", "", 10 * kDay}}, "rule 1 sets none");
    refused(
        {{"budapest", "", "", 10 * kDay}, {"Budapest", "", "", 10 * kDay}}, "rule 2: instrument"
    );
    refused({{"", "usa", "", 10 * kDay}}, "party is a code");
    refused({{"", "", "emails", 10 * kDay}}, "category is one of");
    refused({{"", "US", "", kDay - 1}}, "1 to 36525 days");
    refused({{"", "US", "", 36526 * kDay}}, "1 to 36525 days");
    refused(
        {{"", "US", "content", 10 * kDay}, {"", "US", "content", 20 * kDay}},
        "rule 2 repeats rule 1 (party=US,category=content)"
    );
    EXPECT_FALSE(RetentionPolicy::Create(kDay - 1, {}).has_value());
    // The same members with other values are two rules.
    EXPECT_TRUE(RetentionPolicy::Create(
                    30 * kDay, {{"", "US", "content", 10 * kDay}, {"", "FR", "content", 10 * kDay}}
    ).has_value());
}

}  // namespace
}  // namespace concord::app
