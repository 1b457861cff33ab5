#include "concord/app/case_deadlines.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "case_test_support.hpp"

namespace concord::app {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;

// The shipped rules, plus one for the example MLA request (the shipped file has none for it)
// so that a response deadline runs on the two-node fixture's Budapest MLA case.
legal::DeadlineRules Rules() {
    auto rules = legal::LoadDeadlineRules(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "deadlines.toml"
    );
    EXPECT_TRUE(rules) << rules.error().ToString();
    legal::DeadlineRule mla;
    mla.id = "test.mla.response";
    mla.instrument = "budapest";
    mla.request_type = "mla_stored_data";
    mla.priority = legal::RulePriority::kAny;
    mla.obligation = legal::Obligation::kResponse;
    mla.from = "receipt";
    mla.duration_ms = 10 * kDay;
    mla.warn_before_ms = 2 * kDay;
    mla.cite = "budapest:25";
    rules->rules.push_back(mla);
    return std::move(*rules);
}

// The shipped expedited preservation example, addressed to the fixture's requested party.
std::string PreservationRequest() {
    std::ifstream in(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "examples" /
        "expedited-preservation.json"
    );
    std::stringstream text;
    text << in.rdbuf();
    boost::json::object request = boost::json::parse(text.str()).as_object();
    request["requested_party"] = "JP";
    return boost::json::serialize(request);
}

// B (jp.central, the requested party) runs a deadline engine on a fake clock and the case
// deadline hook; A sends the requests.
class CaseDeadlinesTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        Close(b_);
        DeadlineHooks hooks;
        hooks.now = clock_.Function();
        engine_ = std::make_unique<DeadlineEngine>(*b_.store, hooks);
        case_deadlines_ = std::make_unique<CaseDeadlines>(rules_, *engine_);
        CaseHooks case_hooks;
        case_hooks.on_state_change = CaseDeadlines::Hook(*case_deadlines_);
        b_.cases = std::make_unique<CaseService>(
            *b_.store, testing::Catalog(), testing::Lifecycle(), case_hooks
        );
        ASSERT_TRUE(Open(b_));
    }

    // Drafts `request` at A, approves and sends it, and returns B's incoming copy.
    Case SendToB(const std::string& request) {
        auto [out_id, in] = TwoNodes::SendToB(request);
        out_ids_.push_back(out_id);
        return in;
    }

    std::vector<Deadline> On(const Case& c) {
        auto list = engine_->ForCase(c.id);
        EXPECT_TRUE(list) << list.error().ToString();
        return list ? *list : std::vector<Deadline>{};
    }

    void StepB(const Case& c, const std::string& transition, const std::string& reasons = "") {
        auto done = b_.cases->Transition(dora_, c.id, StepInput{transition, {}, reasons});
        ASSERT_TRUE(done) << transition << ": " << done.error().ToString();
        Settle();
    }

    void StepA(std::size_t which, const std::string& transition, const std::string& reasons = "") {
        auto done = a_.cases->Transition(alice_, out_ids_.at(which), {transition, {}, reasons});
        ASSERT_TRUE(done) << transition << ": " << done.error().ToString();
        Settle();
    }

    std::vector<std::string> DueBefore(testing::NodeUnderTest& n, std::int64_t instant) {
        CaseFilter f;
        f.due_before_ms = instant;
        auto found = n.cases->Search(dora_, f);
        EXPECT_TRUE(found) << found.error().ToString();
        std::vector<std::string> ids;
        for (const Case& c : found ? *found : std::vector<Case>{}) {
            ids.push_back(c.id);
        }
        return ids;
    }

    testing::FakeClock clock_{1'800'000'000'000};
    legal::DeadlineRules rules_ = Rules();
    std::unique_ptr<DeadlineEngine> engine_;
    std::unique_ptr<CaseDeadlines> case_deadlines_;
    std::vector<std::string> out_ids_;  // A's ids of the cases sent, in order
};

TEST_P(CaseDeadlinesTest, AReceivedCaseStartsTheRulesDeadlineFromTheReceiptTime) {
    Case in = SendToB(PreservationRequest());
    auto view = b_.cases->Read(dora_, in.id);
    ASSERT_TRUE(view);
    ASSERT_EQ(view->timeline.front().transition, "received");
    const std::int64_t receipt_ms = view->timeline.front().at_ms;
    std::vector<Deadline> list = On(in);
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].kind, "budapest.preservation");
    EXPECT_EQ(list[0].starts_ms, receipt_ms);
    EXPECT_EQ(list[0].due_ms, receipt_ms + 60 * kDay);
    EXPECT_EQ(list[0].warn_ms, receipt_ms + 53 * kDay);
    EXPECT_EQ(list[0].state, DeadlineState::kOpen);
    // The requesting side owes nothing: its outgoing case has no deadline.
    auto out = a_.cases->Search(alice_, CaseFilter{});
    ASSERT_TRUE(out);
    ASSERT_EQ(out->size(), 1U);
    EXPECT_EQ(DueBefore(a_, receipt_ms + 365 * kDay), std::vector<std::string>{});
}

TEST_P(CaseDeadlinesTest, ClarificationSuspendsTheAnswerResumesAndTheResponseMeets) {
    Case in = SendToB(testing::ExampleRequest());
    std::vector<Deadline> list = On(in);
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].kind, "test.mla.response");
    const std::int64_t due = list[0].due_ms;
    EXPECT_EQ(due, in.created_ms + 10 * kDay);

    StepB(in, "acknowledge");
    clock_.Set(in.created_ms + kDay);
    StepB(in, "request_clarification", "Which account?");
    Deadline d = On(in)[0];
    EXPECT_EQ(d.state, DeadlineState::kSuspended);
    EXPECT_EQ(d.suspended_at_ms, in.created_ms + kDay);
    EXPECT_FALSE(engine_->NextInstant().has_value());  // a suspended deadline never fires

    clock_.Set(in.created_ms + kDay + 3 * kHour);
    StepA(0, "answer_clarification", "The account named in field 3.");
    d = On(in)[0];
    EXPECT_EQ(d.state, DeadlineState::kOpen);
    EXPECT_EQ(d.due_ms, due + 3 * kHour);
    EXPECT_EQ(d.warn_ms, due + 3 * kHour - 2 * kDay);

    StepB(in, "accept");
    EXPECT_EQ(On(in)[0].state, DeadlineState::kOpen);
    StepB(in, "execute");
    clock_.Set(in.created_ms + 2 * kDay);
    StepB(in, "respond");
    d = On(in)[0];
    EXPECT_EQ(d.state, DeadlineState::kMet);
    EXPECT_EQ(d.closed_ms, in.created_ms + 2 * kDay);
    // A met deadline never fires, however late it is.
    clock_.Set(due + 30 * kDay);
    EXPECT_EQ(*engine_->FireDue(), 0);
    EXPECT_EQ(On(in)[0].state, DeadlineState::kMet);
}

TEST_P(CaseDeadlinesTest, WithdrawalCancelsEvenASuspendedDeadline) {
    Case first = SendToB(testing::ExampleRequest());
    Case second = SendToB(PreservationRequest());
    StepB(first, "acknowledge");
    StepB(first, "request_clarification", "Which account?");
    ASSERT_EQ(On(first)[0].state, DeadlineState::kSuspended);
    StepA(0, "withdraw", "No longer needed.");
    StepA(1, "withdraw", "No longer needed.");
    for (const Case& c : {first, second}) {
        std::vector<Deadline> list = On(c);
        ASSERT_EQ(list.size(), 1U);
        EXPECT_EQ(list[0].state, DeadlineState::kCancelled);
    }
    EXPECT_FALSE(engine_->NextInstant().has_value());
}

TEST_P(CaseDeadlinesTest, ADeadlineThatPassedWhileTheNodeWasDownFiresAtLoad) {
    Case in = SendToB(testing::ExampleRequest());
    const Deadline d = On(in).at(0);
    Close(b_);
    engine_.reset();
    clock_.Set(d.due_ms + kHour);  // the node was down past the due instant
    DeadlineHooks hooks;
    hooks.now = clock_.Function();
    DeadlineEngine restarted(*b_.store, hooks);
    auto loaded = restarted.Load();
    ASSERT_TRUE(loaded) << loaded.error().ToString();
    EXPECT_EQ(*loaded, 1U);
    EXPECT_EQ(restarted.NextInstant(), d.warn_ms);
    auto fired = restarted.FireDue();
    ASSERT_TRUE(fired) << fired.error().ToString();
    EXPECT_EQ(*fired, 1);
    auto after = restarted.Get(d.id);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->state, DeadlineState::kBreached);
    EXPECT_EQ(after->closed_ms, d.due_ms + kHour);
    EXPECT_FALSE(restarted.NextInstant().has_value());
}

TEST_P(CaseDeadlinesTest, SearchByDueBeforeReturnsExactlyTheCasesWithARunningDeadlineDueEarlier) {
    Case mla = SendToB(testing::ExampleRequest());   // due after 10 days
    Case preserve = SendToB(PreservationRequest());  // due after 60 days
    const std::int64_t mla_due = On(mla).at(0).due_ms;
    const std::int64_t preserve_due = On(preserve).at(0).due_ms;
    ASSERT_LT(mla_due, preserve_due);
    EXPECT_EQ(DueBefore(b_, mla_due), std::vector<std::string>{});  // strictly before
    EXPECT_EQ(DueBefore(b_, mla_due + 1), std::vector<std::string>{mla.id});
    EXPECT_EQ(DueBefore(b_, preserve_due + 1), (std::vector<std::string>{preserve.id, mla.id}));
    // Other filters still apply.
    CaseFilter f;
    f.due_before_ms = preserve_due + 1;
    f.request_type = "mla_stored_data";
    auto typed = b_.cases->Search(dora_, f);
    ASSERT_TRUE(typed);
    ASSERT_EQ(typed->size(), 1U);
    EXPECT_EQ(typed->at(0).id, mla.id);
    // Every listed case carries its next due instant; the requesting side's copy has none.
    EXPECT_EQ(typed->at(0).next_due_ms, mla_due);
    auto outgoing = a_.cases->Search(alice_, CaseFilter{});
    ASSERT_TRUE(outgoing);
    ASSERT_EQ(outgoing->size(), 2U);
    EXPECT_FALSE(outgoing->at(0).next_due_ms.has_value());
    // A suspended deadline is not running: its case is not due.
    StepB(mla, "acknowledge");
    StepB(mla, "request_clarification", "Which account?");
    EXPECT_EQ(DueBefore(b_, preserve_due + 1), std::vector<std::string>{preserve.id});
    // A cancelled one neither.
    StepA(1, "withdraw", "No longer needed.");
    EXPECT_EQ(DueBefore(b_, preserve_due + 1), std::vector<std::string>{});
}

TEST_P(CaseDeadlinesTest, ADueBeforeFilterBeforeTheEpochIsRefused) {
    CaseFilter f;
    f.due_before_ms = -1;
    auto found = b_.cases->Search(dora_, f);
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(found.error().message.find("due_before"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseDeadlinesTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
