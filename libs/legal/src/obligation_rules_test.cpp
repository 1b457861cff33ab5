#include "concord/legal/obligation_rules.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "concord/legal/deadline_rules.hpp"

#include "test_support.hpp"

namespace concord::legal {
namespace {

using testing::TestCatalog;

constexpr std::string_view kGoodRule = R"toml(format = "concord-obligations/1"
[[obligation]]
id = "x.extradite_or_prosecute"
instrument = "budapest"
request_types = ["extradition"]
grounds = ["nationality"]
cite = "budapest:24(6)"
verification = "secondary"
source = "s"
)toml";

class ObligationRulesFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-obligations-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    Result<ObligationRules> Load(std::string_view from, std::string_view to) {
        std::string text(kGoodRule);
        if (!from.empty()) {
            text.replace(text.find(from), from.size(), to);
        }
        auto path = dir_ / "obligations.toml";
        std::ofstream(path) << text;
        return LoadObligationRules(path);
    }
    void ExpectRefused(std::string_view from, std::string_view to, std::string_view reason) {
        auto rules = Load(from, to);
        ASSERT_FALSE(rules) << to;
        EXPECT_EQ(rules.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(rules.error().message.find(reason), std::string::npos) << rules.error().message;
        EXPECT_NE(rules.error().message.find("obligations.toml:"), std::string::npos);
    }
    void ExpectUnresolved(std::string_view from, std::string_view to, std::string_view reason) {
        auto rules = Load(from, to);
        ASSERT_TRUE(rules) << rules.error().message;
        auto checked = CheckObligationRules(*rules, TestCatalog());
        ASSERT_FALSE(checked) << to;
        EXPECT_NE(checked.error().message.find(reason), std::string::npos)
            << checked.error().message;
    }

    std::filesystem::path dir_;
};

TEST(ObligationRules, TheShippedFileLoadsResolvesAndOpensOnNationalityOnly) {
    auto rules = LoadObligationRules(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "obligations.toml"
    );
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_TRUE(CheckObligationRules(*rules, TestCatalog()));

    const ObligationRule* budapest = rules->Opens("budapest", "extradition", {"nationality"});
    ASSERT_NE(budapest, nullptr);
    EXPECT_EQ(budapest->cite, "budapest:24(6)");
    EXPECT_NE(budapest->verification, Verification::kVerified);  // not read in an official text
    const ObligationRule* uncac =
        rules->Opens("uncac", "provisional_arrest", {"discrimination", "nationality"});
    ASSERT_NE(uncac, nullptr);
    EXPECT_EQ(uncac->cite, "uncac:44(11)");
    // Another ground, another request type or another instrument opens nothing.
    EXPECT_EQ(rules->Opens("uncac", "extradition", {"discrimination"}), nullptr);
    EXPECT_EQ(rules->Opens("budapest", "mutual_assistance", {"nationality"}), nullptr);
    EXPECT_EQ(rules->Opens("eu-2023-1543", "extradition", {"nationality"}), nullptr);
}

TEST(ObligationRules, TheShippedDeadlinesHaveOneWorkingRulePerStepAndNoneStartsAtReceipt) {
    auto deadlines = LoadDeadlineRules(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "deadlines.toml"
    );
    ASSERT_TRUE(deadlines) << deadlines.error().message;
    const DeadlineRule* submission = deadlines->From("refusal");
    const DeadlineRule* decision = deadlines->From("submission");
    const DeadlineRule* report = deadlines->From("decision");
    ASSERT_NE(submission, nullptr);
    ASSERT_NE(decision, nullptr);
    ASSERT_NE(report, nullptr);
    EXPECT_EQ(submission->obligation, Obligation::kSubmission);
    EXPECT_EQ(decision->obligation, Obligation::kDecision);
    EXPECT_EQ(report->obligation, Obligation::kReport);
    EXPECT_EQ(submission->verification, Verification::kUnverified);  // a working rule
    for (const auto* rule : deadlines->For("budapest", "extradition", false)) {
        EXPECT_EQ(rule->from, "receipt") << rule->id;
    }
}

TEST_F(ObligationRulesFile, AGoodRuleLoads) {
    auto rules = Load("", "");
    ASSERT_TRUE(rules) << rules.error().message;
    ASSERT_EQ(rules->rules.size(), 1U);
    EXPECT_EQ(rules->rules[0].grounds, std::vector<std::string>{"nationality"});
    EXPECT_TRUE(CheckObligationRules(*rules, TestCatalog()));
    EXPECT_NE(rules->Find("x.extradite_or_prosecute"), nullptr);
}

TEST_F(ObligationRulesFile, EveryProblemIsRefusedWithItsPlaceAndReason) {
    ExpectRefused("format = \"concord-obligations/1\"", "format = \"x/1\"", "'format' must be");
    ExpectRefused("source = \"s\"", "source = \"s\"\nwhen = \"now\"", "unknown key 'when'");
    ExpectRefused("grounds = [\"nationality\"]", "grounds = []", "names no refusal ground");
    ExpectRefused("request_types = [\"extradition\"]", "request_types = []", "names no request");
    ExpectRefused("cite = \"budapest:24(6)\"", "cite = \"uncac:44(11)\"", "must cite the rule's");
    ExpectRefused("id = \"x.extradite_or_prosecute\"", "id = \"X Y\"", "'id' must be");
    ExpectRefused("verification = \"secondary\"", "verification = \"sure\"", "verification");
}

TEST_F(ObligationRulesFile, WhatDoesNotResolveInTheCatalogueIsNamed) {
    ExpectUnresolved(
        "budapest\"\nrequest_types = [\"extradition\"]\ngrounds = [\"nationality\"]\ncite = "
        "\"budapest",
        "nowhere\"\nrequest_types = [\"extradition\"]\ngrounds = [\"nationality\"]\ncite = "
        "\"nowhere",
        "unknown instrument"
    );
    ExpectUnresolved("[\"nationality\"]", "[\"no_such_ground\"]", "unknown refusal ground");
    ExpectUnresolved("[\"extradition\"]", "[\"no_such_type\"]", "unknown request type");
    ExpectUnresolved("[\"nationality\"]", "[\"discrimination\"]", "is not a refusal ground");
    ExpectUnresolved("24(6)", "99(1)", "names no article");
}

}  // namespace
}  // namespace concord::legal
