#include "concord/app/preservation_service.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/case_service.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/id.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/directory.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/legal/lifecycle.hpp"
#include "concord/store/testing/pg_test.hpp"

#include <sys/stat.h>

namespace concord::app {
namespace {

// Connects the nodes of this test in one process: a delivery to a peer is handed to that peer's
// Node as the server's /fed/v1/messages handler would.
class LoopTransport : public federation::Transport {
public:
    void Attach(const std::string& id, federation::Node* node) {
        std::scoped_lock lock(mu_);
        nodes_[id] = node;
    }
    void Detach(const std::string& id) {
        std::scoped_lock lock(mu_);
        nodes_.erase(id);
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
            auto r = node->Receive(body, target.find("proof=1") != std::string_view::npos);
            return Reply{r.status, r.body};
        }
        if (method == "GET" && target.starts_with("/fed/v1/checkpoint?old_size=")) {
            auto reply =
                node->CheckpointReply(std::stoull(std::string(target.substr(target.find('=') + 1)))
                );
            return reply ? Reply{200, *reply} : Reply{400, reply.error().message};
        }
        return Reply{404, "{}"};
    }

private:
    std::mutex mu_;
    std::map<std::string, federation::Node*> nodes_;
};

struct Identity {
    federation::NodeKeys keys;
    federation::NodeEntry entry;
};

Identity MakeIdentity(const std::string& id, const std::string& party, const std::string& role) {
    Identity t{{crypto::SigningKey::Generate(), crypto::BoxKeyPair::Generate()}, {}};
    t.entry.id = id;
    t.entry.party = party;
    t.entry.authority = "Authority of " + id;
    t.entry.roles = {role};
    t.entry.endpoint = "https://127.0.0.1:1";
    t.entry.tls_sha256 = std::string(64, 'a');  // never dialled
    t.entry.signing_key = t.keys.signing.PublicKey();
    t.entry.box_key = t.keys.box.PublicKey();
    t.entry.languages = {"en"};
    return t;
}

federation::NodeKeys CopyKeys(const federation::NodeKeys& keys) {
    return federation::NodeKeys{
        *crypto::SigningKey::FromSeed(keys.signing.Seed().Span()),
        *crypto::BoxKeyPair::FromSecret(keys.box.Secret().Span())};
}

std::string Str(const boost::json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
}

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The order of the tests: the catalogue's own example of an expedited preservation request.
std::string ExampleOrder() {
    return ReadFile(
        std::filesystem::path(CONCORD_SOURCE_DIR) /
        "instruments/examples/expedited-preservation.json"
    );
}

class PreservationTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        if (GetParam() == "postgres") {
            CONCORD_FRESH_PG_DSN_OR_SKIP(probe);
        }
        dir_ = std::filesystem::temp_directory_path() / ("concord-preservation-" + NewUuidV7());
        std::filesystem::create_directories(dir_);
        auto catalog = legal::LoadCatalog(legal::DefaultInstrumentsDir());
        ASSERT_TRUE(catalog) << catalog.error().ToString();
        catalog_ = std::make_unique<legal::Catalog>(std::move(*catalog));
        boost::json::object body;
        body["format"] = "concord-directory/1";
        body["serial"] = 1;
        body["issued"] = "2026-11-29T12:00:00.000Z";
        boost::json::array parties;
        for (const char* code : {"FR", "HU"}) {
            boost::json::object p;
            p["code"] = code;
            p["name"] = code;
            p["languages"] = boost::json::array{"en"};
            p["instruments"] = boost::json::array{};
            parties.push_back(std::move(p));
        }
        body["parties"] = std::move(parties);
        boost::json::array nodes;
        for (const Identity* who : {&a_, &c_, &d_}) {
            nodes.push_back(federation::NodeEntryToJson(who->entry));
        }
        body["nodes"] = std::move(nodes);
        auto parsed = federation::ParseDirectoryBody(body);
        ASSERT_TRUE(parsed) << parsed.error().ToString();
        directory_ = std::make_shared<const federation::Directory>(std::move(*parsed));
    }

    void TearDown() override {
        StopAll();
        std::filesystem::remove_all(dir_);
    }

    void StopAll() {
        for (auto& [id, running] : running_) {
            if (running.service) {
                running.service->Stop();
            }
        }
        for (auto& [id, running] : running_) {
            transport_.Detach(id);
            if (running.node) {
                running.node->Stop();
            }
        }
        running_.clear();
    }

    std::string StoreUrl(const std::string& name) {
        if (GetParam() == "postgres") {
            auto dsn = store::testing::CreateFreshPgDatabase();
            EXPECT_TRUE(dsn) << dsn.error().ToString();
            return dsn ? *dsn : "";
        }
        return "sqlite:" + (dir_ / (name + ".db")).string();
    }

    struct Running {
        std::unique_ptr<store::Store> store;
        std::unique_ptr<federation::Node> node;
        std::unique_ptr<PreservationService> service;
        PreservationService* slot{nullptr};
        std::unique_ptr<CaseService> cases;  // with_cases_: the case layer, wired as concordd does
    };

    // Opens a node on `url`; for the provider also its preservation service with `hook` (a
    // script path, or empty for none). `start_service` false leaves orders recorded, unrun.
    Running* Open(
        const Identity& who,
        const std::string& url,
        const std::string& hook_script = "",
        bool start_service = true,
        std::chrono::milliseconds timeout = std::chrono::seconds(30)
    ) {
        Running& r = running_[who.entry.id];
        auto store = store::Store::Open(url);
        EXPECT_TRUE(store) << store.error().ToString();
        if (!store) {
            return nullptr;
        }
        r.store = std::move(*store);
        if (with_cases_) {
            auto migrated = r.store->Migrate(CaseService::Migrations());
            EXPECT_TRUE(migrated) << migrated.error().ToString();
            r.cases = std::make_unique<CaseService>(*r.store, *catalog_, *lifecycle_);
        }
        federation::NodeOptions options;
        options.node_id = who.entry.id;
        options.initial_backoff = std::chrono::milliseconds(20);
        options.max_backoff = std::chrono::milliseconds(200);
        // The service exists before the node starts taking messages (see its header).
        options.on_received =
            [&r](store::Transaction& tx, const federation::ReceivedMessage& m) -> Result<void> {
            if (r.cases) {
                CONCORD_RETURN_IF_ERROR(r.cases->OnReceived(tx, m));
            }
            return r.slot != nullptr ? r.slot->OnReceived(tx, m) : Result<void>{};
        };
        auto node = federation::Node::Open(
            *r.store, CopyKeys(who.keys), directory_, transport_, std::move(options)
        );
        EXPECT_TRUE(node) << node.error().ToString();
        if (!node) {
            return nullptr;
        }
        r.node = std::move(*node);
        if (r.cases) {
            r.cases->Attach(r.node.get());
        }
        std::unique_ptr<PreservationHook> hook;
        if (!hook_script.empty()) {
            auto exec = ExecHook::Create(ExecHookOptions{{hook_script}, timeout});
            EXPECT_TRUE(exec);
            hook = std::move(*exec);
        }
        PreservationOptions service_options;
        service_options.hook_timeout = timeout;
        service_options.on_event = [this](std::string_view name, const std::string& json) {
            std::scoped_lock lock(events_mu_);
            events_.push_back(std::string(name) + " " + json);
        };
        if (r.cases) {
            // The seam as concordd sets it (libs/server/src/service.cpp).
            CaseService* cases = r.cases.get();
            service_options.confirm_case =
                [cases](
                    store::Transaction& tx, std::string_view order, const std::string& confirmation
                ) -> Result<std::optional<CaseConfirmation>> {
                CONCORD_ASSIGN_OR_RETURN(
                    auto taken,
                    cases->TakeStepsIn(
                        tx, Actor::Node(), order, PreservationConfirmationPath(confirmation)
                    )
                );
                if (!taken) {
                    return std::optional<CaseConfirmation>{};
                }
                return std::optional<CaseConfirmation>{
                    CaseConfirmation{taken->last_message_id, std::move(taken->after_commit)}};
            };
        }
        auto service = PreservationService::Open(
            *r.store, *r.node, *catalog_, std::move(hook), std::move(service_options)
        );
        EXPECT_TRUE(service) << service.error().ToString();
        if (!service) {
            return nullptr;
        }
        r.service = std::move(*service);
        r.slot = r.service.get();
        transport_.Attach(who.entry.id, r.node.get());
        r.node->Start();
        if (start_service) {
            r.service->Start();
        }
        return &r;
    }

    // Writes an executable script into the test directory.
    std::string Script(const std::string& name, const std::string& body) {
        const auto path = dir_ / name;
        std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
        ::chmod(path.c_str(), 0700);
        return path.string();
    }

    // A hook that keeps its input and answers with its hash.
    std::string GoodHook() {
        return Script(
            "good.sh",
            "cat > \"$(dirname \"$0\")/order.json\"\n"
            "h=$(sha256sum < \"$(dirname \"$0\")/order.json\" | cut -d' ' -f1)\n"
            "printf '{\"reference\":\"FRZ-7\",\"sha256\":\"%s\",\"note\":\"snapshot taken\"}' "
            "\"$h\""
        );
    }

    static federation::OutgoingMessage Order(const std::string& to, std::string body) {
        return federation::OutgoingMessage{
            to, "request", federation::Priority::kEmergency, "", std::move(body)};
    }

    // Waits until `done`; false after two minutes (a hung test fails instead of hanging; this
    // is no performance limit).
    template <class F>
    [[nodiscard]] static bool WaitFor(F done) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
        while (!done()) {
            if (std::chrono::steady_clock::now() > give_up) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }

    // The incoming message of `node` that answers `order_id`, or nullopt.
    static std::optional<federation::MessageDetail> ReplyTo(
        federation::Node& node, const std::string& order_id
    ) {
        auto list = node.List(federation::Direction::kIn, 100, "");
        if (!list) {
            return std::nullopt;
        }
        for (const auto& m : *list) {
            if (m.in_reply_to == order_id && m.type == "response") {
                auto detail = node.Read(federation::Direction::kIn, m.id);
                if (detail) {
                    return *detail;
                }
            }
        }
        return std::nullopt;
    }

    static OrderState StateOf(PreservationService& service, const std::string& id) {
        auto order = service.Get(id);
        return order ? order->state : OrderState::kRecorded;
    }

    bool SawEvent(std::string_view fragment) {
        std::scoped_lock lock(events_mu_);
        for (const auto& e : events_) {
            if (e.find(fragment) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    // Nodes opened after this carry the case layer (the lifecycle of instruments/).
    void UseCases() {
        auto lifecycle = legal::Lifecycle::Load(
            std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments" / "lifecycle.toml",
            catalog_.get()
        );
        ASSERT_TRUE(lifecycle) << lifecycle.error().ToString();
        lifecycle_ = std::make_unique<legal::Lifecycle>(std::move(*lifecycle));
        with_cases_ = true;
    }

    // A's officer drafts the example order to the provider as an emergency case, A's approver
    // approves (sends) it. An empty case on failure.
    Case SendCase(Running& a) {
        Actor officer;
        officer.kind = Actor::Kind::kUser;
        officer.user_id = "officer";
        officer.unit = "cyber";
        officer.roles = {Role::kOfficer};
        Actor approver = officer;
        approver.user_id = "approver";
        approver.roles = {Role::kApprover};
        auto drafted =
            a.cases->Draft(officer, DraftInput{ExampleOrder(), c_.entry.id, "emergency", ""});
        EXPECT_TRUE(drafted) << drafted.error().ToString();
        if (!drafted) {
            return Case{};
        }
        auto sent = a.cases->Approve(approver, drafted->id);
        EXPECT_TRUE(sent) << sent.error().ToString();
        return sent ? *sent : Case{};
    }

    // The id of the one case of `r`.
    static std::string OnlyCase(Running& r) {
        auto all = r.cases->Search(Actor::Node(), CaseFilter{});
        EXPECT_TRUE(all && all->size() == 1u);
        return all && all->size() == 1u ? all->front().id : std::string();
    }

    std::filesystem::path dir_;
    std::unique_ptr<legal::Catalog> catalog_;
    Identity a_ = MakeIdentity("fr.central", "FR", "central_authority");
    Identity c_ = MakeIdentity("hu.provider", "HU", "service_provider");
    Identity d_ = MakeIdentity("hu.poc", "HU", "point_of_contact_24_7");
    std::shared_ptr<const federation::Directory> directory_;
    bool with_cases_{false};
    std::unique_ptr<legal::Lifecycle> lifecycle_;
    LoopTransport transport_;
    std::map<std::string, Running> running_;
    std::mutex events_mu_;
    std::vector<std::string> events_;
};

TEST_P(PreservationTest, ProviderPreservesAndConfirmsWithoutAPerson) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent) << sent.error().ToString();

    std::optional<federation::MessageDetail> reply;
    ASSERT_TRUE(WaitFor([&] { return (reply = ReplyTo(*a->node, sent->id)).has_value(); }));
    // What the hook read: the order as docs/operations.md describes it.
    const std::string input = ReadFile(dir_ / "order.json");
    auto order = boost::json::parse(input).as_object();
    EXPECT_EQ(Str(order.at("format")), "concord-preservation-order/1");
    EXPECT_EQ(Str(order.at("message_id")), sent->id);
    EXPECT_EQ(Str(order.at("from")), a_.entry.id);
    EXPECT_EQ(Str(order.at("from_authority")), a_.entry.authority);
    EXPECT_EQ(Str(order.at("priority")), "emergency");
    EXPECT_EQ(Str(order.at("request").as_object().at("type")), "expedited_preservation");
    EXPECT_EQ(order.at("request"), boost::json::parse(ExampleOrder()));

    // The confirmation carries the hook's reference and hash, signed by the provider's node.
    auto body = boost::json::parse(reply->body).as_object();
    EXPECT_EQ(Str(body.at("status")), "preserved");
    EXPECT_EQ(Str(body.at("reference")), "FRZ-7");
    EXPECT_EQ(Str(body.at("sha256")), HexEncode(crypto::Sha256(AsBytes(input))));
    EXPECT_EQ(Str(body.at("note")), "snapshot taken");
    EXPECT_EQ(Str(body.at("hook")), "exec");
    EXPECT_EQ(Str(body.at("order")), sent->id);
    EXPECT_TRUE(body.contains("at"));
    EXPECT_EQ(reply->summary.peer, c_.entry.id);
    EXPECT_EQ(reply->summary.priority, federation::Priority::kEmergency);

    auto recorded = c->service->Get(sent->id);
    ASSERT_TRUE(recorded);
    EXPECT_EQ(recorded->state, OrderState::kConfirmed);
    EXPECT_EQ(recorded->reference, "FRZ-7");
    EXPECT_EQ(recorded->confirmation_id, reply->summary.id);
    EXPECT_EQ(recorded->attempts, 1);
    EXPECT_EQ(recorded->request_type, "expedited_preservation");
    EXPECT_TRUE(WaitFor([&] { return SawEvent("preservation.confirmed"); }));
    // The audit leaf names the node as the actor, in the provider's ledger.
    auto tx = c->store->Begin();
    ASSERT_TRUE(tx);
    auto leaves = (*tx)->Query("SELECT data FROM ledger_entries", {});
    ASSERT_TRUE(leaves) << leaves.error().ToString();
    bool found = false;
    for (const auto& row : *leaves) {
        const auto& data = row.Blob(0);
        const std::string text(reinterpret_cast<const char*>(data.data()), data.size());
        if (text.find("preservation.confirmed") != std::string::npos) {
            found = text.find("\"actor\":\"node\"") != std::string::npos &&
                    text.find(sent->id) != std::string::npos;
        }
    }
    EXPECT_TRUE(found);
}

TEST_P(PreservationTest, AFailingHookPutsTheOrderInTheRespondersQueue) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(
        c_, StoreUrl("c"), Script("fail.sh", "cat >/dev/null\necho 'snapshot API down' >&2\nexit 4")
    );
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kQueuedForResponder);
    EXPECT_EQ(order->error_code, "exit_status");
    EXPECT_EQ(order->hook_diagnostics, "snapshot API down\n");
    EXPECT_EQ(order->sender, a_.entry.id);
    EXPECT_EQ(order->confirmation_id, "");
    auto queue = c->service->List(10, OrderState::kQueuedForResponder);
    ASSERT_TRUE(queue);
    ASSERT_EQ(queue->size(), 1u);
    EXPECT_EQ(queue->front().message_id, sent->id);
    // The live event follows the commit that the state above shows.
    EXPECT_TRUE(WaitFor([&] { return SawEvent("preservation.queued"); }));
    EXPECT_FALSE(ReplyTo(*a->node, sent->id));
}

TEST_P(PreservationTest, AResponderClosesAQueuedOrderAnsweredByHand) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"));  // no hook: the order goes to the responders
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    Actor responder;
    responder.kind = Actor::Kind::kUser;
    responder.user_id = "rita";
    responder.roles = {Role::kResponder};

    // Bad input is refused and changes nothing.
    for (const std::string& note :
         {std::string(),
          std::string(" \n\t"),
          std::string(kMaxHandledNoteBytes + 1, 'x'),
          std::string("\xff\xfe")}) {
        auto refused = c->service->MarkHandled(sent->id, responder, note, "");
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    }
    auto long_reference = c->service->MarkHandled(
        sent->id, responder, "done", std::string(kMaxHandledReferenceBytes + 1, 'r')
    );
    ASSERT_FALSE(long_reference);
    EXPECT_EQ(long_reference.error().code, ErrorCode::kInvalidArgument);
    auto absent = c->service->MarkHandled("no-such-order", responder, "done", "");
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
    auto still = c->service->Get(sent->id);
    ASSERT_TRUE(still);
    EXPECT_EQ(still->state, OrderState::kQueuedForResponder);

    // The note and the reference are kept; the order leaves the queue.
    const std::string note = "Frozen by hand in the vault; ticket sent to the sender by e-mail";
    auto handled = c->service->MarkHandled(sent->id, responder, note, "VAULT-991");
    ASSERT_TRUE(handled) << handled.error().ToString();
    EXPECT_EQ(handled->state, OrderState::kHandled);
    EXPECT_EQ(handled->handled_by, "user:rita");
    EXPECT_EQ(handled->handled_note, note);
    EXPECT_EQ(handled->reference, "VAULT-991");
    EXPECT_EQ(handled->error_code, "no_hook");  // why it was queued stays on record
    EXPECT_NE(handled->finished_ms, 0);
    auto queue = c->service->List(10, OrderState::kQueuedForResponder);
    ASSERT_TRUE(queue);
    EXPECT_TRUE(queue->empty());
    auto closed = c->service->List(10, OrderState::kHandled);
    ASSERT_TRUE(closed);
    ASSERT_EQ(closed->size(), 1u);
    EXPECT_EQ(closed->front().handled_note, note);
    EXPECT_TRUE(WaitFor([&] { return SawEvent("preservation.handled"); }));

    // Only once: a handled order is not closed again.
    auto again = c->service->MarkHandled(sent->id, responder, "again", "");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(again.error().message.find("handled"), std::string::npos) << again.error().message;

    // The audit leaf names the responder and holds the note's hash, not the note.
    auto tx = c->store->Begin();
    ASSERT_TRUE(tx);
    auto leaves = (*tx)->Query("SELECT data FROM ledger_entries", {});
    ASSERT_TRUE(leaves) << leaves.error().ToString();
    int found = 0;
    const crypto::Hash256 digest = crypto::Sha256(AsBytes(note));
    const std::string hash = HexEncode(ByteSpan(digest.data(), digest.size()));
    for (const auto& row : *leaves) {
        const auto& data = row.Blob(0);
        const std::string text(reinterpret_cast<const char*>(data.data()), data.size());
        if (text.find("preservation.handled") == std::string::npos) {
            continue;
        }
        ++found;
        EXPECT_NE(text.find("\"actor\":\"user:rita\""), std::string::npos) << text;
        EXPECT_NE(text.find(hash), std::string::npos) << text;
        EXPECT_NE(text.find("VAULT-991"), std::string::npos) << text;
        EXPECT_EQ(text.find("vault;"), std::string::npos) << text;
    }
    EXPECT_EQ(found, 1);
    EXPECT_FALSE(ReplyTo(*a->node, sent->id));  // nothing went to the sender
}

TEST_P(PreservationTest, AConfirmedOrderIsNotClosedByHand) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    auto refused = c->service->MarkHandled(sent->id, Actor::Node(), "done", "");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kConfirmed);
    EXPECT_EQ(order->handled_by, "");
}

TEST_P(PreservationTest, ATimedOutHookIsQueuedToo) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(
        c_, StoreUrl("c"), Script("slow.sh", "sleep 300"), true, std::chrono::milliseconds(200)
    );
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kQueuedForResponder);
    EXPECT_EQ(order->error_code, "timeout");
}

TEST_P(PreservationTest, AnInvalidOrderIsQueuedWithoutRunningTheHook) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    ASSERT_TRUE(a && c);
    auto request = boost::json::parse(ExampleOrder()).as_object();
    request["fields"].as_object().erase("custodian");  // required by Budapest 29(2)(d)
    auto sent = a->node->Submit(Order(c_.entry.id, boost::json::serialize(request)));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kQueuedForResponder);
    EXPECT_EQ(order->error_code, "invalid_order");
    EXPECT_NE(order->error.find("custodian"), std::string::npos) << order->error;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "order.json"));
}

TEST_P(PreservationTest, WithoutAHookEveryOrderGoesToTheResponders) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"));
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return StateOf(*c->service, sent->id) != OrderState::kRecorded; }));
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->error_code, "no_hook");
}

TEST_P(PreservationTest, OnlyPreservationOrdersToAProviderAreRecorded) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    Running* d = Open(d_, StoreUrl("d"), GoodHook());
    ASSERT_TRUE(a && c && d);
    // A preservation order to a node that is not a provider, a disclosure request to the
    // provider, and a notice: none is an order for the hook.
    auto to_poc = a->node->Submit(Order(d_.entry.id, ExampleOrder()));
    auto disclosure = a->node->Submit(Order(
        c_.entry.id,
        ReadFile(
            std::filesystem::path(CONCORD_SOURCE_DIR) / "instruments/examples/mla-stored-data.json"
        )
    ));
    auto notice = a->node->Submit(federation::OutgoingMessage{
        c_.entry.id, "notice", federation::Priority::kNormal, "", ExampleOrder()});
    ASSERT_TRUE(to_poc && disclosure && notice);
    ASSERT_TRUE(WaitFor([&] {
        auto in_c = c->node->List(federation::Direction::kIn, 10, "");
        auto in_d = d->node->List(federation::Direction::kIn, 10, "");
        return in_c && in_d && in_c->size() == 2 && in_d->size() == 1;
    }));
    auto at_c = c->service->List(10);
    auto at_d = d->service->List(10);
    ASSERT_TRUE(at_c && at_d);
    EXPECT_TRUE(at_c->empty());
    EXPECT_TRUE(at_d->empty());
}

TEST_P(PreservationTest, AnOrderRecordedBeforeARestartIsRunAtStart) {
    const std::string c_url = StoreUrl("c");
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, c_url, GoodHook(), /*start_service=*/false);
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    // Recorded at intake, but the worker never ran (the provider stops here).
    ASSERT_TRUE(WaitFor([&] { return c->service->Get(sent->id).has_value(); }));
    EXPECT_EQ(StateOf(*c->service, sent->id), OrderState::kRecorded);
    c->service->Stop();
    c->node->Stop();
    transport_.Detach(c_.entry.id);
    c->slot = nullptr;
    c->service.reset();
    c->node.reset();
    c->store.reset();
    EXPECT_FALSE(ReplyTo(*a->node, sent->id));

    c = Open(c_, c_url, GoodHook());
    ASSERT_TRUE(c);
    std::optional<federation::MessageDetail> reply;
    ASSERT_TRUE(WaitFor([&] { return (reply = ReplyTo(*a->node, sent->id)).has_value(); }));
    EXPECT_EQ(Str(boost::json::parse(reply->body).as_object().at("reference")), "FRZ-7");
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kConfirmed);
    EXPECT_EQ(order->attempts, 1);
}

TEST_P(PreservationTest, AnOrderIsRunOnceAndConfirmedOnce) {
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook(), /*start_service=*/false);
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent);
    ASSERT_TRUE(WaitFor([&] { return c->service->Get(sent->id).has_value(); }));
    auto first = c->service->RunPending();
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, 1);
    auto second = c->service->RunPending();
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, 0);
    auto out = c->node->List(federation::Direction::kOut, 10, "");
    ASSERT_TRUE(out);
    EXPECT_EQ(out->size(), 1u);
}

// An order that came as a case request: the provider's automatic confirmation is the node's
// steps on that case (acknowledge, accept, execute, respond), so the case moves on both sides,
// and no plain response goes besides.
TEST_P(PreservationTest, TheConfirmationOfACaseOrderMovesTheCaseOnBothSides) {
    UseCases();
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    ASSERT_TRUE(a && c);
    const Case case_at_a = SendCase(*a);
    ASSERT_FALSE(case_at_a.id.empty());
    const Case* sent = &case_at_a;
    const Case* drafted = &case_at_a;
    auto state_at_a = [&] {
        auto view = a->cases->Read(Actor::Node(), drafted->id);
        return view ? view->record.state : std::string();
    };
    ASSERT_TRUE(WaitFor([&] { return state_at_a() == "responded"; })) << state_at_a();

    // At the provider: the incoming case went to "responded" by the node, and the order is
    // confirmed with the respond step's message.
    auto order = c->service->Get(sent->request_message_id);
    ASSERT_TRUE(order) << order.error().ToString();
    EXPECT_EQ(order->state, OrderState::kConfirmed);
    auto at_c = c->cases->Read(Actor::Node(), OnlyCase(*c));
    ASSERT_TRUE(at_c);
    EXPECT_EQ(at_c->record.state, "responded");
    std::vector<std::string> steps;
    for (const auto& e : at_c->timeline) {
        if (e.transition != "received") {
            steps.push_back(e.transition);
            EXPECT_EQ(e.actor, "node");
        }
        if (e.transition == "respond") {
            EXPECT_EQ(e.message_id, order->confirmation_id);
            EXPECT_NE(e.reasons.find("FRZ-7"), std::string::npos) << e.reasons;
        }
    }
    EXPECT_EQ(steps, (std::vector<std::string>{"acknowledge", "accept", "execute", "respond"}));

    // At the requester: the same steps by the peer, the hook's reference and hash in the last.
    auto at_a = a->cases->Read(Actor::Node(), drafted->id);
    ASSERT_TRUE(at_a);
    ASSERT_FALSE(at_a->timeline.empty());
    const TimelineEntry& last = at_a->timeline.back();
    EXPECT_EQ(last.transition, "respond");
    EXPECT_EQ(last.actor, "peer:" + c_.entry.id);
    auto confirmation = boost::json::parse(last.reasons).as_object();
    EXPECT_EQ(Str(confirmation.at("status")), "preserved");
    EXPECT_EQ(Str(confirmation.at("reference")), "FRZ-7");
    EXPECT_EQ(Str(confirmation.at("order")), sent->request_message_id);
    EXPECT_EQ(
        Str(confirmation.at("sha256")),
        HexEncode(crypto::Sha256(AsBytes(ReadFile(dir_ / "order.json"))))
    );
    // The hook saw the legal request without the case layer's member.
    auto hook_input = boost::json::parse(ReadFile(dir_ / "order.json")).as_object();
    EXPECT_FALSE(hook_input.at("request").as_object().contains("concord_case"));
    // The case step replaced the plain response.
    EXPECT_FALSE(ReplyTo(*a->node, sent->request_message_id));
}

// A plain order (no case step) also opens an incoming case at the provider, but its sender has no
// case to move: the plain response goes and the provider's case is left as it is.
TEST_P(PreservationTest, APlainOrderToANodeWithCasesGetsThePlainResponse) {
    UseCases();
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook());
    ASSERT_TRUE(a && c);
    auto sent = a->node->Submit(Order(c_.entry.id, ExampleOrder()));
    ASSERT_TRUE(sent) << sent.error().ToString();
    std::optional<federation::MessageDetail> reply;
    ASSERT_TRUE(WaitFor([&] { return (reply = ReplyTo(*a->node, sent->id)).has_value(); }));
    auto view = c->cases->Read(Actor::Node(), OnlyCase(*c));
    ASSERT_TRUE(view);
    EXPECT_EQ(view->record.state, "delivered");
    EXPECT_EQ(view->timeline.size(), 1U);
    auto order = c->service->Get(sent->id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->confirmation_id, reply->summary.id);
}

// A case the provider's people already acknowledged: the node takes only the steps that follow.
TEST_P(PreservationTest, TheNodeTakesOnlyTheStepsTheCaseIsNotPast) {
    UseCases();
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook(), /*start_service=*/false);
    ASSERT_TRUE(a && c);
    const Case sent = SendCase(*a);
    ASSERT_FALSE(sent.id.empty());
    ASSERT_TRUE(WaitFor([&] { return c->service->Get(sent.request_message_id).has_value(); }));
    const std::string at_c = OnlyCase(*c);
    auto done = c->cases->Transition(Actor::Node(), at_c, StepInput{"acknowledge", {}, {}});
    ASSERT_TRUE(done) << done.error().ToString();
    auto ran = c->service->RunPending();
    ASSERT_TRUE(ran) << ran.error().ToString();
    EXPECT_EQ(*ran, 1);
    auto view = c->cases->Read(Actor::Node(), at_c);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->record.state, "responded");
    std::vector<std::string> steps;
    for (const auto& e : view->timeline) {
        steps.push_back(e.transition);
    }
    EXPECT_EQ(
        steps, (std::vector<std::string>{"received", "acknowledge", "accept", "execute", "respond"})
    );
    ASSERT_TRUE(WaitFor([&] {
        auto at_a = a->cases->Read(Actor::Node(), sent.id);
        return at_a && at_a->record.state == "responded";
    }));
}

// A case in a state the path does not fit (withdrawn by the requester before the hook ran): the
// plain response goes and the case is left as it is.
TEST_P(PreservationTest, AWithdrawnCaseGetsThePlainResponse) {
    UseCases();
    Running* a = Open(a_, StoreUrl("a"));
    Running* c = Open(c_, StoreUrl("c"), GoodHook(), /*start_service=*/false);
    ASSERT_TRUE(a && c);
    const Case sent = SendCase(*a);
    ASSERT_FALSE(sent.id.empty());
    ASSERT_TRUE(WaitFor([&] { return c->service->Get(sent.request_message_id).has_value(); }));
    const std::string at_c = OnlyCase(*c);
    auto withdrawn =
        a->cases->Transition(Actor::Node(), sent.id, StepInput{"withdraw", {}, "no longer needed"});
    ASSERT_TRUE(withdrawn) << withdrawn.error().ToString();
    ASSERT_TRUE(WaitFor([&] {
        auto view = c->cases->Read(Actor::Node(), at_c);
        return view && view->record.state == "withdrawn";
    }));
    auto ran = c->service->RunPending();
    ASSERT_TRUE(ran) << ran.error().ToString();
    EXPECT_EQ(*ran, 1);
    std::optional<federation::MessageDetail> reply;
    ASSERT_TRUE(WaitFor([&] {
        return (reply = ReplyTo(*a->node, sent.request_message_id)).has_value();
    }));
    auto view = c->cases->Read(Actor::Node(), at_c);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->record.state, "withdrawn");
    auto order = c->service->Get(sent.request_message_id);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->state, OrderState::kConfirmed);
    EXPECT_EQ(order->confirmation_id, reply->summary.id);
}

TEST(PreservationTypes, ComeFromTheCatalogue) {
    auto catalog = legal::LoadCatalog(legal::DefaultInstrumentsDir());
    ASSERT_TRUE(catalog);
    EXPECT_TRUE(PreservationService::IsPreservationType(*catalog, "expedited_preservation"));
    EXPECT_TRUE(PreservationService::IsPreservationType(*catalog, "epoc_pr"));
    EXPECT_FALSE(PreservationService::IsPreservationType(*catalog, "mla_stored_data"));
    EXPECT_FALSE(PreservationService::IsPreservationType(*catalog, "no_such_type"));
}

INSTANTIATE_TEST_SUITE_P(
    Backends,
    PreservationTest,
    ::testing::Values("sqlite", "postgres"),
    [](const auto& param_info) { return std::string(param_info.param); }
);

}  // namespace
}  // namespace concord::app
