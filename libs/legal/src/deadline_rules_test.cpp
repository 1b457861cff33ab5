#include "concord/legal/deadline_rules.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

using testing::TestCatalog;

std::filesystem::path ShippedRules() {
    return std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "deadlines.toml";
}

constexpr std::string_view kGoodRule = R"toml(
[[deadline]]
id = "x.response"
instrument = "eu-2023-1543"
request_type = "epoc"
priority = "normal"
obligation = "response"
from = "receipt"
duration = "10d"
warn_before = "1d"
kind = "limit"
cite = "eu-2023-1543:10(3)"
verification = "verified"
source = "s"
)toml";

class DeadlineRulesFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-rules-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    Result<DeadlineRules> Load(const std::string& text) {
        auto path = dir_ / "deadlines.toml";
        std::ofstream(path) << text;
        return LoadDeadlineRules(path);
    }
    static std::string WithRule(std::string_view from, std::string_view to) {
        std::string rule(kGoodRule);
        rule.replace(rule.find(from), from.size(), to);
        return "format = \"concord-deadlines/1\"\n" + rule;
    }
    void ExpectRefused(const std::string& text, std::string_view reason) {
        auto rules = Load(text);
        ASSERT_FALSE(rules) << text;
        EXPECT_EQ(rules.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(rules.error().message.find(reason), std::string::npos) << rules.error().message;
        EXPECT_NE(rules.error().message.find("deadlines.toml:"), std::string::npos);
    }

    std::filesystem::path dir_;
};

TEST(DeadlineRules, TheShippedFileLoadsAndResolvesAgainstTheCatalogue) {
    auto rules = LoadDeadlineRules(ShippedRules());
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_TRUE(CheckDeadlineRules(*rules, TestCatalog()));

    const DeadlineRule* epoc = rules->Find("epoc.response");
    ASSERT_NE(epoc, nullptr);
    EXPECT_EQ(epoc->duration_ms, 10LL * 86'400'000);
    const DeadlineRule* emergency = rules->Find("epoc.emergency_response");
    ASSERT_NE(emergency, nullptr);
    EXPECT_EQ(emergency->duration_ms, 8LL * 3'600'000);
    const DeadlineRule* budapest = rules->Find("budapest.preservation");
    ASSERT_NE(budapest, nullptr);
    EXPECT_EQ(budapest->duration_ms, 60LL * 86'400'000);
    EXPECT_EQ(budapest->kind, DeadlineKind::kMinimum);
    EXPECT_NE(budapest->verification, Verification::kVerified);  // not read in an official text
    EXPECT_EQ(rules->Find("un2024.preservation")->verification, Verification::kUnverified);
}

TEST(DeadlineRules, ForSelectsByInstrumentRequestTypeAndPriority) {
    auto rules = LoadDeadlineRules(ShippedRules());
    ASSERT_TRUE(rules);
    std::vector<std::string> normal;
    for (const auto* r : rules->For("eu-2023-1543", "epoc", false)) {
        normal.push_back(r->id);
    }
    EXPECT_EQ(normal, std::vector<std::string>{"epoc.response"});
    std::vector<std::string> emergency;
    for (const auto* r : rules->For("eu-2023-1543", "epoc", true)) {
        emergency.push_back(r->id);
    }
    EXPECT_EQ(
        emergency,
        (std::vector<std::string>{
            "epoc.emergency_response", "epoc.emergency_objection", "duty.acknowledge"})
    );
}

TEST_F(DeadlineRulesFile, AGoodRuleLoads) {
    auto rules = Load("format = \"concord-deadlines/1\"\n" + std::string(kGoodRule));
    ASSERT_TRUE(rules) << rules.error().message;
    EXPECT_EQ(rules->rules.size(), 1U);
    EXPECT_EQ(rules->rules[0].warn_before_ms, 86'400'000);
}

TEST_F(DeadlineRulesFile, EveryProblemIsRefusedWithItsPlaceAndReason) {
    ExpectRefused(std::string(kGoodRule), "missing key 'format'");
    ExpectRefused("format = \"other/1\"\n" + std::string(kGoodRule), "'format' must be");
    ExpectRefused(WithRule("duration = \"10d\"", "duration = \"10 days\""), "unit must be");
    ExpectRefused(WithRule("duration = \"10d\"", "duration = \"0d\""), "must be positive");
    ExpectRefused(WithRule("warn_before = \"1d\"", "warn_before = \"11d\""), "shorter than");
    ExpectRefused(WithRule("priority = \"normal\"", "priority = \"urgent\""), "one of normal");
    ExpectRefused(WithRule("obligation = \"response\"", "obligation = \"x\""), "one of");
    ExpectRefused(WithRule("kind = \"limit\"", "kind = \"max\""), "one of limit");
    ExpectRefused(WithRule("from = \"receipt\"", "from = \"arrest\""), "one of receipt, refusal");
    // An obligation's step runs from the step before it, and only a step runs from there.
    ExpectRefused(
        WithRule("from = \"receipt\"", "from = \"refusal\""), "the obligation is 'submission'"
    );
    ExpectRefused(
        WithRule("obligation = \"response\"", "obligation = \"report\""), "cannot be a step"
    );
    // A step's rule applies to every request, and only one rule runs from each step.
    const std::string step_rule =
        "format = \"concord-deadlines/1\"\n[[deadline]]\nid = \"s1\"\ninstrument = \"\"\n"
        "request_type = \"*\"\npriority = \"any\"\nobligation = \"submission\"\nfrom = "
        "\"refusal\"\nduration = \"30d\"\nkind = \"limit\"\nverification = "
        "\"unverified\"\nsource = \"s\"\n";
    ASSERT_TRUE(Load(step_rule));
    std::string typed = step_rule;
    typed.replace(typed.find("request_type = \"*\""), 18, "request_type = \"epoc\"");
    ExpectRefused(typed, "a node rule for every request");
    std::string two_steps = step_rule + step_rule.substr(step_rule.find("[[deadline]]"));
    two_steps.replace(two_steps.rfind("id = \"s1\""), 9, "id = \"s2\"");
    ExpectRefused(two_steps, "a second rule from 'refusal'");
    ExpectRefused(WithRule("from = \"receipt\"", "from = \"sending\""), "'from' must be");
    ExpectRefused(
        WithRule("verification = \"verified\"", "verification = \"sure\""), "verification must"
    );
    ExpectRefused(
        WithRule("cite = \"eu-2023-1543:10(3)\"", "cite = \"budapest:29\""), "rule's instrument"
    );
    ExpectRefused(WithRule("cite = \"eu-2023-1543:10(3)\"", "cite = \"\""), "needs 'cite'");
    ExpectRefused(WithRule("source = \"s\"", "sorce = \"s\""), "unknown key 'sorce'");
    ExpectRefused(WithRule("id = \"x.response\"", "id = \"X Y\""), "'id' must be");
    ExpectRefused(
        WithRule("instrument = \"eu-2023-1543\"", "instrument = \"\""), "cites no article"
    );
    std::string twice = WithRule("", "") + std::string(kGoodRule);
    ExpectRefused(twice, "duplicate id 'x.response'");
    ExpectRefused("format = \"concord-deadlines/1\"\n[[deadline]\n", "");
}

TEST_F(DeadlineRulesFile, ANodeRuleCannotClaimVerification) {
    std::string text = WithRule("instrument = \"eu-2023-1543\"", "instrument = \"\"");
    text.replace(text.find("cite = \"eu-2023-1543:10(3)\""), 27, "cite = \"\"");
    ExpectRefused(text, "cannot be verified");
}

TEST_F(DeadlineRulesFile, UnresolvedReferencesAreRefusedByTheCatalogueCheck) {
    auto rules = Load(WithRule("request_type = \"epoc\"", "request_type = \"nope\""));
    ASSERT_TRUE(rules);
    auto checked = CheckDeadlineRules(*rules, TestCatalog());
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().message.find("unknown request type 'nope'"), std::string::npos);

    rules = Load(WithRule("cite = \"eu-2023-1543:10(3)\"", "cite = \"eu-2023-1543:999\""));
    ASSERT_TRUE(rules);
    checked = CheckDeadlineRules(*rules, TestCatalog());
    ASSERT_FALSE(checked);
    EXPECT_NE(checked.error().message.find("names no article"), std::string::npos);
}

TEST_F(DeadlineRulesFile, AMissingFileIsNotFound) {
    auto rules = LoadDeadlineRules(dir_ / "absent.toml");
    ASSERT_FALSE(rules);
    EXPECT_EQ(rules.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace concord::legal
