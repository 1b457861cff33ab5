#include "concord/app/duty.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"
#include "concord/crypto/init.hpp"

#include "app_test_support.hpp"
#include "test_util.hpp"  // libs/federation/src: test identities and directories

namespace concord::app {
namespace {

using testing::BackendTest;
using testing::FakeClock;
using testing::WaitFor;

constexpr std::int64_t kMinute = 60'000;

// Hands a request for a peer straight to that peer's Node, as the server's handler would.
class InProcessTransport : public federation::Transport {
public:
    void Attach(const std::string& id, federation::Node* node) {
        std::scoped_lock lock(mu_);
        nodes_[id] = node;
    }
    Result<Reply> Send(
        const federation::NodeEntry& peer,
        std::string_view method,
        std::string_view target,
        std::string_view body
    ) override {
        federation::Node* node = nullptr;
        {
            std::scoped_lock lock(mu_);
            auto it = nodes_.find(peer.id);
            if (it == nodes_.end()) {
                return MakeError(ErrorCode::kUnavailable, "connection refused");
            }
            node = it->second;
        }
        if (method == "POST" && target.starts_with("/fed/v1/messages")) {
            auto reply = node->Receive(body, target.find("proof=1") != std::string_view::npos);
            return Reply{reply.status, reply.body};
        }
        return Reply{404, "{}"};
    }

private:
    std::mutex mu_;
    std::map<std::string, federation::Node*> nodes_;
};

class RecordingWebhook : public Webhook {
public:
    Result<void> Notify(const std::string& json) override {
        std::scoped_lock lock(mu_);
        bodies_.push_back(json);
        return {};
    }
    std::size_t Count() {
        std::scoped_lock lock(mu_);
        return bodies_.size();
    }

private:
    std::mutex mu_;
    std::vector<std::string> bodies_;
};

Actor User(std::string login, Role role) {
    Actor actor;
    actor.kind = Actor::Kind::kUser;
    actor.user_id = login;
    actor.display_name = "Officer " + login;
    actor.roles = {role};
    return actor;
}

// Node "a" runs the duty desk (a 24/7 point of contact); node "b" (a central authority) sends
// emergency requests to it and records what comes back.
class DutyDeskTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        ASSERT_TRUE(crypto::Initialize());
        directory_ = federation::testing::MakeDirectory({&a_.entry, &b_.entry});
        store_a_ = OpenStore("a");
        store_b_ = OpenStore("b");
        ASSERT_TRUE(store_a_ && store_b_);
        ASSERT_TRUE(store_a_->Migrate(DeadlineEngine::Migrations()));
        ASSERT_TRUE(store_a_->Migrate(DutyDesk::Migrations()));

        federation::NodeOptions options_a;
        options_a.node_id = "a";
        options_a.on_received =
            [this](store::Transaction& tx, const federation::ReceivedMessage& m) -> Result<void> {
            CONCORD_ASSIGN_OR_RETURN(auto alert, desk_->OnReceivedIn(tx, m));
            (void)alert;
            return {};
        };
        auto node_a = federation::Node::Open(
            *store_a_, federation::testing::CopyKeys(a_.keys), directory_, transport_, options_a
        );
        ASSERT_TRUE(node_a) << node_a.error().ToString();
        node_a_ = std::move(*node_a);

        federation::NodeOptions options_b;
        options_b.node_id = "b";
        options_b.initial_backoff = std::chrono::milliseconds(20);
        options_b.on_received =
            [this](store::Transaction&, const federation::ReceivedMessage& m) -> Result<void> {
            std::scoped_lock lock(mu_);
            received_by_b_.push_back(m);
            return {};
        };
        auto node_b = federation::Node::Open(
            *store_b_, federation::testing::CopyKeys(b_.keys), directory_, transport_, options_b
        );
        ASSERT_TRUE(node_b) << node_b.error().ToString();
        node_b_ = std::move(*node_b);
        transport_.Attach("a", node_a_.get());
        transport_.Attach("b", node_b_.get());

        clock_.Set(NowMillis());
        DeadlineHooks hooks;
        hooks.now = clock_.Function();
        hooks.append_leaf = [this](store::Transaction& tx, const boost::json::object& leaf) {
            return node_a_->AppendEvent(tx, leaf);
        };
        hooks.escalation_recipients = [this](store::Transaction& tx, const Deadline& d) {
            return DutyDesk::EscalationRecipientsIn(tx, d, clock_.Now());
        };
        hooks.webhook = &webhook_;
        engine_ = std::make_unique<DeadlineEngine>(*store_a_, hooks);
        sender_ = std::make_unique<NodeSender>(*node_a_);
        desk_ = std::make_unique<DutyDesk>(*store_a_, *engine_, *sender_, DeskOptions());
        node_a_->Start();
        node_b_->Start();

        ASSERT_TRUE(desk_->SetRoster(
            User("root", Role::kAdministrator),
            {RosterEntry{
                 "ana",
                 clock_.Now() - 60 * kMinute,
                 clock_.Now() + 24 * 60 * kMinute,
                 DutyRole::kPrimary},
             RosterEntry{
                 "ben",
                 clock_.Now() - 60 * kMinute,
                 clock_.Now() + 24 * 60 * kMinute,
                 DutyRole::kBackup}}
        ));
    }

    void TearDown() override {
        if (node_a_) {
            node_a_->Stop();
        }
        if (node_b_) {
            node_b_->Stop();
        }
        desk_.reset();
        BackendTest::TearDown();
    }

    DutyOptions DeskOptions(std::string ack_type = "response") {
        DutyOptions options;
        options.authority = a_.entry.authority;
        options.now = clock_.Function();
        options.acknowledgement_type = std::move(ack_type);
        options.append_leaf = [this](store::Transaction& tx, const boost::json::object& leaf) {
            return node_a_->AppendEvent(tx, leaf);
        };
        return options;
    }

    // B sends an emergency request to A; returns the open duty alert A raised for it.
    AppAlert SendEmergency() {
        federation::OutgoingMessage m;
        m.to = "a";
        m.type = "request";
        m.priority = federation::Priority::kEmergency;
        m.body_json = R"({"summary":"ransomware on a hospital"})";
        auto submitted = node_b_->Submit(m);
        EXPECT_TRUE(submitted) << submitted.error().ToString();
        std::vector<AppAlert> alerts;
        EXPECT_TRUE(WaitFor([&] {
            auto list = engine_->Alerts(10, true);
            alerts = list ? *list : std::vector<AppAlert>{};
            return !alerts.empty();
        }));
        if (alerts.empty()) {
            return {};
        }
        // The heap learns of the deadline in the intake's commit hook, just after the commit
        // that made the alert visible.
        EXPECT_TRUE(WaitFor([&] { return engine_->NextInstant().has_value(); }));
        EXPECT_EQ(alerts[0].message_id, submitted ? submitted->id : "");
        return alerts[0];
    }

    std::vector<federation::ReceivedMessage> ReceivedByB() {
        std::scoped_lock lock(mu_);
        return received_by_b_;
    }

    federation::testing::TestIdentity a_ =
        federation::testing::MakeIdentity("a", "AA", {"point_of_contact_24_7"});
    federation::testing::TestIdentity b_ =
        federation::testing::MakeIdentity("b", "BB", {"central_authority"});
    std::shared_ptr<const federation::Directory> directory_;
    InProcessTransport transport_;
    FakeClock clock_{0};
    RecordingWebhook webhook_;
    std::unique_ptr<store::Store> store_a_;
    std::unique_ptr<store::Store> store_b_;
    std::unique_ptr<federation::Node> node_a_;
    std::unique_ptr<federation::Node> node_b_;
    std::unique_ptr<DeadlineEngine> engine_;
    std::unique_ptr<NodeSender> sender_;
    std::unique_ptr<DutyDesk> desk_;
    std::mutex mu_;
    std::vector<federation::ReceivedMessage> received_by_b_;
};

TEST_P(DutyDeskTest, AnEmergencyArrivalAlertsTheOfficersOnDuty) {
    AppAlert alert = SendEmergency();
    EXPECT_EQ(alert.kind, "duty.emergency");
    EXPECT_EQ(alert.sender, "b");
    EXPECT_EQ(alert.recipients, std::vector<std::string>{"ana"});
    EXPECT_EQ(alert.facts, (std::map<std::string, std::string>{{"message_type", "request"}}));
    // As stored: the listing reads the facts back.
    auto listed = engine_->Alerts(10, false);
    ASSERT_TRUE(listed) << listed.error().ToString();
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().facts, alert.facts);
    auto deadline = engine_->Get(alert.deadline_id);
    ASSERT_TRUE(deadline);
    EXPECT_EQ(deadline->kind, kDutyAcknowledgeKind);
    EXPECT_EQ(deadline->due_ms - deadline->starts_ms, 15 * kMinute);
}

TEST_P(DutyDeskTest, AcknowledgementIsRecordedAndTravelsBackSignedToTheSender) {
    AppAlert alert = SendEmergency();
    ASSERT_FALSE(alert.id.empty());
    clock_.Advance(3 * kMinute);
    auto acked = desk_->Acknowledge(User("ana", Role::kDutyOfficer), alert.id);
    ASSERT_TRUE(acked) << acked.error().ToString();
    EXPECT_EQ(acked->acknowledged_by, "user:ana");
    EXPECT_EQ(acked->acknowledged_ms, clock_.Now());
    EXPECT_EQ(engine_->Get(alert.deadline_id)->state, DeadlineState::kMet);

    ASSERT_TRUE(WaitFor([&] { return !ReceivedByB().empty(); }));
    auto back = ReceivedByB().front();
    EXPECT_EQ(back.from, "a");  // verified by B's intake against the directory's key of A
    EXPECT_EQ(back.type, "response");
    EXPECT_EQ(back.in_reply_to, alert.message_id);
    auto body = boost::json::parse(back.body).as_object();
    EXPECT_EQ(body.at("kind").as_string(), "acknowledgement");
    EXPECT_EQ(body.at("acknowledged_by").as_string(), "Officer ana");
    EXPECT_EQ(body.at("authority").as_string(), "Authority of a");
    EXPECT_EQ(body.at("at").as_string(), FormatTimestamp(clock_.Now()));

    // Met: no escalation when the escalation time comes.
    clock_.Advance(20 * kMinute);
    EXPECT_EQ(*engine_->FireDue(), 0);
    EXPECT_EQ(webhook_.Count(), 0U);

    auto again = desk_->Acknowledge(User("ben", Role::kDutyOfficer), alert.id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(DutyDeskTest, UnacknowledgedAfterTheEscalationTimeGoesToTheBackupAndTheWebhook) {
    AppAlert alert = SendEmergency();
    ASSERT_FALSE(alert.id.empty());
    auto deadline = engine_->Get(alert.deadline_id);
    ASSERT_TRUE(deadline);
    clock_.Set(deadline->due_ms - 1);
    EXPECT_EQ(*engine_->FireDue(), 0);
    clock_.Set(deadline->due_ms);
    EXPECT_EQ(*engine_->FireDue(), 1);
    EXPECT_EQ(webhook_.Count(), 1U);
    auto alerts = engine_->Alerts(10, true);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 2U);
    EXPECT_EQ(alerts->front().kind, "deadline.breached");
    EXPECT_EQ(alerts->front().recipients, std::vector<std::string>{"ben"});

    // A late acknowledgement is still recorded and sent; the breach stays on record.
    auto acked = desk_->Acknowledge(User("ben", Role::kDutyOfficer), alert.id);
    ASSERT_TRUE(acked) << acked.error().ToString();
    EXPECT_EQ(engine_->Get(alert.deadline_id)->state, DeadlineState::kBreached);
    EXPECT_TRUE(WaitFor([&] { return !ReceivedByB().empty(); }));
}

TEST_P(DutyDeskTest, OnlyADutyOfficerAcknowledgesAndARefusedReplyChangesNothing) {
    AppAlert alert = SendEmergency();
    ASSERT_FALSE(alert.id.empty());
    auto denied = desk_->Acknowledge(User("eve", Role::kAuditor), alert.id);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);

    // A reply type the directory's message policy does not allow: refused, nothing recorded.
    DutyDesk strict(*store_a_, *engine_, *sender_, DeskOptions("not.a.listed.type"));
    auto refused = strict.Acknowledge(User("ana", Role::kDutyOfficer), alert.id);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied) << refused.error().ToString();
    auto open = engine_->Alerts(10, true);
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1U);
    EXPECT_TRUE(open->front().acknowledged_by.empty());
    EXPECT_EQ(engine_->Get(alert.deadline_id)->state, DeadlineState::kOpen);

    EXPECT_EQ(
        desk_->Acknowledge(User("ana", Role::kDutyOfficer), "no-such-alert").error().code,
        ErrorCode::kNotFound
    );
}

TEST_P(DutyDeskTest, ANormalPriorityMessageRaisesNoDutyAlert) {
    federation::OutgoingMessage m;
    m.to = "a";
    m.type = "request";
    m.body_json = "{}";
    auto submitted = node_b_->Submit(m);
    ASSERT_TRUE(submitted) << submitted.error().ToString();
    ASSERT_TRUE(WaitFor([&] {
        auto list = node_a_->List(federation::Direction::kIn, 10, "");
        return list && !list->empty();
    }));
    EXPECT_TRUE(engine_->Alerts(10, false)->empty());
    EXPECT_EQ(engine_->Watched(), 0U);
}

TEST_P(DutyDeskTest, TheRosterSaysWhoIsOnDutyAndRefusesBadShifts) {
    auto now = desk_->OnDutyNow(User("ana", Role::kDutyOfficer));
    ASSERT_TRUE(now);
    EXPECT_EQ(now->primary, std::vector<std::string>{"ana"});
    EXPECT_EQ(now->backup, std::vector<std::string>{"ben"});

    auto bad = desk_->SetRoster(
        User("root", Role::kAdministrator), {RosterEntry{"cy", 10, 10, DutyRole::kPrimary}}
    );
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(desk_->GetRoster(User("ana", Role::kDutyOfficer))->shifts.size(), 2U);  // unchanged
    EXPECT_EQ(
        desk_->SetRoster(User("ana", Role::kDutyOfficer), {}).error().code,
        ErrorCode::kPermissionDenied
    );

    clock_.Advance(25 * 60 * kMinute);  // after every shift
    now = desk_->OnDutyNow(User("ana", Role::kDutyOfficer));
    ASSERT_TRUE(now);
    EXPECT_TRUE(now->primary.empty());
    EXPECT_TRUE(now->backup.empty());
}

TEST_P(DutyDeskTest, AnEditOfAnOldRevisionOfTheRosterIsRefusedAndChangesNothing) {
    const Actor root = User("root", Role::kAdministrator);
    auto read = desk_->GetRoster(root);
    ASSERT_TRUE(read) << read.error().ToString();
    const std::int64_t seen = read->revision;
    EXPECT_GE(seen, 1);  // the fixture set the roster once
    // Two editors read the same revision; the first one's edit wins.
    const RosterEntry cy{"cy", clock_.Now(), clock_.Now() + 60 * kMinute, DutyRole::kPrimary};
    const RosterEntry di{"di", clock_.Now(), clock_.Now() + 60 * kMinute, DutyRole::kBackup};
    auto first = desk_->SetRoster(root, {cy}, seen);
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_EQ(*first, seen + 1);
    auto second = desk_->SetRoster(root, {di}, seen);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
    auto now = desk_->GetRoster(root);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->revision, seen + 1);
    ASSERT_EQ(now->shifts.size(), 1U);
    EXPECT_EQ(now->shifts[0].login, "cy");
    // The second editor reads again and succeeds; an edit without a revision replaces any.
    auto again = desk_->SetRoster(root, {di}, now->revision);
    ASSERT_TRUE(again) << again.error().ToString();
    EXPECT_EQ(*again, seen + 2);
    auto blind = desk_->SetRoster(root, {cy});
    ASSERT_TRUE(blind);
    EXPECT_EQ(*blind, seen + 3);
    // A refused shift does not move the revision.
    EXPECT_FALSE(desk_->SetRoster(root, {RosterEntry{"cy", 10, 10, DutyRole::kPrimary}}));
    EXPECT_EQ(desk_->GetRoster(root)->revision, seen + 3);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    DutyDeskTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
