#include "concord/federation/node.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <thread>
#include <variant>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/ledger/proof_file.hpp"
#include "concord/store/testing/pg_test.hpp"

#include "node_internal.hpp"
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
    int Posts() const {
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
            if (method == "POST" && target.starts_with("/fed/v1/messages")) {
                ++posts_;
            }
        }
        if (method == "POST" && target.starts_with("/fed/v1/messages")) {
            IntakeReply r = node->Receive(body, target.find("proof=1") != std::string_view::npos);
            std::function<std::string(const std::string&)> rewrite;
            {
                std::scoped_lock lock(mu_);
                rewrite = rewrite_reply_;
            }
            if (rewrite && r.status == 200) {
                r.body = rewrite(r.body);
            }
            return Reply{r.status, r.body};
        }
        if (method == "POST" && target == "/fed/v1/cosignature") {
            auto kept = node->AcceptCosignature(body);
            return kept ? Reply{200, "{}"} : Reply{400, kept.error().message};
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

    /// Every accepted reply passes through `rewrite` (a receiver that lies in its receipts).
    void RewriteReplies(std::function<std::string(const std::string&)> rewrite) {
        std::scoped_lock lock(mu_);
        rewrite_reply_ = std::move(rewrite);
    }

private:
    mutable std::mutex mu_;
    std::function<std::string(const std::string&)> rewrite_reply_;
    std::map<std::string, Node*> nodes_;
    std::set<std::string> down_;
    int posts_ = 0;
};

// A store whose transactions fail, the way the backend does, on any statement with a text
// parameter containing `needle`: the statement is replaced by an invalid one, so the real backend
// reports the error and refuses the rest of the transaction (PostgreSQL's "current transaction is
// aborted"; the store applies the same rule to SQLite).
class FaultyStore : public store::Store {
public:
    FaultyStore(std::unique_ptr<store::Store> inner, std::string needle)
        : inner_(std::move(inner)), needle_(std::move(needle)) {}

    /// Also fails every query whose SQL contains `sql_needle`; counts them.
    void FailQueries(std::string sql_needle) { query_needle_ = std::move(sql_needle); }
    [[nodiscard]] int FailedQueries() const { return failed_queries_.load(); }

    [[nodiscard]] store::Backend Backend() const override { return inner_->Backend(); }
    Result<std::unique_ptr<store::Transaction>> Begin() override {
        CONCORD_ASSIGN_OR_RETURN(auto tx, inner_->Begin());
        return std::unique_ptr<store::Transaction>(std::make_unique<Tx>(*this, std::move(tx)));
    }
    Result<void> Migrate(std::span<const store::Migration> migrations) override {
        return inner_->Migrate(migrations);
    }
    Result<int> SchemaVersion(std::string_view component) override {
        return inner_->SchemaVersion(component);
    }
    Result<void> CheckIntegrity() override { return inner_->CheckIntegrity(); }
    Result<void> BackupTo(const std::filesystem::path& file) override {
        return inner_->BackupTo(file);
    }
    Result<void> RestoreFrom(const std::filesystem::path& file) override {
        return inner_->RestoreFrom(file);
    }

private:
    class Tx : public store::Transaction {
    public:
        Tx(FaultyStore& owner, std::unique_ptr<store::Transaction> inner)
            : owner_(owner), inner_(std::move(inner)) {}
        using store::Transaction::Execute;
        using store::Transaction::Query;
        Result<std::int64_t> Execute(std::string_view sql, std::span<const store::Value> params)
            override {
            for (const auto& v : params) {
                if (const auto* text = std::get_if<std::string>(&v);
                    text != nullptr && text->find(owner_.needle_) != std::string::npos) {
                    return inner_->Execute("INSERT INTO no_such_table_injected_fault VALUES (1)");
                }
            }
            return inner_->Execute(sql, params);
        }
        Result<std::vector<store::Row>> Query(
            std::string_view sql, std::span<const store::Value> params
        ) override {
            if (!owner_.query_needle_.empty() &&
                sql.find(owner_.query_needle_) != std::string_view::npos) {
                ++owner_.failed_queries_;
                return inner_->Query("SELECT * FROM no_such_table_injected_fault");
            }
            return inner_->Query(sql, params);
        }
        Result<void> Commit() override {
            auto committed = inner_->Commit();
            if (committed) {
                RunCommitHooks();
            } else {
                DropCommitHooks();
            }
            return committed;
        }
        void Rollback() override {
            inner_->Rollback();
            DropCommitHooks();
        }

    private:
        FaultyStore& owner_;
        std::unique_ptr<store::Transaction> inner_;
    };

    std::unique_ptr<store::Store> inner_;
    std::string needle_;
    std::string query_needle_;
    std::atomic<int> failed_queries_{0};
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
        StopNodes();
        nodes_.clear();
        stores_.clear();
        std::filesystem::remove_all(dir_);
    }

    void StopNodes() {
        for (auto& node : nodes_) {
            node->Stop();
        }
    }

    // Declared after a test's locals that the transport's rewriter reads, it stops the nodes (and
    // joins their workers) before those locals are destroyed, on every way out of the test.
    struct NodeStopper {
        NodeTest* test;
        ~NodeStopper() { test->StopNodes(); }
    };

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
        auto detail = node->Read(Direction::kOut, id);
        return detail ? std::string(MessageStatusName(detail->summary.status))
                      : detail.error().ToString();
    }

    static std::size_t Count(Node* node, std::string_view direction) {
        auto list = node->List(*ParseDirection(direction), 1000, "");
        return list ? list->size() : 0;
    }

    /// Every leaf of the audit log in `store`, parsed.
    static std::vector<boost::json::object> Leaves(store::Store& store) {
        std::vector<boost::json::object> out;
        auto log = ledger::Log::Open(store);
        EXPECT_TRUE(log) << log.error().ToString();
        auto tx = store.Begin();
        EXPECT_TRUE(tx) << tx.error().ToString();
        if (!log || !tx) {
            return out;
        }
        auto size = (*log)->Size(**tx);
        EXPECT_TRUE(size);
        for (std::uint64_t i = 0; size && i < *size; ++i) {
            auto leaf = (*log)->Leaf(**tx, i);
            EXPECT_TRUE(leaf);
            auto parsed = ParseObject(leaf ? ToString(*leaf) : std::string("{}"));
            EXPECT_TRUE(parsed);
            out.push_back(parsed ? *parsed : boost::json::object{});
        }
        return out;
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
    return OutgoingMessage{to, "request", Priority::kEmergency, "", std::move(body)};
}

TEST_P(NodeTest, DeliversWithSignedReceiptAndVerifiedProof) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent) << sent.error().ToString();
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; })) << Status(a, sent->id);

    auto out = a->Read(Direction::kOut, sent->id);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->evidence.size(), 1u);
    auto receipt = VerifyEvidence(out->evidence[0], b_.keys.signing.PublicKey());
    ASSERT_TRUE(receipt) << receipt.error().ToString();
    EXPECT_EQ(receipt->event, "delivery");
    EXPECT_EQ(receipt->envelope_sha256, out->envelope_sha256);
    // The receiver's proof verifies offline against B's key, for the leaf B logged.
    auto proof = ledger::ParseTlogProof(out->receiver_proof);
    ASSERT_TRUE(proof) << out->receiver_proof;
    EXPECT_EQ(proof->index, *receipt->ledger_index);
    auto leaf = crypto::Base64Decode(out->receiver_leaf);
    ASSERT_TRUE(leaf);
    const ledger::NoteVerifier key = b->LogVerifier();
    EXPECT_TRUE(ledger::VerifyTlogProof(*proof, *leaf, std::span(&key, 1), "bb.poc"));

    auto in = b->Read(Direction::kIn, sent->id);
    ASSERT_TRUE(in) << in.error().ToString();
    EXPECT_EQ(in->body, R"({"ask":"preserve"})");
    EXPECT_EQ(in->summary.peer, "aa.central");
    EXPECT_EQ(in->summary.priority, Priority::kEmergency);
    EXPECT_TRUE(SawEvent("bb.poc message.received"));
    EXPECT_TRUE(SawEvent("aa.central message.delivered"));
    EXPECT_EQ(a->Counters().delivered.load(), 1u);
}

// The use-case layer's one transaction per business step: a submission written into the
// caller's transaction is sent only once that transaction commits, and the receiver's intake hook
// writes in the transaction that stores the message (its failure fails the intake, which the
// sender retries).
TEST_P(NodeTest, CallerTransactionsCarryTheSubmissionAndTheIntakeHook) {
    Node* a = StartNode(a_);
    ASSERT_TRUE(a);
    store::Store& a_store = *stores_.back();
    std::atomic<int> hook_calls{0};
    NodeOptions b_options;
    b_options.on_received = [&](store::Transaction& tx, const ReceivedMessage& m) -> Result<void> {
        if (hook_calls.fetch_add(1) == 0) {
            return MakeError(ErrorCode::kUnavailable, "the layer above is not ready");
        }
        CONCORD_RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO hook_seen (id, sender, body, ledger_index) VALUES ($1, $2, $3, $4)",
            {m.id, m.from, m.body, static_cast<std::int64_t>(m.ledger_index)}
        ));
        return {};
    };
    Node* b = StartNode(b_, b_options);
    ASSERT_TRUE(b);
    {
        auto tx = stores_.back()->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "CREATE TABLE hook_seen (id TEXT, sender TEXT, body TEXT, ledger_index BIGINT)"
        ));
        ASSERT_TRUE((*tx)->Commit());
    }
    const auto before = a->LedgerSize();
    ASSERT_TRUE(before);
    {
        // Rolled back: nothing is queued and the audit log does not grow.
        auto tx = a_store.Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE(a->SubmitIn(**tx, Request("bb.poc")));
    }
    EXPECT_EQ(Count(a, "out"), 0u);
    EXPECT_EQ(*a->LedgerSize(), *before);
    // Refused inside the transaction like Submit refuses.
    {
        auto tx = a_store.Begin();
        ASSERT_TRUE(tx);
        EXPECT_EQ(
            a->SubmitIn(**tx, Request("zz.unknown")).error().code, ErrorCode::kInvalidArgument
        );
    }
    const OutgoingMessage message = Request("bb.poc", R"({"case":"A-1"})");
    Result<Submitted> sent = MakeError(ErrorCode::kInternal, "not submitted");
    {
        auto tx = a_store.Begin();
        ASSERT_TRUE(tx);
        sent = a->SubmitIn(**tx, message);
        ASSERT_TRUE(sent) << sent.error().ToString();
        ASSERT_TRUE(a->AppendEvent(**tx, boost::json::object{{"event", "case.sent"}}));
        ASSERT_TRUE((*tx)->Commit());
    }
    // The submission's leaf and the caller's own leaf.
    EXPECT_EQ(*a->LedgerSize(), *before + 2);
    a->SubmitCommitted(message, *sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; })) << Status(a, sent->id);
    EXPECT_GE(hook_calls.load(), 2);
    Result<std::vector<store::Row>> rows = MakeError(ErrorCode::kInternal, "not read");
    {
        auto read = stores_.back()->Begin();
        ASSERT_TRUE(read);
        rows = (*read)->Query("SELECT id, sender, body, ledger_index FROM hook_seen");
        ASSERT_TRUE(rows);
    }
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].Text(0), sent->id);
    EXPECT_EQ((*rows)[0].Text(1), "aa.central");
    EXPECT_EQ((*rows)[0].Text(2), R"({"case":"A-1"})");
    auto in = b->Read(Direction::kIn, sent->id);
    ASSERT_TRUE(in);
    EXPECT_EQ(static_cast<std::uint64_t>((*rows)[0].Int(3)), in->summary.ledger_index);
}

TEST_P(NodeTest, SameEnvelopeTwiceGivesTheSameReceiptAndNothingNew) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    auto out = a->Read(Direction::kOut, sent->id);
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
    EXPECT_EQ(b->Counters().duplicates.load(), 3u);
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
    ASSERT_TRUE(WaitFor([&] { return a->Counters().delivery_failures.load() >= 40; }));
    EXPECT_EQ(Count(b, "in"), 0u);
    auto queued = a->Read(Direction::kOut, ids[0]);
    ASSERT_TRUE(queued);
    EXPECT_EQ(queued->summary.status, MessageStatus::kQueued);
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
    auto out = a->Read(Direction::kOut, sent->id);
    ASSERT_TRUE(out);
    ASSERT_EQ(out->evidence.size(), 1u);
    auto record = VerifyEvidence(out->evidence[0], a_.keys.signing.PublicKey());
    ASSERT_TRUE(record) << record.error().ToString();
    EXPECT_EQ(record->event, "non_delivery");
    EXPECT_NE(record->reason.find("horizon"), std::string::npos);
    auto alerts = a->Alerts(10);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].kind, AlertKind::kNonDelivery);
    // The alert's event is raised after the commit that made the message "failed", on the
    // delivery thread: it may come a moment after the status is seen.
    EXPECT_TRUE(WaitFor([&] { return SawEvent("aa.central alert"); }));
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
            h, R"({"x":1})", from.keys.signing, from.keys.box, b_.keys.box.PublicKey()
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
             boost::json::string(crypto::Base64Encode(stranger.keys.signing.PublicKey().Bytes()))
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
    EXPECT_EQ(b->Counters().received.load(), 1u);

    // Revoking the sender takes effect on the next message.
    auto revoked_a = a_.entry;
    revoked_a.revoked = true;
    ASSERT_TRUE(b->SetDirectory(MakeDirectory({&revoked_a, &b_.entry, &c_.entry}, 2), "2"));
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
    auto opened = b->Open(sent->id);
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->summary.status, MessageStatus::kOpened);
    ASSERT_TRUE(WaitFor([&] {
        auto out = a->Read(Direction::kOut, sent->id);
        return out && out->evidence.size() == 2;
    }));
    auto out = a->Read(Direction::kOut, sent->id);
    bool found = false;
    for (const auto& record : out->evidence) {
        auto e = VerifyEvidence(record, b_.keys.signing.PublicKey());
        ASSERT_TRUE(e);
        found = found || e->event == "retrieval";
    }
    EXPECT_TRUE(found);
    // Opening again records nothing new (once B has logged the delivery of its evidence).
    ASSERT_TRUE(WaitFor([&] { return b->Counters().delivered.load() == 1; }));
    const auto size = *b->LedgerSize();
    ASSERT_TRUE(b->Open(sent->id));
    EXPECT_EQ(*b->LedgerSize(), size);
}

// GETs have no side effects: reading an incoming message neither opens it nor records or sends
// anything; only Open does.
TEST_P(NodeTest, ReadingAMessageChangesNothing) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    const auto size = *b->LedgerSize();
    for (int i = 0; i < 2; ++i) {
        auto in = b->Read(Direction::kIn, sent->id);
        ASSERT_TRUE(in) << in.error().ToString();
        EXPECT_EQ(in->summary.status, MessageStatus::kReceived);
        EXPECT_TRUE(in->evidence.empty());
    }
    EXPECT_EQ(*b->LedgerSize(), size);
    EXPECT_EQ(Count(b, "out"), 0u);
    EXPECT_EQ(b->Read(Direction::kOut, sent->id).error().code, ErrorCode::kNotFound);
}

TEST_P(NodeTest, OpenNamesItsActorAndRefusesBadInputUnchanged) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    store::Store& b_store = *stores_.back();
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    const auto size = *b->LedgerSize();
    EXPECT_EQ(b->Open("0190d8a2-0000-7000-8000-000000000000").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(b->Open(sent->id, "").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(b->Open(sent->id, "user:with space").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(b->Open(sent->id, std::string(129, 'x')).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(*b->LedgerSize(), size);
    EXPECT_EQ(b->Read(Direction::kIn, sent->id)->summary.status, MessageStatus::kReceived);

    auto opened = b->Open(sent->id, "user:alice");
    ASSERT_TRUE(opened) << opened.error().ToString();
    EXPECT_EQ(opened->summary.status, MessageStatus::kOpened);
    // The retrieval and the submission of its evidence to the sender, both by the person, in one
    // transaction (the delivery of that evidence may follow).
    const auto leaves = Leaves(b_store);
    ASSERT_GE(leaves.size(), size + 2);
    EXPECT_EQ(leaves[size].at("event"), "message.retrieved");
    EXPECT_EQ(leaves[size].at("actor"), "user:alice");
    EXPECT_EQ(leaves[size + 1].at("event"), "message.submitted");
    EXPECT_EQ(leaves[size + 1].at("type"), "evidence.retrieval");
    EXPECT_EQ(leaves[size + 1].at("actor"), "user:alice");
}

// Every leaf federation writes names its actor: the node, or the label the caller passes; a leaf
// that names its actor already keeps it.
TEST_P(NodeTest, EveryLeafNamesItsActor) {
    Node* a = StartNode(a_);
    store::Store& a_store = *stores_.back();
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->Submit(Request("bb.poc"), nullptr, "").error().code, ErrorCode::kInvalidArgument);
    auto sent = a->Submit(Request("bb.poc"), nullptr, "user:bob");
    ASSERT_TRUE(sent) << sent.error().ToString();
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "delivered"; }));
    ASSERT_TRUE(a->AppendEvent(boost::json::object{{"event", "case.note"}}));
    ASSERT_TRUE(a->AppendEvent(
        boost::json::object{{"event", "case.note"}, {"actor", "user:carol"}}, "user:other"
    ));
    EXPECT_EQ(
        a->AppendEvent(boost::json::object{{"event", "case.note"}}, "bad\nlabel").error().code,
        ErrorCode::kInvalidArgument
    );
    std::map<std::string, std::vector<std::string>> actors;  // event → actors, in log order
    for (const auto& leaf : Leaves(a_store)) {
        ASSERT_TRUE(leaf.contains("actor")) << boost::json::serialize(leaf);
        actors[std::string(leaf.at("event").as_string())].push_back(
            std::string(leaf.at("actor").as_string())
        );
    }
    EXPECT_EQ(actors["message.submitted"], std::vector<std::string>{"user:bob"});
    EXPECT_EQ(actors["message.delivered"], std::vector<std::string>{"node"});
    EXPECT_EQ(actors["case.note"], (std::vector<std::string>{"node", "user:carol"}));
    for (const auto& leaf : Leaves(*stores_.back())) {
        EXPECT_EQ(leaf.at("actor"), "node") << boost::json::serialize(leaf);
    }
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
    EXPECT_EQ((*alerts)[0].kind, AlertKind::kFork);
    EXPECT_EQ((*alerts)[0].peer, "bb.poc");
    EXPECT_NE((*alerts)[0].evidence.find("cosigned:\nbb.poc\n"), std::string::npos);
    EXPECT_NE((*alerts)[0].evidence.find("presented:\nbb.poc\n"), std::string::npos);
    // The same evidence is not alerted twice.
    ASSERT_TRUE(a->WitnessPeers());
    EXPECT_EQ(a->Alerts(10)->size(), 1u);
}

// Issue 13, item 9: a witness hands its cosignature back, and the log publishes it with its
// checkpoint, so anyone can check who witnessed the log.
TEST_P(NodeTest, CheckpointReplyPublishesTheCosignaturesOfWitnesses) {
    Node* a = StartNode(a_);
    Node* b = StartNode(b_);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(b->Submit(Request("aa.central")));
    auto before = ParseObject(*b->CheckpointReply(0));
    ASSERT_TRUE(before);
    EXPECT_FALSE(before->contains("cosigned"));
    auto round = a->WitnessPeers();
    ASSERT_TRUE(round) << round.error().ToString();
    ASSERT_EQ(*round, 1);
    auto reply = ParseObject(*b->CheckpointReply(0));
    ASSERT_TRUE(reply);
    auto cosigned = GetString(*reply, "cosigned");
    ASSERT_TRUE(cosigned) << boost::json::serialize(*reply);
    // The note verifies under B's log key and A's cosigner key (C2SP tlog-cosignature v1).
    const ledger::NoteVerifier keys[] = {
        b->LogVerifier(),
        ledger::MakeVerifier(
            "aa.central", ledger::NoteKeyType::kCosignatureV1, a_.keys.signing.PublicKey()
        )};
    auto verified = ledger::VerifyNote(*cosigned, keys);
    ASSERT_TRUE(verified) << verified.error().ToString();
    EXPECT_EQ(verified->verified_by.size(), 2u);
    EXPECT_EQ(verified->cosignature_times.size(), 1u);

    // A cosignature by a key that is not a listed node's, or on another log's checkpoint, is
    // refused.
    ledger::Cosigner stranger("aa.central", crypto::SigningKey::Generate());
    auto note = ledger::ParseNote(*cosigned);
    ASSERT_TRUE(note);
    const std::string own = *GetString(*reply, "checkpoint");
    boost::json::object forged;
    forged["checkpoint"] = own + stranger.SignatureLine(note->text, 1'800'000'000);
    EXPECT_EQ(
        b->AcceptCosignature(boost::json::serialize(forged)).error().code,
        ErrorCode::kUnauthenticated
    );
    // A's own log is not empty whether or not B's request has reached it yet.
    ASSERT_TRUE(a->Submit(Request("bb.poc")));
    auto a_checkpoint = a->CheckpointReply(0);
    ASSERT_TRUE(a_checkpoint) << a_checkpoint.error().ToString();
    auto a_reply = ParseObject(*a_checkpoint);
    ASSERT_TRUE(a_reply);
    boost::json::object other_log;
    other_log["checkpoint"] = *GetString(*a_reply, "checkpoint");
    EXPECT_EQ(
        b->AcceptCosignature(boost::json::serialize(other_log)).error().code,
        ErrorCode::kInvalidArgument
    );
}

// Issue 13, item 1: the highest directory serial is kept in the store; an older directory is
// refused at reload and when the node is opened again on the same store.
TEST_P(NodeTest, RefusesADirectoryOlderThanOneItAcceptedAlsoAfterARestart) {
    auto store = OpenStore("rollback");
    ASSERT_NE(store, nullptr);
    auto revoked_a = a_.entry;
    revoked_a.revoked = true;
    const auto old_directory = MakeDirectory({&a_.entry, &b_.entry, &c_.entry}, 1);
    const auto new_directory = MakeDirectory({&revoked_a, &b_.entry, &c_.entry}, 2);
    NodeOptions options;
    options.node_id = "bb.poc";
    {
        auto node = Node::Open(*store, CopyKeys(b_.keys), old_directory, transport_, options);
        ASSERT_TRUE(node) << node.error().ToString();
        ASSERT_TRUE((*node)->SetDirectory(old_directory, "one"));
        ASSERT_TRUE((*node)->SetDirectory(new_directory, "two"));
        auto rolled_back = (*node)->SetDirectory(old_directory, "one");
        ASSERT_FALSE(rolled_back);
        EXPECT_EQ(rolled_back.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(
            rolled_back.error().message.find("serial 1 is lower than serial 2"), std::string::npos
        ) << rolled_back.error().message;
        EXPECT_EQ((*node)->Directory()->serial, 2u);
    }
    // "Restart" with the older file: refused before the node runs.
    auto reopened = Node::Open(*store, CopyKeys(b_.keys), old_directory, transport_, options);
    ASSERT_FALSE(reopened);
    EXPECT_NE(reopened.error().message.find("serial 1 is lower than serial 2"), std::string::npos)
        << reopened.error().message;
    // With the current one it starts, and the revoked sender stays refused.
    auto current = Node::Open(*store, CopyKeys(b_.keys), new_directory, transport_, options);
    ASSERT_TRUE(current) << current.error().ToString();
    ASSERT_TRUE((*current)->SetDirectory(new_directory, "two"));
    (*current)->Start();
    Header h{
        NewUuidV7(), "request", "aa.central", "bb.poc", FormatTimestamp(NowMillis()), "", "normal"};
    auto envelope = SealEnvelope(h, "{}", a_.keys.signing, a_.keys.box, b_.keys.box.PublicKey());
    ASSERT_TRUE(envelope);
    EXPECT_EQ((*current)->Receive(*envelope, false).refusal, "unknown_sender");
    (*current)->Stop();
}

// A receiver whose replies pass through `rewrite`: B signs what the rewrite returns.
class LyingReceiver {
public:
    explicit LyingReceiver(const crypto::SigningKey& key) : key_(key) {}

    // Re-signs the receipt after `edit`; `reply_edit` may change the reply around it.
    std::string Rewrite(
        const std::string& reply,
        const std::function<void(boost::json::object&)>& edit,
        const std::function<void(boost::json::object&)>& reply_edit = nullptr
    ) const {
        auto o = *ParseObject(reply);
        auto receipt = *ParseObject(std::string(o["receipt"].as_string()));
        receipt.erase("key");
        receipt.erase("sig");
        edit(receipt);
        o["receipt"] = *SignObject(std::move(receipt), "concord-evidence-v1", key_);
        if (reply_edit) {
            reply_edit(o);
        }
        return boost::json::serialize(o);
    }

private:
    const crypto::SigningKey& key_;
};

// Issue 13, items 2 and 3: a receipt that is signed by the right key but wrong in any member, or
// a reply without the inclusion proof that was asked for, never makes a message "delivered": the
// sender retries, and at the delivery horizon records a non-delivery and raises an alert.
TEST_P(NodeTest, ReceiptsWithWrongContentOrWithoutTheAskedProofAreRetriedNeverDelivered) {
    const LyingReceiver liar(b_.keys.signing);
    struct Case {
        const char* what;
        std::function<void(boost::json::object&)> edit;
        std::function<void(boost::json::object&)> reply_edit;
    };
    const std::vector<Case> cases = {
        {"negative ledger index", [](auto& r) { r["ledger_index"] = -1; }, nullptr},
        {"unknown v", [](auto& r) { r["v"] = 7; }, nullptr},
        {"no v", [](auto& r) { r.erase("v"); }, nullptr},
        {"unknown kind", [](auto& r) { r["kind"] = "whatever"; }, nullptr},
        {"no kind", [](auto& r) { r.erase("kind"); }, nullptr},
        {"garbage time", [](auto& r) { r["time"] = "not a time"; }, nullptr},
        {"time before the envelope",
         [](auto& r) { r["time"] = "2001-01-01T00:00:00.000Z"; },
         nullptr},
        {"time far in the future",
         [](auto& r) { r["time"] = "2999-01-01T00:00:00.000Z"; },
         nullptr},
        {"no ledger index", [](auto& r) { r.erase("ledger_index"); }, nullptr},
        {"unknown member", [](auto& r) { r["note"] = "x"; }, nullptr},
        {"proof withheld",
         [](auto&) {},
         [](auto& o) {
             o.erase("proof");
             o.erase("leaf");
         }},
        {"reply ledger_index differs",
         [](auto&) {},
         [](auto& o) { o["ledger_index"] = o["ledger_index"].as_int64() + 1; }},
    };
    const NodeStopper stop_nodes_first{this};
    Node* b = StartNode(b_);
    NodeOptions options;
    options.delivery_horizon = std::chrono::hours(1);
    Node* a = StartNode(a_, options);
    ASSERT_TRUE(a && b);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        transport_.RewriteReplies([&](const std::string& reply) {
            return liar.Rewrite(reply, c.edit, c.reply_edit);
        });
        auto sent = a->Submit(Request("bb.poc"));
        ASSERT_TRUE(sent) << sent.error().ToString();
        ASSERT_TRUE(WaitFor([&] {
            auto detail = a->Read(Direction::kOut, sent->id);
            return detail && detail->summary.attempts >= 2;
        }));
        auto detail = a->Read(Direction::kOut, sent->id);
        ASSERT_TRUE(detail);
        EXPECT_EQ(detail->summary.status, MessageStatus::kQueued);
        EXPECT_NE(detail->summary.last_error.find("receipt refused"), std::string::npos)
            << detail->summary.last_error;
        EXPECT_TRUE(detail->evidence.empty());
    }
    EXPECT_EQ(a->Counters().delivered.load(), 0u);
    // An honest receiver again: every queued message is delivered on its next retry.
    transport_.RewriteReplies(nullptr);
    ASSERT_TRUE(WaitFor([&] { return a->Counters().delivered.load() == cases.size(); }));
}

TEST_P(NodeTest, ARefusedReceiptEndsInANonDeliveryAlertAtTheHorizon) {
    const LyingReceiver liar(b_.keys.signing);
    transport_.RewriteReplies([&](const std::string& reply) {
        return liar.Rewrite(reply, [](auto& r) { r["ledger_index"] = -5; });
    });
    const NodeStopper stop_nodes_first{this};
    Node* b = StartNode(b_);
    NodeOptions options;
    options.delivery_horizon = std::chrono::milliseconds(300);
    Node* a = StartNode(a_, options);
    ASSERT_TRUE(a && b);
    auto sent = a->Submit(Request("bb.poc"));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return Status(a, sent->id) == "failed"; })) << Status(a, sent->id);
    auto alerts = a->Alerts(10);
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].kind, AlertKind::kNonDelivery);
    EXPECT_NE((*alerts)[0].message.find("receipt refused"), std::string::npos)
        << (*alerts)[0].message;
    EXPECT_EQ(a->Counters().delivered.load(), 0u);
}

// Issue 13, item 4: a provider may answer, but not send a request, least of all an emergency.
TEST_P(NodeTest, MessagePolicyIsEnforcedBeforeAnythingIsStored) {
    Node* b = StartNode(b_);
    Node* c = StartNode(c_);
    ASSERT_TRUE(b && c);
    // The sending node refuses it locally...
    auto local = c->Submit(Request("bb.poc"));
    ASSERT_FALSE(local);
    EXPECT_EQ(local.error().code, ErrorCode::kPermissionDenied);
    // ...and a receiver refuses it from a sender that does not check.
    auto seal = [&](const std::string& type, const std::string& priority, const std::string& reply
                ) {
        Header h{
            NewUuidV7(),
            type,
            "cc.provider",
            "bb.poc",
            FormatTimestamp(NowMillis()),
            reply,
            priority};
        return *SealEnvelope(h, "{}", c_.keys.signing, c_.keys.box, b_.keys.box.PublicKey());
    };
    const auto size = *b->LedgerSize();
    for (const auto& [type, priority, reply] : std::vector<std::array<std::string, 3>>{
             {"request", "emergency", ""},
             {"request", "normal", ""},
             {"order", "emergency", ""},
             {"response", "emergency", ""},
             {"unlisted.type", "normal", ""}}) {
        IntakeReply r = b->Receive(seal(type, priority, reply), false);
        EXPECT_EQ(r.refusal, "not_permitted") << type << " " << priority << ": " << r.body;
        EXPECT_EQ(r.status, 403u);
    }
    EXPECT_EQ(Count(b, "in"), 0u);
    EXPECT_EQ(b->Counters().refused[static_cast<int>(Refusal::kNotPermitted)].load(), 5u);
    // Only the refusal events were logged, no message.
    EXPECT_EQ(*b->LedgerSize(), size + 5);
    // An emergency answer from the provider is accepted.
    IntakeReply answer = b->Receive(seal("response", "emergency", NewUuidV7()), false);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    EXPECT_EQ(Count(b, "in"), 1u);
}

// Issue 13, item 6: backoff settings beyond 2^32 ms neither wrap nor overflow.
TEST(Backoff, CeilingSaturatesAtTheMaximumForAnySetting) {
    using internal::BackoffCeilingMs;
    constexpr std::int64_t kBig = std::int64_t{1} << 40;
    EXPECT_EQ(BackoffCeilingMs(250, 300'000, 0), 250);
    EXPECT_EQ(BackoffCeilingMs(250, 300'000, 3), 2000);
    EXPECT_EQ(BackoffCeilingMs(250, 300'000, 1'000'000), 300'000);
    EXPECT_EQ(BackoffCeilingMs(std::int64_t{1} << 33, kBig, 0), std::int64_t{1} << 33);
    EXPECT_EQ(BackoffCeilingMs(std::int64_t{1} << 33, kBig, 30), kBig);
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(BackoffCeilingMs(max, max, 100), max);
    EXPECT_EQ(BackoffCeilingMs(max / 2 + 1, max, 1), max);
    EXPECT_EQ(BackoffCeilingMs(kBig, 1000, 0), 1000);  // the initial value is clamped too
    EXPECT_EQ(BackoffCeilingMs(0, 0, 5), 1);
    EXPECT_EQ(BackoffCeilingMs(-5, 100, -3), 1);
}

TEST(Backoff, JitterCoversTheWholeRangeAbove32Bits) {
    using internal::JitteredDelayMs;
    constexpr std::int64_t kCeiling = std::int64_t{1} << 34;
    bool above_32_bits = false;
    for (int i = 0; i < 200; ++i) {
        const std::int64_t d = JitteredDelayMs(kCeiling);
        ASSERT_GE(d, 1);
        ASSERT_LE(d, kCeiling);
        above_32_bits = above_32_bits || d > (std::int64_t{1} << 32);
    }
    // Each draw is above 2^32 with probability 3/4; all 200 below it would be 4^-200.
    EXPECT_TRUE(above_32_bits);
    EXPECT_EQ(JitteredDelayMs(1), 1);
    EXPECT_EQ(JitteredDelayMs(0), 1);
}

// Issue 13, item 10: one intake whose statement fails does not fail the others of its group.
TEST_P(NodeTest, OneFailingIntakeDoesNotFailTheOthersOfItsGroupCommit) {
    const std::string poison = R"({"poison":"intake"})";
    auto inner = OpenStore("faulty");
    ASSERT_NE(inner, nullptr);
    FaultyStore store(std::move(inner), "poison");
    // The committer is held after its first commit, so that the other envelopes queue up and
    // are committed as one group.
    std::mutex mu;
    std::condition_variable cv;
    bool held = false;
    bool released = false;
    NodeOptions options;
    options.node_id = "bb.poc";
    options.max_intake_batch = 64;
    options.failpoint = [&](std::string_view point) {
        if (point != "intake.after_commit") {
            return;
        }
        std::unique_lock lock(mu);
        if (!held) {
            held = true;
            cv.notify_all();
            cv.wait(lock, [&] { return released; });
        }
    };
    auto opened = Node::Open(store, CopyKeys(b_.keys), directory_, transport_, options);
    ASSERT_TRUE(opened) << opened.error().ToString();
    Node& b = **opened;
    b.Start();
    std::vector<std::string> envelopes;
    for (int i = 0; i < 41; ++i) {
        Header h{
            NewUuidV7(),
            "request",
            "aa.central",
            "bb.poc",
            FormatTimestamp(NowMillis()),
            "",
            "normal"};
        envelopes.push_back(*SealEnvelope(
            h,
            i == 17 ? poison : R"({"n":)" + std::to_string(i) + "}",
            a_.keys.signing,
            a_.keys.box,
            b_.keys.box.PublicKey()
        ));
    }
    std::vector<IntakeReply> replies(envelopes.size());
    std::vector<std::thread> threads;
    threads.emplace_back([&] { replies[0] = b.Receive(envelopes[0], false); });
    {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return held; });
    }
    std::atomic<int> verifying{0};
    for (std::size_t i = 1; i < envelopes.size(); ++i) {
        threads.emplace_back([&, i] {
            ++verifying;
            replies[i] = b.Receive(envelopes[i], false);
        });
    }
    // Receive verifies on the caller's thread before queueing; give the threads that time.
    while (verifying.load() < static_cast<int>(envelopes.size()) - 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    {
        std::scoped_lock lock(mu);
        released = true;
    }
    cv.notify_all();
    for (auto& t : threads) {
        t.join();
    }
    b.Stop();
    for (std::size_t i = 0; i < replies.size(); ++i) {
        EXPECT_EQ(replies[i].status, i == 17 ? 503u : 200u) << i << ": " << replies[i].body;
    }
    EXPECT_EQ(b.Counters().received.load(), envelopes.size() - 1);
}

// Issue 13, item 10: a delivery worker whose outbox query fails says so instead of going idle
// silently.
TEST_P(NodeTest, ADeliveryWorkerLogsAFailedOutboxQuery) {
    auto inner = OpenStore("idle");
    ASSERT_NE(inner, nullptr);
    FaultyStore store(std::move(inner), "no statement matches this");
    NodeOptions options;
    options.node_id = "aa.central";
    auto opened = Node::Open(store, CopyKeys(a_.keys), directory_, transport_, options);
    ASSERT_TRUE(opened) << opened.error().ToString();
    std::ostringstream lines;
    log::Configure(&lines, log::Level::kInfo);
    store.FailQueries("FROM fed_outbox WHERE next_attempt_ms <=");
    (*opened)->Start();
    const bool failed = WaitFor([&] { return store.FailedQueries() > 0; });
    (*opened)->Stop();  // joins the workers: every line is written
    log::Configure(&std::cerr, log::Level::kInfo);
    ASSERT_TRUE(failed);
    EXPECT_NE(lines.str().find("outbox: cannot query due messages"), std::string::npos)
        << lines.str();
    EXPECT_NE(lines.str().find("no_such_table_injected_fault"), std::string::npos) << lines.str();
}

// Issue 13, item 5: junk envelopes are logged at a bounded rate and the rest are counted.
TEST_P(NodeTest, RefusalLogLinesAreRateLimitedPerSenderAndReasonAndCounted) {
    NodeOptions options;
    options.refusal_log_lines_per_minute = 3;
    Node* b = StartNode(b_, options);
    ASSERT_TRUE(b);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(b->Receive("junk", false).refusal, "malformed");
    }
    EXPECT_EQ(b->Counters().refused[static_cast<int>(Refusal::kMalformed)].load(), 50u);
    EXPECT_EQ(b->Counters().refusal_logs_suppressed.load(), 47u);
    // Another reason has its own budget.
    EXPECT_EQ(b->Receive(std::string(2 << 20, ' '), false).refusal, "too_large");
    EXPECT_EQ(b->Counters().refusal_logs_suppressed.load(), 47u);
    // Audit events beyond the per-minute budget are counted as unrecorded.
    EXPECT_EQ(b->Counters().refusal_events_unrecorded.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    NodeTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::federation
