#include "concord/app/deadlines.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"

#include "app_test_support.hpp"

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::FakeClock;

constexpr std::int64_t kT0 = 1'800'000'000'000;  // 2027-01-15
constexpr std::int64_t kHour = 3'600'000;

class RecordingWebhook : public Webhook {
public:
    Result<void> Notify(const std::string& json) override {
        std::scoped_lock lock(mu_);
        bodies_.push_back(json);
        return {};
    }
    std::vector<std::string> Bodies() {
        std::scoped_lock lock(mu_);
        return bodies_;
    }

private:
    std::mutex mu_;
    std::vector<std::string> bodies_;
};

class DeadlinesTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        store_ = OpenStore("deadlines");
        ASSERT_NE(store_, nullptr);
        ASSERT_TRUE(store_->Migrate(DeadlineEngine::Migrations()));
    }

    DeadlineHooks Hooks() {
        DeadlineHooks hooks;
        hooks.now = clock_.Function();
        hooks.append_leaf = [this](store::Transaction&, const boost::json::object& leaf) {
            std::scoped_lock lock(mu_);
            leaves_.push_back(boost::json::serialize(leaf));
            return Result<std::uint64_t>(leaves_.size());
        };
        hooks.on_live = [this](std::string_view name, const std::string&) {
            std::scoped_lock lock(mu_);
            live_.emplace_back(name);
        };
        hooks.webhook = &webhook_;
        return hooks;
    }

    DeadlineSpec Spec(std::int64_t duration, std::int64_t warn_before, std::string backup = "") {
        return DeadlineSpec{
            "case-1", "epoc.response", clock_.Now(), duration, warn_before, std::move(backup)};
    }

    std::vector<std::string> Live() {
        std::scoped_lock lock(mu_);
        return live_;
    }
    std::vector<std::string> Leaves() {
        std::scoped_lock lock(mu_);
        return leaves_;
    }

    FakeClock clock_{kT0};
    std::unique_ptr<store::Store> store_;
    RecordingWebhook webhook_;
    std::mutex mu_;
    std::vector<std::string> leaves_;
    std::vector<std::string> live_;
};

TEST_P(DeadlinesTest, WarnsThenBreachesAtTheirInstantsAndEscalatesToTheBackup) {
    DeadlineEngine engine(*store_, Hooks());
    auto d = engine.Start(Actor::Node(), Spec(10 * kHour, 2 * kHour, "backup.officer"));
    ASSERT_TRUE(d) << d.error().ToString();
    EXPECT_EQ(d->due_ms, kT0 + 10 * kHour);
    EXPECT_EQ(engine.NextInstant(), kT0 + 8 * kHour);

    clock_.Set(kT0 + 8 * kHour - 1);
    EXPECT_EQ(*engine.FireDue(), 0);
    clock_.Set(kT0 + 8 * kHour);
    EXPECT_EQ(*engine.FireDue(), 1);
    EXPECT_EQ(engine.Get(d->id)->state, DeadlineState::kWarned);
    EXPECT_EQ(engine.NextInstant(), kT0 + 10 * kHour);
    EXPECT_TRUE(webhook_.Bodies().empty());

    clock_.Set(kT0 + 10 * kHour);
    EXPECT_EQ(*engine.FireDue(), 1);
    auto breached = engine.Get(d->id);
    EXPECT_EQ(breached->state, DeadlineState::kBreached);
    EXPECT_EQ(breached->closed_ms, kT0 + 10 * kHour);
    EXPECT_FALSE(engine.NextInstant().has_value());

    auto alerts = engine.Alerts(10, true);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 2U);
    EXPECT_EQ(alerts->front().kind, "deadline.breached");
    EXPECT_EQ(alerts->front().recipients, std::vector<std::string>{"backup.officer"});
    // The facts the UI words the alert from, as read back from the store.
    EXPECT_EQ(
        alerts->front().facts,
        (std::map<std::string, std::string>{
            {"deadline_kind", "epoc.response"}, {"due", FormatTimestamp(kT0 + 10 * kHour)}})
    );
    EXPECT_EQ(alerts->back().kind, "deadline.warned");
    EXPECT_EQ(alerts->back().facts.at("deadline_kind"), "epoc.response");
    EXPECT_EQ(
        Live(),
        (std::vector<std::string>{"deadline.started", "deadline.warned", "deadline.breached"})
    );
    ASSERT_EQ(webhook_.Bodies().size(), 1U);
    EXPECT_NE(webhook_.Bodies()[0].find("deadline.breached"), std::string::npos);
    auto leaves = Leaves();
    ASSERT_EQ(leaves.size(), 3U);
    EXPECT_NE(leaves[2].find("\"actor\":\"node\""), std::string::npos);
}

TEST_P(DeadlinesTest, ADeadlineThatPassedWhileTheNodeWasDownFiresAtStart) {
    std::string id;
    {
        DeadlineEngine engine(*store_, Hooks());
        auto d = engine.Start(Actor::Node(), Spec(8 * kHour, 0));
        ASSERT_TRUE(d);
        id = d->id;
    }
    store_.reset();
    clock_.Set(kT0 + 9 * kHour);  // the node was down past the due instant
    store_ = OpenStore("deadlines");
    ASSERT_NE(store_, nullptr);
    DeadlineEngine engine(*store_, Hooks());
    ASSERT_EQ(*engine.Load(), 1U);
    EXPECT_EQ(engine.NextInstant(), kT0 + 8 * kHour);
    EXPECT_EQ(*engine.FireDue(), 1);
    auto d = engine.Get(id);
    EXPECT_EQ(d->state, DeadlineState::kBreached);
    EXPECT_EQ(d->closed_ms, kT0 + 9 * kHour);
}

TEST_P(DeadlinesTest, TheTimerThreadFiresAPastDueDeadlineLoadedAtStart) {
    // Real clock: a deadline already due when the thread starts fires without any sweep.
    DeadlineHooks hooks = Hooks();
    hooks.now = nullptr;
    DeadlineEngine engine(*store_, hooks);
    DeadlineSpec spec{"case-2", "epoc.emergency", 1'000, 1'000, 0, ""};
    auto d = engine.Start(Actor::Node(), spec);
    ASSERT_TRUE(d);
    engine.Run();
    EXPECT_TRUE(testing::WaitFor([&] {
        return engine.Get(d->id)->state == DeadlineState::kBreached;
    }));
    engine.Stop();
}

TEST_P(DeadlinesTest, SuspensionMovesTheDueInstantByTheTimeSuspended) {
    DeadlineEngine engine(*store_, Hooks());
    auto d = engine.Start(Actor::Node(), Spec(10 * kHour, kHour));
    ASSERT_TRUE(d);
    clock_.Set(kT0 + 2 * kHour);
    auto s = engine.Suspend(Actor::Node(), d->id, "clarification requested");
    ASSERT_TRUE(s) << s.error().ToString();
    EXPECT_EQ(s->state, DeadlineState::kSuspended);
    EXPECT_FALSE(engine.NextInstant().has_value());

    clock_.Set(kT0 + 20 * kHour);  // past the original due instant: nothing fires
    EXPECT_EQ(*engine.FireDue(), 0);
    auto r = engine.Resume(Actor::Node(), d->id);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->state, DeadlineState::kOpen);
    EXPECT_EQ(r->due_ms, kT0 + 28 * kHour);
    EXPECT_EQ(r->warn_ms, kT0 + 27 * kHour);
    EXPECT_EQ(engine.NextInstant(), kT0 + 27 * kHour);

    EXPECT_EQ(engine.Resume(Actor::Node(), d->id).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(engine.Suspend(Actor::Node(), d->id, "").error().code, ErrorCode::kInvalidArgument);
}

TEST_P(DeadlinesTest, ExtensionMovesTheDueInstantAndIsRecordedWithItsReason) {
    DeadlineEngine engine(*store_, Hooks());
    auto d = engine.Start(Actor::Node(), Spec(10 * kHour, 2 * kHour));
    ASSERT_TRUE(d);
    clock_.Set(kT0 + 9 * kHour);
    EXPECT_EQ(*engine.FireDue(), 1);  // warned
    Actor officer;
    officer.kind = Actor::Kind::kUser;
    officer.user_id = "ana";
    auto e = engine.Extend(officer, d->id, 24 * kHour, "art. 10(4): proportionate delay agreed");
    ASSERT_TRUE(e) << e.error().ToString();
    EXPECT_EQ(e->due_ms, kT0 + 34 * kHour);
    EXPECT_EQ(e->state, DeadlineState::kOpen);  // the warning will come again before the new due
    ASSERT_EQ(e->extensions.size(), 1U);
    EXPECT_EQ(e->extensions[0].reason, "art. 10(4): proportionate delay agreed");
    EXPECT_EQ(e->extensions[0].actor, "user:ana");
    EXPECT_EQ(e->extensions[0].by_ms, 24 * kHour);

    clock_.Set(kT0 + 10 * kHour);  // the old due instant: no breach
    EXPECT_EQ(*engine.FireDue(), 0);
    EXPECT_EQ(engine.Get(d->id)->state, DeadlineState::kOpen);
    EXPECT_EQ(engine.NextInstant(), kT0 + 32 * kHour);

    EXPECT_EQ(engine.Extend(officer, d->id, 0, "x").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(engine.Extend(officer, d->id, kHour, "").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(engine.Get(d->id)->due_ms, kT0 + 34 * kHour);  // refused: nothing changed
}

TEST_P(DeadlinesTest, MetAndCancelledDeadlinesNeverFire) {
    DeadlineEngine engine(*store_, Hooks());
    auto a = engine.Start(Actor::Node(), Spec(kHour, 0));
    auto b = engine.Start(Actor::Node(), Spec(kHour, 0));
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(engine.Met(Actor::Node(), a->id));
    ASSERT_TRUE(engine.Cancel(Actor::Node(), b->id, "request withdrawn"));
    clock_.Set(kT0 + 2 * kHour);
    EXPECT_EQ(*engine.FireDue(), 0);
    EXPECT_EQ(engine.Get(a->id)->state, DeadlineState::kMet);
    EXPECT_EQ(engine.Get(b->id)->state, DeadlineState::kCancelled);
    EXPECT_EQ(engine.Met(Actor::Node(), a->id).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(engine.Met(Actor::Node(), "nope").error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(webhook_.Bodies().empty());
}

TEST_P(DeadlinesTest, BadSpecsAreRefusedAndStoreNothing) {
    DeadlineEngine engine(*store_, Hooks());
    EXPECT_EQ(engine.Start(Actor::Node(), Spec(0, 0)).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(
        engine.Start(Actor::Node(), Spec(kHour, kHour)).error().code, ErrorCode::kInvalidArgument
    );
    DeadlineSpec no_case = Spec(kHour, 0);
    no_case.case_id.clear();
    EXPECT_EQ(engine.Start(Actor::Node(), no_case).error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(engine.ForCase("case-1")->empty());
    EXPECT_EQ(engine.Watched(), 0U);
}

TEST_P(DeadlinesTest, QueryPerCaseAndListDue) {
    DeadlineEngine engine(*store_, Hooks());
    ASSERT_TRUE(engine.Start(Actor::Node(), Spec(3 * kHour, 0)));
    ASSERT_TRUE(engine.Start(Actor::Node(), Spec(kHour, 0)));
    DeadlineSpec other{"case-9", "budapest.preservation", kT0, 2 * kHour, 0, ""};
    ASSERT_TRUE(engine.Start(Actor::Node(), other));
    EXPECT_EQ(engine.ForCase("case-1")->size(), 2U);
    EXPECT_EQ(engine.ForCase("case-9")->size(), 1U);
    auto due = engine.ListDue(kT0 + 2 * kHour, 10);
    ASSERT_TRUE(due);
    ASSERT_EQ(due->size(), 2U);
    EXPECT_EQ((*due)[0].due_ms, kT0 + kHour);
    EXPECT_EQ((*due)[1].case_id, "case-9");
}

TEST_P(DeadlinesTest, AFailedStartInTheCallersTransactionSchedulesNothing) {
    DeadlineEngine engine(*store_, Hooks());
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(engine.StartIn(**tx, Actor::Node(), Spec(kHour, 0)));
        (*tx)->Rollback();
    }
    EXPECT_EQ(engine.Watched(), 0U);
    EXPECT_TRUE(engine.ForCase("case-1")->empty());
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    DeadlinesTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
