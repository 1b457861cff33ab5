#include "concord/app/case_obligations.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "concord/app/case_deadlines.hpp"
#include "concord/app/domain_events.hpp"

#include "app_test_support.hpp"
#include "case_test_support.hpp"

namespace concord::app {
namespace {

std::filesystem::path Instruments() {
    return std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments";
}

std::string Example(const std::string& name) {
    std::ifstream in(Instruments() / "examples" / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Both nodes run the obligation hook on the shipped rules; B (jp.central, the requested party)
// also runs the deadline engine on a fake clock and the case deadline hook, as a node does.
class CaseObligationsTest : public testing::TwoNodes {
protected:
    void SetUp() override {
        TwoNodes::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto obligations = legal::LoadObligationRules(Instruments() / "obligations.toml");
        ASSERT_TRUE(obligations) << obligations.error().ToString();
        obligations_ = std::move(*obligations);
        auto deadlines = legal::LoadDeadlineRules(Instruments() / "deadlines.toml");
        ASSERT_TRUE(deadlines) << deadlines.error().ToString();
        deadline_rules_ = std::move(*deadlines);
        Close(a_);
        Close(b_);
        DeadlineHooks hooks;
        hooks.now = clock_.Function();
        engine_ = std::make_unique<DeadlineEngine>(*b_.store, hooks);
        case_deadlines_ = std::make_unique<CaseDeadlines>(deadline_rules_, *engine_);
        for (testing::NodeUnderTest* n : {&a_, &b_}) {
            auto leaf = [n](store::Transaction& tx, const boost::json::object& l) {
                return n->node->AppendEvent(tx, l);
            };
            auto hook = std::make_unique<CaseObligations>(
                obligations_, deadline_rules_, n == &b_ ? engine_.get() : nullptr, leaf
            );
            CaseHooks case_hooks;
            CaseObligations* raw = hook.get();
            CaseDeadlines* deadlines_hook = n == &b_ ? case_deadlines_.get() : nullptr;
            case_hooks.on_state_change =
                [raw, deadlines_hook](
                    store::Transaction& tx, const Case& c, const StateChange& s
                ) -> Result<void> {
                if (deadlines_hook != nullptr) {
                    CONCORD_RETURN_IF_ERROR(deadlines_hook->OnStateChange(tx, c, s));
                }
                return raw->OnStateChange(tx, c, s);
            };
            hooks_.push_back(std::move(hook));
            n->cases = std::make_unique<CaseService>(
                *n->store, testing::Catalog(), testing::Lifecycle(), case_hooks
            );
            ASSERT_TRUE(Open(*n));
        }
    }

    Result<Case> StepB(
        const Case& c,
        const std::string& transition,
        std::vector<std::string> grounds = {},
        const std::string& reasons = ""
    ) {
        auto done =
            b_.cases->Transition(dora_, c.id, StepInput{transition, std::move(grounds), reasons});
        Settle();
        return done;
    }

    std::optional<CaseObligation> Obligation(testing::NodeUnderTest& n, const std::string& id) {
        auto view = n.cases->Read(n.id == a_.id ? alice_ : dora_, id);
        EXPECT_TRUE(view) << view.error().ToString();
        return view ? view->obligation : std::nullopt;
    }

    std::vector<Deadline> DeadlinesOf(const Case& c) {
        auto list = engine_->ForCase(c.id);
        EXPECT_TRUE(list) << list.error().ToString();
        return list ? *list : std::vector<Deadline>{};
    }

    std::vector<std::string> Listed(testing::NodeUnderTest& n, const ObligationFilter& f) {
        auto list = CaseObligations::List(*n.store, n.id == a_.id ? alice_ : dora_, f);
        EXPECT_TRUE(list) << list.error().ToString();
        std::vector<std::string> ids;
        for (const ListedObligation& l : list ? *list : std::vector<ListedObligation>{}) {
            ids.push_back(l.obligation.case_id);
        }
        return ids;
    }

    testing::FakeClock clock_{1'800'000'000'000};
    legal::ObligationRules obligations_;
    legal::DeadlineRules deadline_rules_;
    std::unique_ptr<DeadlineEngine> engine_;
    std::unique_ptr<CaseDeadlines> case_deadlines_;
    std::vector<std::unique_ptr<CaseObligations>> hooks_;
};

TEST_P(CaseObligationsTest, ARefusalOnNationalityOpensAnObligationThatItsReportedStepsClose) {
    auto [out_id, in] = SendToB(Example("extradition.json"));
    ASSERT_TRUE(StepB(in, "acknowledge"));
    EXPECT_FALSE(Obligation(b_, in.id));
    ASSERT_TRUE(StepB(in, "refuse", {"nationality"}, "The person sought is a national of JP."));

    // Both parties hold it; the requested party owes it and watches its first step.
    std::optional<CaseObligation> owed = Obligation(b_, in.id);
    std::optional<CaseObligation> followed = Obligation(a_, out_id);
    ASSERT_TRUE(owed);
    ASSERT_TRUE(followed);
    EXPECT_TRUE(owed->owed_here);
    EXPECT_FALSE(followed->owed_here);
    for (const CaseObligation& o : {*owed, *followed}) {
        EXPECT_EQ(o.state, ObligationState::kOpened);
        EXPECT_EQ(o.rule, "budapest.extradite_or_prosecute");
        EXPECT_EQ(o.cite, "budapest:24(6)");
        EXPECT_EQ(o.ground, "nationality");
        EXPECT_EQ(o.due_ms, o.opened_ms + deadline_rules_.From("refusal")->duration_ms);
    }
    std::vector<Deadline> watched = DeadlinesOf(in);
    ASSERT_EQ(watched.size(), 1U);
    EXPECT_EQ(watched[0].kind, "obligation.submission");
    EXPECT_EQ(watched[0].due_ms, owed->due_ms);

    // The requesting party closes its case; the obligation outlives it at both.
    ASSERT_TRUE(a_.cases->Transition(alice_, out_id, StepInput{"close", {}, ""}));
    Settle();
    ASSERT_EQ(b_.cases->Summary(dora_, in.id)->state, "closed");
    EXPECT_EQ(DeadlinesOf(in)[0].state, DeadlineState::kOpen);

    ASSERT_TRUE(StepB(in, "submit_for_prosecution", {}, "Tokyo District Public Prosecutors"));
    ASSERT_TRUE(StepB(in, "decide_to_prosecute"));
    ASSERT_TRUE(StepB(in, "report_outcome", {}, "Convicted on 1 June; three years."));

    owed = Obligation(b_, in.id);
    followed = Obligation(a_, out_id);
    for (const CaseObligation& o : {*owed, *followed}) {
        EXPECT_EQ(o.state, ObligationState::kReported);
        EXPECT_EQ(o.decision, "prosecute");
        EXPECT_EQ(o.submission, "Tokyo District Public Prosecutors");
        EXPECT_EQ(o.outcome, "Convicted on 1 June; three years.");
        EXPECT_GT(o.reported_ms, 0);
        EXPECT_EQ(o.due_ms, 0);
    }
    // Each step met the deadline of the one before and started the next; none runs now.
    std::vector<std::string> kinds;
    for (const Deadline& d : DeadlinesOf(in)) {
        kinds.push_back(d.kind);
        EXPECT_EQ(d.state, DeadlineState::kMet) << d.kind;
    }
    EXPECT_EQ(
        kinds,
        (std::vector<std::string>{
            "obligation.submission", "obligation.decision", "obligation.report"})
    );

    // The opening is a typed domain event at both (statistics count obligations from it).
    for (testing::NodeUnderTest* n : {&a_, &b_}) {
        auto tx = n->store->Begin();
        ASSERT_TRUE(tx);
        auto events = ReadDomainEvents(**tx, 0, 1000);
        ASSERT_TRUE(events);
        int opened = 0;
        for (const DomainEvent& e : *events) {
            if (e.kind == "obligation_opened") {
                ++opened;
                EXPECT_EQ(e.grounds, std::vector<std::string>{"nationality"});
                EXPECT_EQ(e.to_state, "opened");
            }
        }
        EXPECT_EQ(opened, 1) << n->id;
    }
}

TEST_P(CaseObligationsTest, AStepWithoutAnObligationInItsStateIsRefusedAndChangesNothing) {
    // A refused request of another type opens nothing, and its steps are refused.
    auto [mla_out, mla] = SendToB(testing::ExampleRequest());
    ASSERT_TRUE(StepB(mla, "acknowledge"));
    const auto& grounds = testing::Catalog()
                              .request_types.at("mla_stored_data")
                              .FindBasis("budapest")
                              ->refusal_grounds;
    ASSERT_FALSE(grounds.empty());
    ASSERT_TRUE(StepB(mla, "refuse", {grounds.front()}, "Refused."));
    EXPECT_FALSE(Obligation(b_, mla.id));
    const std::size_t steps = b_.cases->Read(dora_, mla.id)->timeline.size();
    auto missing = StepB(mla, "submit_for_prosecution", {}, "x");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(missing.error().message.starts_with("obligation_missing:"))
        << missing.error().message;
    EXPECT_EQ(b_.cases->Read(dora_, mla.id)->timeline.size(), steps);

    // Out of order: a decision before the submission, a report before the decision.
    auto [out_id, in] = SendToB(Example("extradition.json"));
    ASSERT_TRUE(StepB(in, "acknowledge"));
    ASSERT_TRUE(StepB(in, "refuse", {"nationality"}, "National."));
    for (const char* early : {"decide_to_prosecute", "report_outcome"}) {
        auto refused = StepB(in, early, {}, "early");
        ASSERT_FALSE(refused) << early;
        EXPECT_TRUE(refused.error().message.starts_with("obligation_wrong_state:"))
            << refused.error().message;
    }
    EXPECT_EQ(Obligation(b_, in.id)->state, ObligationState::kOpened);
    // The requesting party cannot report the requested party's steps.
    auto wrong_side =
        a_.cases->Transition(alice_, out_id, StepInput{"submit_for_prosecution", {}, ""});
    ASSERT_FALSE(wrong_side);
    EXPECT_EQ(legal::StepRuleOf(wrong_side.error()), legal::StepRule::kWrongSide);
    // A decision not to prosecute needs its reasons (lifecycle.toml).
    ASSERT_TRUE(StepB(in, "submit_for_prosecution"));
    auto bare = StepB(in, "decide_not_to_prosecute");
    ASSERT_FALSE(bare);
    EXPECT_EQ(legal::StepRuleOf(bare.error()), legal::StepRule::kReasonsMissing);
    ASSERT_TRUE(StepB(in, "decide_not_to_prosecute", {}, "Insufficient evidence."));
    EXPECT_EQ(Obligation(a_, out_id)->decision, "not_prosecute");
    EXPECT_EQ(Obligation(a_, out_id)->decision_reasons, "Insufficient evidence.");
}

TEST_P(CaseObligationsTest, AnOverdueObligationIsListedAtBothPartiesAndItsDeadlineBreaches) {
    auto [out_id, in] = SendToB(Example("extradition.json"));
    ASSERT_TRUE(StepB(in, "acknowledge"));
    ASSERT_TRUE(StepB(in, "refuse", {"nationality"}, "National."));
    // Each party counts from the moment it recorded the refusal (the requesting party's copy
    // from its arrival), so each has its own due instant.
    const CaseObligation o = *Obligation(b_, in.id);
    const CaseObligation followed = *Obligation(a_, out_id);
    for (auto [node, due, id] :
         {std::tuple{&a_, followed.due_ms, out_id}, std::tuple{&b_, o.due_ms, in.id}}) {
        ObligationFilter before;
        before.overdue_at_ms = due;  // due exactly now: not yet overdue
        ObligationFilter after;
        after.overdue_at_ms = due + 1;
        EXPECT_EQ(Listed(*node, before), std::vector<std::string>{});
        EXPECT_EQ(Listed(*node, after), std::vector<std::string>{id});
    }
    // Someone who may read no case lists nothing.
    const std::vector<ListedObligation> none = *CaseObligations::List(
        *b_.store, testing::Person("nobody", "desk", {}), ObligationFilter{}
    );
    EXPECT_TRUE(none.empty());
    ObligationFilter submitted;
    submitted.state = ObligationState::kSubmitted;
    EXPECT_EQ(Listed(b_, submitted), std::vector<std::string>{});
    ObligationFilter bad;
    bad.limit = 0;
    EXPECT_FALSE(CaseObligations::List(*b_.store, dora_, bad));

    clock_.Set(o.due_ms);
    ASSERT_TRUE(engine_->FireDue());
    EXPECT_EQ(DeadlinesOf(in)[0].state, DeadlineState::kBreached);
    // A late submission is still recorded; the breach stays.
    ASSERT_TRUE(StepB(in, "submit_for_prosecution", {}, "Late."));
    EXPECT_EQ(Obligation(a_, out_id)->state, ObligationState::kSubmitted);
    EXPECT_EQ(DeadlinesOf(in)[0].state, DeadlineState::kBreached);
    // A list carries no free text of the steps; reading the case does.
    const std::vector<ListedObligation> listed =
        *CaseObligations::List(*b_.store, dora_, ObligationFilter{});
    ASSERT_EQ(listed.size(), 1U);
    EXPECT_EQ(listed[0].obligation.state, ObligationState::kSubmitted);
    EXPECT_EQ(listed[0].obligation.submission, "");
    EXPECT_EQ(Obligation(b_, in.id)->submission, "Late.");
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    CaseObligationsTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
