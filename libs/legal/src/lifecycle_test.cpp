#include "concord/legal/lifecycle.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "concord/core/id.hpp"

#include "test_support.hpp"

namespace concord::legal {
namespace {

std::filesystem::path ShippedFile() {
    return std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "lifecycle.toml";
}

const Lifecycle& Shipped() {
    static const Lifecycle lifecycle = [] {
        auto lc = Lifecycle::Load(ShippedFile(), &testing::TestCatalog());
        EXPECT_TRUE(lc) << lc.error().message;
        return std::move(*lc);
    }();
    return lifecycle;
}

// A small valid lifecycle; each test breaks one rule of it.
constexpr std::string_view kSmall = R"(initial = "a"
[[state]]
id = "a"
[[state]]
id = "b"
[[state]]
id = "z"
final = true
[[transition]]
id = "go"
from = ["a"]
to = "b"
side = "requesting"
crosses = true
[[transition]]
id = "end"
from = ["b"]
to = "z"
side = "requested"
)";

class LifecycleFile : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = std::filesystem::temp_directory_path() / ("lifecycle-" + NewUuidV7() + ".toml");
    }
    void TearDown() override { std::filesystem::remove(file_); }

    // Loads `text`; expects a refusal whose message contains `reason` and names the file.
    void ExpectRefused(std::string_view text, std::string_view reason) {
        {
            std::ofstream out(file_);
            out << text;
        }
        auto lc = Lifecycle::Load(file_, &testing::TestCatalog());
        ASSERT_FALSE(lc) << "accepted:\n" << text;
        EXPECT_EQ(lc.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(lc.error().message.find(reason), std::string::npos) << lc.error().message;
        EXPECT_NE(lc.error().message.find(file_.filename().string()), std::string::npos);
    }

    static std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
        std::string out(text);
        out.replace(out.find(from), from.size(), to);
        return out;
    }

    std::filesystem::path file_;
};

TEST(Lifecycle, TheShippedFileHasTheStatesOfTheIssue) {
    const Lifecycle& lc = Shipped();
    EXPECT_EQ(lc.Initial(), "draft");
    for (const char* s :
         {"draft",
          "approved",
          "sent",
          "delivered",
          "acknowledged",
          "clarification_requested",
          "clarification_answered",
          "consultation",
          "accepted",
          "partially_accepted",
          "postponed",
          "refused",
          "executing",
          "responded",
          "closed",
          "withdrawn"}) {
        EXPECT_NE(lc.FindState(s), nullptr) << s;
    }
    ASSERT_NE(lc.Find("refuse"), nullptr);
    EXPECT_TRUE(lc.Find("refuse")->grounds);
    EXPECT_TRUE(lc.Find("refuse")->reasons);
    EXPECT_TRUE(lc.Find("refuse")->crosses);
    EXPECT_EQ(lc.Find("refuse")->side, Side::kRequested);
    ASSERT_NE(lc.Find("status_query"), nullptr);
    EXPECT_TRUE(lc.Find("status_query")->to.empty());
    EXPECT_FALSE(lc.Find("approve")->crosses);
}

TEST(Lifecycle, UncacRequiresConsultationBeforeRefusalButBudapestDoesNot) {
    const Lifecycle& lc = Shipped();
    const Transition& refuse = *lc.Find("refuse");
    EXPECT_EQ(
        lc.FromStates(refuse, "uncac", "mla_stored_data"), std::vector<std::string>{"consultation"}
    );
    EXPECT_EQ(lc.FromStates(refuse, "budapest", "mla_stored_data"), refuse.from);
}

TEST_F(LifecycleFile, AMissingFileIsNotFound) {
    auto lc = Lifecycle::Load(file_, nullptr);
    ASSERT_FALSE(lc);
    EXPECT_EQ(lc.error().code, ErrorCode::kNotFound);
}

TEST_F(LifecycleFile, SyntaxErrorsNameTheLine) {
    ExpectRefused("initial = \"a\"\n= oops\n", ":2:");
}

TEST_F(LifecycleFile, TheSmallFileLoads) {
    std::ofstream(file_) << kSmall;
    auto lc = Lifecycle::Load(file_, nullptr);
    ASSERT_TRUE(lc) << lc.error().message;
    EXPECT_EQ(lc->Transitions().size(), 2U);
}

TEST_F(LifecycleFile, UnknownKeysAreRefused) {
    ExpectRefused(
        Replace(kSmall, "crosses = true", "crosses = true\nsigned = 1"), "unknown key 'signed'"
    );
    ExpectRefused(std::string(kSmall) + "colour = 1\n", "unknown key 'colour'");
}

TEST_F(LifecycleFile, TheInitialStateMustBeAState) {
    ExpectRefused(Replace(kSmall, "initial = \"a\"", "initial = \"q\""), "initial state 'q'");
    ExpectRefused(Replace(kSmall, "initial = \"a\"", ""), "missing key 'initial'");
}

TEST_F(LifecycleFile, StateIdsAreUniqueWords) {
    ExpectRefused(Replace(kSmall, "id = \"b\"", "id = \"a\""), "state 'a' listed twice");
    ExpectRefused(Replace(kSmall, "id = \"b\"", "id = \"B-1\""), "must be 1-64 of a-z and _");
}

TEST_F(LifecycleFile, TransitionIdsAreUnique) {
    ExpectRefused(Replace(kSmall, "id = \"end\"", "id = \"go\""), "transition 'go' listed twice");
}

TEST_F(LifecycleFile, TransitionsNameKnownStates) {
    ExpectRefused(Replace(kSmall, "from = [\"a\"]", "from = [\"x\"]"), "unknown state 'x'");
    ExpectRefused(Replace(kSmall, "to = \"b\"", "to = \"y\""), "unknown state 'y'");
    ExpectRefused(Replace(kSmall, "from = [\"a\"]", "from = []"), "'from' names no state");
}

TEST_F(LifecycleFile, NothingLeavesAFinalState) {
    ExpectRefused(
        Replace(kSmall, "from = [\"b\"]", "from = [\"b\", \"z\"]"), "leaves final state 'z'"
    );
    // A step that keeps the state may be taken in a final one (an obligation's report after the
    // case closed): it does not leave it.
    {
        std::ofstream out(file_);
        out << kSmall
            << "[[transition]]\nid = \"report\"\nfrom = [\"b\", \"z\"]\nside = "
               "\"requested\"\ncrosses = true\n";
    }
    auto lc = Lifecycle::Load(file_, &testing::TestCatalog());
    ASSERT_TRUE(lc) << lc.error().message;
    StepRequest report;
    report.state = "z";
    report.transition = "report";
    report.side = Side::kRequested;
    auto checked = lc->Check(report, testing::TestCatalog());
    ASSERT_TRUE(checked) << checked.error().message;
    EXPECT_TRUE((*checked)->to.empty());
}

TEST_F(LifecycleFile, TheSideIsOneOfThree) {
    ExpectRefused(Replace(kSmall, "side = \"requested\"", "side = \"judge\""), "side 'judge'");
}

TEST_F(LifecycleFile, ASystemTransitionDoesNotCross) {
    ExpectRefused(
        Replace(kSmall, "side = \"requesting\"", "side = \"system\""), "a system transition"
    );
}

TEST_F(LifecycleFile, EveryStateIsReachable) {
    ExpectRefused(
        Replace(
            kSmall,
            "[[transition]]\nid = \"go\"",
            "[[state]]\nid = \"lost\"\n[[transition]]\nid = \"go\""
        ),
        "state 'lost' cannot be reached"
    );
}

TEST_F(LifecycleFile, EveryStateThatIsNotFinalHasAWayOut) {
    ExpectRefused(Replace(kSmall, "final = true", ""), "state 'z' is not final");
}

TEST_F(LifecycleFile, OverridesNameKnownInstrumentsTypesCitationsAndTransitions) {
    const std::string good = std::string(kSmall) +
                             "[[override]]\ninstrument = \"uncac\"\ncite = \"uncac:46(26)\"\n"
                             "restrict = [{ transition = \"end\", from = [\"b\"] }]\n";
    std::ofstream(file_) << good;
    ASSERT_TRUE(Lifecycle::Load(file_, &testing::TestCatalog()));
    ExpectRefused(
        Replace(good, "instrument = \"uncac\"", "instrument = \"nope\""),
        "unknown instrument 'nope'"
    );
    ExpectRefused(
        Replace(good, "cite = \"uncac:46(26)\"", "cite = \"uncac:46(26)\"\nrequest_type = \"x\""),
        "unknown request type 'x'"
    );
    ExpectRefused(Replace(good, "uncac:46(26)", "uncac:999"), "names no known article");
    ExpectRefused(
        Replace(good, "transition = \"end\"", "transition = \"fly\""), "unknown transition 'fly'"
    );
    ExpectRefused(Replace(good, "from = [\"b\"] }", "from = [] }"), "at least one state");
    ExpectRefused(Replace(good, "from = [\"b\"] }", "from = [\"a\"] }"), "widens it");
    ExpectRefused(
        Replace(good, "restrict = [{ transition = \"end\", from = [\"b\"] }]", ""),
        "restricts nothing"
    );
    ExpectRefused(good + good.substr(good.find("[[override]]")), "a second override");
}

// Check: one test per step rule.
struct Step {
    std::string state;
    std::string transition;
    Side side{Side::kRequested};
    std::string instrument{"budapest"};
    std::string request_type{"mla_stored_data"};
    std::vector<std::string> grounds;
    std::string reasons;
};

Step S(std::string state, std::string transition, Side side = Side::kRequested) {
    Step s;
    s.state = std::move(state);
    s.transition = std::move(transition);
    s.side = side;
    return s;
}

Result<const Transition*> Check(const Step& s) {
    return Shipped().Check(
        StepRequest{
            s.state, s.transition, s.side, s.instrument, s.request_type, s.grounds, s.reasons},
        testing::TestCatalog()
    );
}

void ExpectRule(const Step& s, StepRule rule) {
    auto r = Check(s);
    ASSERT_FALSE(r) << s.transition << " from " << s.state;
    EXPECT_EQ(StepRuleOf(r.error()), rule) << r.error().message;
}

TEST(LifecycleCheck, AValidStepReturnsItsTransition) {
    auto r = Check(
        {"acknowledged",
         "refuse",
         Side::kRequested,
         "budapest",
         "mla_stored_data",
         {"sovereignty"},
         "essential interests"}
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)->to, "refused");
}

TEST(LifecycleCheck, UnknownTransition) {
    ExpectRule(S("sent", "teleport"), StepRule::kUnknownTransition);
}

TEST(LifecycleCheck, WrongSide) {
    ExpectRule(S("acknowledged", "close", Side::kRequested), StepRule::kWrongSide);
    ExpectRule(S("sent", "deliver", Side::kRequesting), StepRule::kWrongSide);
}

TEST(LifecycleCheck, EitherPartyTakesABothSidedTransitionButNeverTheNode) {
    EXPECT_TRUE(Check(S("accepted", "propose_hearing", Side::kRequested)));
    EXPECT_TRUE(Check(S("accepted", "propose_hearing", Side::kRequesting)));
    ExpectRule(S("accepted", "propose_hearing", Side::kSystem), StepRule::kWrongSide);
    ExpectRule(S("accepted", "propose_hearing", Side::kBoth), StepRule::kWrongSide);
    ExpectRule(S("sent", "propose_hearing", Side::kRequesting), StepRule::kWrongState);
}

TEST(LifecycleCheck, WrongState) {
    ExpectRule(S("draft", "accept"), StepRule::kWrongState);
    ExpectRule(S("closed", "status_query", Side::kRequesting), StepRule::kWrongState);
}

TEST(LifecycleCheck, ConsultFirstUnderUncac) {
    Step s{
        "acknowledged",
        "refuse",
        Side::kRequested,
        "uncac",
        "mla_stored_data",
        {"sovereignty"},
        "reasons"};
    ExpectRule(s, StepRule::kConsultFirst);
    s.state = "consultation";
    EXPECT_TRUE(Check(s));
}

TEST(LifecycleCheck, GroundsMissing) {
    ExpectRule(
        {"acknowledged", "refuse", Side::kRequested, "budapest", "mla_stored_data", {}, "reasons"},
        StepRule::kGroundsMissing
    );
}

TEST(LifecycleCheck, GroundNotOfTheBasis) {
    // human_rights_un is a ground of the UN Convention, not of Budapest 31.
    ExpectRule(
        {"acknowledged",
         "refuse",
         Side::kRequested,
         "budapest",
         "mla_stored_data",
         {"human_rights_un"},
         "r"},
        StepRule::kGroundNotAllowed
    );
    ExpectRule(
        {"acknowledged",
         "accept",
         Side::kRequested,
         "budapest",
         "mla_stored_data",
         {"sovereignty"},
         ""},
        StepRule::kGroundNotAllowed
    );
}

TEST(LifecycleCheck, ReasonsMissing) {
    ExpectRule(
        {"acknowledged",
         "refuse",
         Side::kRequested,
         "budapest",
         "mla_stored_data",
         {"sovereignty"},
         "  \n"},
        StepRule::kReasonsMissing
    );
}

TEST(LifecycleCheck, StepErrorsCarryTheirRuleAndOtherErrorsDoNot) {
    EXPECT_EQ(StepRuleOf(StepError(StepRule::kSelfApproval, "x")), StepRule::kSelfApproval);
    EXPECT_EQ(StepError(StepRule::kConsultFirst, "x").reason, "consult_first");
    EXPECT_EQ(StepRuleOf(MakeError(ErrorCode::kInvalidArgument, "wrong_state")), std::nullopt);
    EXPECT_EQ(StepRuleOf(MakeError(ErrorCode::kNotFound, "wrong_state: x")), std::nullopt);
}

}  // namespace
}  // namespace concord::legal
