#include "concord/federation/node.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/ledger/proof_file.hpp"
#include "concord/store/testing/pg_test.hpp"

#include "test_util.hpp"

namespace concord::federation {
namespace {

using testing::CopyKeys;
using testing::MakeDirectory;
using testing::MakeIdentity;
using testing::TestIdentity;

// Connects nodes of one process: a request to a peer is handed to that peer's Node, as the
// server's HTTP handlers would. Peers can be taken down (the transport then answers
// kUnavailable, as for a refused connection).
class InProcessTransport : public Transport {
public:
    void Attach(const std::string& id, Node* node) {
        std::scoped_lock lock(mu_);
        nodes_[id] = node;
    }
    void SetDown(const std::string& id, bool down) {
        std::scoped_lock lock(mu_);
        if (down) {
            down_.insert(id);
        } else {
            down_.erase(id);
        }
    }
    int posts() const {
        std::scoped_lock lock(mu_);
        return posts_;
    }

    Result<Reply> Send(
        const NodeEntry& peer,
        std::string_view method,
        std::string_view target,
        std::string_view body
    ) override {
        Node* node = nullptr;
        {
            std::scoped_lock lock(mu_);
            if (down_.contains(peer.id) || !nodes_.contains(peer.id)) {
                return MakeError(ErrorCode::kUnavailable, "connection refused");
            }
            node = nodes_[peer.id];
            if (method == "POST") {
                ++posts_;
            }
        }
        if (method == "POST" && target.starts_with("/fed/v1/messages")) {
            IntakeReply r = node->Receive(body, target.find("proof=1") != std::string_view::npos);
            return Reply{r.status, r.body};
        }
        if (method == "GET" && target.starts_with("/fed/v1/checkpoint?old_size=")) {
            const auto old_size = std::stoull(std::string(target.substr(target.find('=') + 1)));
            auto reply = node->CheckpointReply(old_size);
            if (!reply) {
                return Reply{
                    reply.error().code == ErrorCode::kNotFound ? 404u : 400u,
                    reply.error().message};
            }
            return Reply{200, *reply};
        }
        return Reply{404, "{}"};
    }

private:
    mutable std::mutex mu_;
    std::map<std::string, Node*> nodes_;
    std::set<std::string> down_;
    int posts_ = 0;
};

bool WaitFor(
    const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(30)
) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
}

class NodeTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-fed-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(dir_);
        directory_ = MakeDirectory({&a_.entry, &b_.entry, &c_.entry});
    }
    void TearDown() override {
        // Stop every node before destroying any: a node's delivery workers call its peers
        // through the transport until they are joined.
        for (auto& node : nodes_) {
            node->Stop();
        }
        nodes_.clear();
        stores_.clear();
        std::filesystem::remove_all(dir_);
    }

    std::unique_ptr<store::Store> OpenStore(const std::string& name) {
        std::string url = "sqlite:" + (dir_ / (name + ".db")).string();
        if (GetParam() == "postgres") {
            auto dsn = store::testing::CreateFreshPgDatabase();
            EXPECT_TRUE(dsn) << dsn.error().ToString();
            url = dsn ? *dsn : "";
        }
        auto store = store::Store::Open(url);
        EXPECT_TRUE(store) << store.error().ToString();
        return store ? std::move(*store) : nullptr;
    }

    Node* StartNode(
        const TestIdentity& who,
        NodeOptions options = {},
        std::shared_ptr<const Directory> directory = nullptr
    ) {
        auto& store =
            stores_.emplace_back(OpenStore(who.entry.id + std::to_string(stores_.size())));
        if (store == nullptr) {
            return nullptr;
        }
        options.node_id = who.entry.id;
        options.initial_backoff = std::chrono::milliseconds(20);
        options.max_backoff = std::chrono::milliseconds(200);
        auto user_event = options.on_event;
        options.on_event =
            [this, id = who.entry.id, user_event](std::string_view name, const std::string& json) {
                std::scoped_lock lock(events_mu_);
                events_.push_back(id + " " + std::string(name) + " " + json);
                if (user_event) {
                    user_event(name, json);
                }
            };
        auto node = Node::Open(
            *store, CopyKeys(who.keys), directory ? directory : directory_, transport_, options
        );
        EXPECT_TRUE(node) << node.error().ToString();
        if (!node) {
            return nullptr;
        }
        Node* raw = node->get();
        transport_.Attach(who.entry.id, raw);
        raw->Start();
        nodes_.push_back(std::move(*node));
        return raw;
    }

    static std::string Status(Node* node, const std::string& id) {
        auto detail = node->Read("out", id, false);
        return detail ? detail->summary.status : detail.error().ToString();
    }

    static std::size_t Count(Node* node, std::string_view direction) {
        auto list = node->List(direction, 1000, "");
        return list ? list->size() : 0;
    }

    bool SawEvent(std::string_view fragment) {
        std::scoped_lock lock(events_mu_);
        return std::any_of(events_.begin(), events_.end(), [&](const std::string& e) {
            return e.find(fragment) != std::string::npos;
        });
    }

    std::filesystem::path dir_;
    TestIdentity a_ = MakeIdentity("aa.central", "AA", {"central_authority"});
    TestIdentity b_ = MakeIdentity("bb.poc", "BB", {"point_of_contact_24_7"});
    TestIdentity c_ = MakeIdentity("cc.provider", "BB", {"service_provider"});
    std::shared_ptr<const Directory> directory_;
    InProcessTransport transport_;
    std::vector<std::unique_ptr<store::Store>> stores_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::mutex events_mu_;
    std::vector<std::string> events_;
};

OutgoingMessage Request(const std::string& to, std::string body = R"({"ask":"preserve"})") {
    return OutgoingMessage{to, "request", "emergency", "", std::move(body)};
}

TEST_P(NodeTest, DeliversWithSignedReceiptAndVerifiedProof) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent) << sent.error().ToString();
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; })) << Status(a, sent->id);

    auto out = a->Read("out", sent->id, false);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->evidence.size(), 1u);
    auto receipt = VerifyEvidence(out->evidence[0], b_.keys.signing.public_key());
    ASSERT_TRUE(receipt) << receipt.error().ToString();
    EXPECT_EQ(receipt->event, "delivery");
    EXPECT_EQ(receipt->envelope_sha256, out->envelope_sha256);
    // The receiver's proof verifies offline against B's key, for the leaf B logged.
    auto proof = ledger::ParseTlogProof(out->receiver_proof);
    ASSERT_TRUE(proof) << out->receiver_proof;
    EXPECT_EQ(proof->index, *receipt->ledger_index);
    auto leaf = crypto::Base64Decode(out->receiver_leaf);
    ASSERT_TRUE(leaf);
    const ledger::NoteVerifier key = b->log_verifier();
    EXPECT_TRUE(ledger::VerifyTlogProof(*proof, *leaf, std::span(&key, 1), "bb.poc"));

    auto in = b->Read("in", sent->id, false);
    ASSERT_TRUE(in) << in.error().ToString();
    EXPECT_EQ(in->body, R"({"ask":"preserve"})");
    EXPECT_EQ(in->summary.peer, "aa.central");
    EXPECT_EQ(in->summary.priority, "emergency");
    EXPECT_TRUE(SawEvent("bb.poc message.received"));
    EXPECT_TRUE(SawEvent("aa.central message.delivered"));
    EXPECT_EQ(a->counters().delivered.load(), 1u);
}

TEST_P(NodeTest, SameEnvelopeTwiceGivesTheSameReceiptAndNothingNew) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    auto out = a->Read("out", sent->id, false);
    ASSERT_TRUE(out);
    const auto size_before = *b->LedgerSize();
    for (int i = 0; i < 3; ++i) {
        IntakeReply again = b->Receive(out->envelope, false);
        ASSERT_EQ(again.status, 200u) << again.body;
        EXPECT_TRUE(again.duplicate);
        auto body = ParseObject(again.body);
        ASSERT_TRUE(body);
        EXPECT_EQ(*GetString(*body, "receipt"), out->evidence[0]);
    }
    EXPECT_EQ(Count(b, "in"), 1u);
    EXPECT_EQ(*b->LedgerSize(), size_before);
    EXPECT_EQ(b->counters().duplicates.load(), 3u);
}

TEST_P(NodeTest, QueuesWhileTheReceiverIsDownThenDeliversEachExactlyOnce) {
    transport_.SetDown("bb.poc", true);
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        auto sent = a->Submit(Request("bb.poc", R"({"n":)" + std::to_string(i) + "}"));
        ASSERT_TRUE(sent);
        ids.push_back(sent->id);
    }
    ASSERT_TRUE(WaitFor([&] { return a->counters().delivery_failures.load() >= 40; }));
    EXPECT_EQ(Count(b, "in"), 0u);
    auto queued = a->Read("out", ids[0], false);
    ASSERT_TRUE(queued);
    EXPECT_EQ(queued->summary.status, "queued");
    EXPECT_GT(queued->summary.attempts, 0);
    EXPECT_NE(queued->summary.last_error.find("connection refused"), std::string::npos);

    transport_.SetDown("bb.poc", false);
    ASSERT_TRUE(WaitFor([&] {
        return std::all_of(ids.begin(), ids.end(), [&](const auto& id) {
            return Status(a, id) == "delivered";
        });
    }));
    EXPECT_EQ(Count(b, "in"), 20u);
    EXPECT_EQ(*a->OutboxDepth(), std::make_pair(std::int64_t{0}, std::int64_t{0}));
}

TEST_P(NodeTest, HorizonEndsInASignedNonDeliveryAndAnAlert) {
    transport_.SetDown("bb.poc", true);
    NodeOptions options;
    options.delivery_horizon = std::chrono::milliseconds(300);
    Node* a = StartNode(a_, options);
    ASSERT_TRUE(a);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "failed"; })) << Status(a, sent->id);
    auto out = a->Read("out", sent->id, false);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->evidence.size(), 1u);
    auto record = VerifyEvidence(out->evidence[0], a_.keys.signing.public_key());
    ASSERT_TRUE(record) << record.error().ToString();
    EXPECT_EQ(record->event, "non_delivery");
    EXPECT_NE(record->reason.find("horizon"), std::string::npos);
    auto alerts = a->Alerts(10);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].kind, "non_delivery");
    EXPECT_TRUE(SawEvent("aa.central alert"));
}

TEST_P(NodeTest, EveryRefusalHasItsReasonAndStoresNoMessage) {
    Node* b = StartNode(b_);
    ASSERT_TRUE(b);
    TestIdentity stranger = MakeIdentity("xx.stranger", "AA", {"central_authority"});
    auto seal = [&](const TestIdentity& from,
                    std::string to,
                    std::int64_t time_ms,
                    std::string id = NewUuidV7()) {
        Header h{
            std::move(id),
            "request",
            from.entry.id,
            std::move(to),
            FormatTimestamp(time_ms),
            "",
            "normal"};
        return *SealEnvelope(
            h, R"({"x":1})", from.keys.signing, from.keys.box, b_.keys.box.public_key()
        );
    };
    const std::int64_t now = NowMillis();
    const std::string good = seal(a_, "bb.poc", now);
    ASSERT_EQ(b->Receive(good, false).status, 200u);
    const std::string good_id = ParseEnvelope(good)->header.id;

    auto tamper = [&](const char* field, boost::json::value v) {
        auto o = *ParseObject(good);
        o[field] = std::move(v);
        return CanonicalText(o);
    };
    const std::pair<std::string, std::string> cases[] = {
        {tamper("type", "response"), "bad_signature"},
        {tamper("sig", boost::json::string(crypto::Base64Encode(Bytes(64, 1)))), "bad_signature"},
        {tamper(
             "key",
             boost::json::string(crypto::Base64Encode(stranger.keys.signing.public_key().bytes()))
         ),
         "unknown_sender"},
        {seal(stranger, "bb.poc", now), "unknown_sender"},
        {seal(a_, "cc.provider", now), "wrong_recipient"},
        {seal(a_, "bb.poc", now, good_id), "replay"},
        {seal(a_, "bb.poc", now - std::int64_t{12} * 86'400'000), "stale"},
        {seal(a_, "bb.poc", now + 3'600'000), "stale"},
        {tamper("v", 2), "unsupported_version"},
        {"{\"v\":1,", "malformed"},
        {std::string(2 << 20, ' '), "too_large"},
    };
    for (const auto& [text, code] : cases) {
        IntakeReply r = b->Receive(text, false);
        EXPECT_EQ(r.refusal, code) << r.body;
        EXPECT_GE(r.status, 400u);
        EXPECT_NE(r.body.find("\"code\":\"" + code + "\""), std::string::npos) << r.body;
    }
    // Only the one good message exists.
    EXPECT_EQ(Count(b, "in"), 1u);
    EXPECT_EQ(b->counters().received.load(), 1u);

    // Revoking the sender takes effect on the next message.
    auto revoked_a = a_.entry;
    revoked_a.revoked = true;
    b->SetDirectory(MakeDirectory({&revoked_a, &b_.entry, &c_.entry}, 2));
    EXPECT_EQ(b->Receive(seal(a_, "bb.poc", now), false).refusal, "unknown_sender");
    EXPECT_EQ(Count(b, "in"), 1u);
}

TEST_P(NodeTest, OpeningAMessageSendsSignedRetrievalEvidenceBack) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    auto opened = b->Read("in", sent->id, /*by_person=*/true);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->summary.status, "opened");
    ASSERT_TRUE(WaitFor([&] {
        auto out = a->Read("out", sent->id, false);
        return out && out->evidence.size() == 2;
    }));
    auto out = a->Read("out", sent->id, false);
    bool found = false;
    for (const auto& record : out->evidence) {
        auto e = VerifyEvidence(record, b_.keys.signing.public_key());
        ASSERT_TRUE(e);
        found = found || e->event == "retrieval";
    }
    EXPECT_TRUE(found);
    // Opening again records nothing new (once B has logged the delivery of its evidence).
    ASSERT_TRUE(WaitFor([&] { return b->counters().delivered.load() == 1; }));
    const auto size = *b->LedgerSize();
    ASSERT_TRUE(b->Read("in", sent->id, true));
    EXPECT_EQ(*b->LedgerSize(), size);
}

TEST_P(NodeTest, WitnessCosignsConsistentGrowthAndAlertsOnAFork) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(b->Submit(Request("aa.central")));
    auto first = a->WitnessPeers();
    ASSERT_TRUE(first) << first.error().ToString();
    EXPECT_EQ(*first, 1);  // b; c is not running (unreachable, not an alert)
    ASSERT_TRUE(b->Submit(Request("aa.central")));
    ASSERT_TRUE(a->WitnessPeers());
    ASSERT_TRUE(a->Alerts(10)->empty());

    // B's keys now serve a different history, as long as the first.
    Node* forked = StartNode(b_);
    ASSERT_TRUE(forked);
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(forked->Submit(Request("aa.central", R"({"other":true})")));
    }
    auto round = a->WitnessPeers();
    ASSERT_TRUE(round);
    auto alerts = a->Alerts(10);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].kind, "fork");
    EXPECT_EQ((*alerts)[0].peer, "bb.poc");
    EXPECT_NE((*alerts)[0].evidence.find("cosigned:\nbb.poc\n"), std::string::npos);
    EXPECT_NE((*alerts)[0].evidence.find("presented:\nbb.poc\n"), std::string::npos);
    // The same evidence is not alerted twice.
    ASSERT_TRUE(a->WitnessPeers());
    EXPECT_EQ(a->Alerts(10)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    NodeTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::federation
