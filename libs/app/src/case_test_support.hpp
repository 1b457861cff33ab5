#pragma once

// Two federation nodes of one process with a case service each, for the case tests.

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"
#include "concord/app/domain_events.hpp"
#include "concord/core/id.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/legal/lifecycle.hpp"
#include "concord/store/testing/pg_test.hpp"

namespace concord::app::testing {

inline const legal::Catalog& Catalog() {
    static const legal::Catalog catalog = [] {
        auto c = legal::LoadCatalog(std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments");
        EXPECT_TRUE(c) << c.error().message;
        return std::move(*c);
    }();
    return catalog;
}

inline const legal::Lifecycle& Lifecycle() {
    static const legal::Lifecycle lifecycle = [] {
        auto lc = legal::Lifecycle::Load(
            std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "lifecycle.toml", &Catalog()
        );
        EXPECT_TRUE(lc) << lc.error().message;
        return std::move(*lc);
    }();
    return lifecycle;
}

/// The shipped example of an MLA request from FR to JP under Budapest.
inline std::string ExampleRequest() {
    std::ifstream in(
        std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "examples" /
        "mla-stored-data.json"
    );
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline Actor Person(std::string login, std::string unit, std::vector<Role> roles) {
    Actor a;
    a.kind = Actor::Kind::kUser;
    a.user_id = std::move(login);
    a.display_name = a.user_id;
    a.unit = std::move(unit);
    a.roles = std::move(roles);
    return a;
}

/// Hands each request of a node to the addressed node in the same process. It can lose a
/// delivery (the sender retries later, so messages overtake each other), deliver an envelope
/// twice, and refuse a node that is down.
class LoopTransport : public federation::Transport {
public:
    explicit LoopTransport(std::uint32_t seed) : random_(seed) {}

    void Attach(const std::string& id, federation::Node* node) {
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
    /// Per mille of deliveries lost and of deliveries repeated.
    void SetFaults(int lose_per_mille, int repeat_per_mille) {
        std::scoped_lock lock(mu_);
        lose_ = lose_per_mille;
        repeat_ = repeat_per_mille;
    }

    Result<Reply> Send(
        const federation::NodeEntry& peer,
        std::string_view method,
        std::string_view target,
        std::string_view body
    ) override {
        federation::Node* node = nullptr;
        bool repeat = false;
        {
            std::scoped_lock lock(mu_);
            auto it = nodes_.find(peer.id);
            if (it == nodes_.end() || down_.contains(peer.id)) {
                return MakeError(ErrorCode::kUnavailable, "peer down");
            }
            node = it->second;
            std::uniform_int_distribution<int> per_mille(0, 999);
            if (per_mille(random_) < lose_) {
                return MakeError(ErrorCode::kUnavailable, "lost on the way");
            }
            repeat = per_mille(random_) < repeat_;
            ++in_flight_[peer.id];
        }
        // A node is closed only when no call is inside it (WaitIdle).
        struct Done {
            LoopTransport* t;
            std::string id;
            ~Done() {
                std::scoped_lock lock(t->mu_);
                --t->in_flight_[id];
            }
        } done{this, peer.id};
        if (method != "POST" || !target.starts_with("/fed/v1/messages")) {
            return Reply{404, "{}"};
        }
        const bool proof = target.find("proof=1") != std::string_view::npos;
        federation::IntakeReply reply = node->Receive(body, proof);
        if (repeat && reply.status == 200) {
            reply = node->Receive(body, proof);
        }
        return Reply{reply.status, reply.body};
    }

    /// Waits until no call is inside node `id` (after SetDown, none starts).
    void WaitIdle(const std::string& id) {
        for (;;) {
            {
                std::scoped_lock lock(mu_);
                if (in_flight_[id] == 0) {
                    return;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

private:
    std::mutex mu_;
    std::map<std::string, int> in_flight_;
    std::mt19937 random_;
    std::map<std::string, federation::Node*> nodes_;
    std::set<std::string> down_;
    int lose_{0};
    int repeat_{0};
};

/// One node with its store, keys and case service.
struct NodeUnderTest {
    std::string id;
    std::string party;
    crypto::SigningKey signing{crypto::SigningKey::Generate()};
    crypto::BoxKeyPair box{crypto::BoxKeyPair::Generate()};
    std::unique_ptr<store::Store> store;
    std::unique_ptr<CaseService> cases;
    std::unique_ptr<federation::Node> node;

    [[nodiscard]] federation::NodeEntry Entry() const {
        federation::NodeEntry e;
        e.id = id;
        e.party = party;
        e.authority = "Central authority of " + party;
        e.roles = {"central_authority"};
        e.endpoint = "https://127.0.0.1:1";
        e.tls_sha256 = std::string(64, 'c');
        e.signing_key = signing.PublicKey();
        e.box_key = box.PublicKey();
        e.languages = {"en"};
        return e;
    }
};

/// Two nodes, fr.central (FR) and jp.central (JP), on one backend ("sqlite" or "postgres").
class TwoNodes : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        if (GetParam() == "postgres") {
            // The store library's one skip-or-fail rule (fails in CI); the nodes get their own
            // databases below.
            CONCORD_FRESH_PG_DSN_OR_SKIP(probe_dsn);
        }
        dir_ = std::filesystem::temp_directory_path() / ("cases-" + NewUuidV7());
        std::filesystem::create_directories(dir_);
        a_.id = "fr.central";
        a_.party = "FR";
        b_.id = "jp.central";
        b_.party = "JP";
        directory_ = MakeDirectory();
        for (NodeUnderTest* s : {&a_, &b_}) {
            s->store = OpenStore(s->id);
            ASSERT_NE(s->store, nullptr);
            ASSERT_TRUE(s->store->Migrate(CaseService::Migrations()));
            s->cases = std::make_unique<CaseService>(*s->store, Catalog(), Lifecycle());
            // Approvals are signed by the approver (docs/cases.md "Signed approvals").
            ASSERT_TRUE(s->cases->SignApprovals(s->signing, CertifierOptions{s->id, s->party}));
            ASSERT_TRUE(Open(*s));
        }
    }

    void TearDown() override {
        for (NodeUnderTest* s : {&b_, &a_}) {
            Close(*s);
        }
        a_.store.reset();
        b_.store.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
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

    std::shared_ptr<const federation::Directory> MakeDirectory() {
        boost::json::object body;
        body["format"] = "concord-directory/1";
        body["serial"] = 1;
        body["issued"] = "2026-11-30T12:00:00.000Z";
        boost::json::array parties;
        for (const NodeUnderTest* s : {&a_, &b_}) {
            boost::json::object binding;
            binding["id"] = "budapest";
            binding["status"] = "ratified";
            boost::json::object p;
            p["code"] = s->party;
            p["name"] = "State " + s->party;
            p["languages"] = boost::json::array{"en"};
            p["instruments"] = boost::json::array{binding};
            parties.push_back(std::move(p));
        }
        body["parties"] = std::move(parties);
        body["nodes"] = boost::json::array{
            federation::NodeEntryToJson(a_.Entry()), federation::NodeEntryToJson(b_.Entry())};
        auto parsed = federation::ParseDirectoryBody(body);
        EXPECT_TRUE(parsed) << parsed.error().ToString();
        return std::make_shared<const federation::Directory>(std::move(*parsed));
    }

    /// Opens (or reopens) the node of `s` on its store and starts it.
    Result<void> Open(NodeUnderTest& s) {
        federation::NodeOptions options;
        options.node_id = s.id;
        options.initial_backoff = std::chrono::milliseconds(10);
        options.max_backoff = std::chrono::milliseconds(100);
        options.delivery_workers = 2;
        CaseService* cases = s.cases.get();
        options.on_received = [cases](
                                  store::Transaction& tx, const federation::ReceivedMessage& m
                              ) { return cases->OnReceived(tx, m); };
        options.on_event = [this](std::string_view name, const std::string& json) {
            if (name != "message.delivered") {
                return;
            }
            auto event = boost::json::parse(json).as_object();
            std::scoped_lock lock(delivered_mu_);
            delivered_.emplace_back(std::string(event.at("id").as_string()));
        };
        auto node = federation::Node::Open(
            *s.store,
            federation::NodeKeys{
                *crypto::SigningKey::FromSeed(s.signing.Seed().Span()),
                *crypto::BoxKeyPair::FromSecret(s.box.Secret().Span())},
            directory_,
            transport_,
            options
        );
        if (!node) {
            return node.error();
        }
        s.node = std::move(*node);
        s.cases->Attach(s.node.get());
        transport_.Attach(s.id, s.node.get());
        transport_.SetDown(s.id, false);
        s.node->Start();
        return {};
    }

    /// Stops the node of `s` (as a process that ends would) and forgets it.
    void Close(NodeUnderTest& s) {
        if (s.node == nullptr) {
            return;
        }
        transport_.SetDown(s.id, true);
        transport_.WaitIdle(s.id);
        s.node->Stop();
        s.cases->Attach(nullptr);
        s.node.reset();
    }

    /// Hands the receipts seen so far to the sending case service (the server does this from
    /// its event stream).
    void ApplyReceipts() {
        std::deque<std::string> ids;
        {
            std::scoped_lock lock(delivered_mu_);
            ids.swap(delivered_);
        }
        for (const std::string& id : ids) {
            EXPECT_TRUE(a_.cases->OnDelivered(id));
            EXPECT_TRUE(b_.cases->OnDelivered(id));
        }
    }

    /// Waits until both outboxes are empty and every receipt is applied.
    void Settle() {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        int quiet = 0;
        while (quiet < 3 && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            ApplyReceipts();
            bool empty = true;
            for (NodeUnderTest* s : {&a_, &b_}) {
                auto depth = s->node->OutboxDepth();
                empty = empty && depth && depth->first == 0 && depth->second == 0;
            }
            quiet = empty ? quiet + 1 : 0;
        }
        ApplyReceipts();
        ASSERT_EQ(quiet, 3) << "outboxes did not drain";
    }

    /// Drafts `request` at A (alice), approves it (bob) and sends it to B; returns A's case id
    /// and B's incoming case (read by dora).
    std::pair<std::string, Case> SendToB(const std::string& request) {
        auto c = a_.cases->Draft(alice_, DraftInput{request, b_.id, "normal", ""});
        EXPECT_TRUE(c) << c.error().message;
        if (!c) {
            return {};
        }
        EXPECT_TRUE(a_.cases->Approve(bob_, c->id));
        Settle();
        CaseFilter f;
        f.direction = CaseDirection::kIn;
        auto found = b_.cases->Search(dora_, f);
        EXPECT_TRUE(found);
        for (const Case& in : found ? *found : std::vector<Case>{}) {
            if (in.origin_id == c->id) {
                return {c->id, in};
            }
        }
        ADD_FAILURE() << "no incoming case for " << c->id;
        return {};
    }

    /// The domain events of `case_id` on `s`.
    static std::vector<DomainEvent> Events(NodeUnderTest& s, const std::string& case_id) {
        std::vector<DomainEvent> out;
        auto tx = s.store->Begin();
        EXPECT_TRUE(tx);
        auto all = ReadDomainEvents(**tx, 0, 1000000);
        EXPECT_TRUE(all);
        for (DomainEvent& e : *all) {
            if (e.case_id == case_id) {
                out.push_back(std::move(e));
            }
        }
        (*tx)->Rollback();
        return out;
    }

    std::filesystem::path dir_;
    LoopTransport transport_{20261130};
    std::shared_ptr<const federation::Directory> directory_;
    NodeUnderTest a_;
    NodeUnderTest b_;
    std::mutex delivered_mu_;
    std::deque<std::string> delivered_;

    const Actor alice_ = Person("alice", "cyber", {Role::kOfficer});
    const Actor bob_ = Person("bob", "cyber", {Role::kApprover});
    const Actor dora_ = Person("dora", "desk", {Role::kDutyOfficer});
};

}  // namespace concord::app::testing
