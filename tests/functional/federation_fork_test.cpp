// A peer that serves a forked audit log is caught by witnessing: A cosigns B's checkpoints; B's
// history is then replaced by a different one, longer (a fork) or shorter (a rollback) than what
// A cosigned; A's next witnessing round raises a "fork" alert holding both signed checkpoints
// (issue 3, "Tests with real processes"; DESIGN §4).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"
#include "concord/federation/node.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/log.hpp"
#include "concord/ledger/note.hpp"
#include "concord/store/store.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

// Replaces the node's store by a new one whose audit log holds `size` invented entries.
Result<void> ForgeHistory(const TestNode& node, std::uint64_t size) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(node.Dir() / (std::string("node.db") + suffix));
    }
    // 0600 before SQLite opens it (its -wal and -shm follow), as concordd requires.
    std::ofstream(node.Dir() / "node.db").close();
    std::filesystem::permissions(node.Dir() / "node.db", std::filesystem::perms(0600));
    CONCORD_ASSIGN_OR_RETURN(
        auto store, store::Store::Open("sqlite:" + (node.Dir() / "node.db").string())
    );
    CONCORD_ASSIGN_OR_RETURN(auto log, ledger::Log::Open(*store));
    auto migrations = federation::Node::Migrations();
    CONCORD_RETURN_IF_ERROR(store->Migrate(migrations));
    std::vector<Bytes> leaves;
    for (std::uint64_t i = 0; i < size; ++i) {
        leaves.push_back(ToBytes(R"({"event":"rewritten","n":)" + std::to_string(i) + "}"));
    }
    CONCORD_ASSIGN_OR_RETURN(auto tx, store->Begin());
    CONCORD_RETURN_IF_ERROR(log->Append(*tx, leaves));
    return tx->Commit();
}

Result<ledger::Checkpoint> VerifiedCheckpoint(
    std::string_view note, const federation::NodeEntry& signer
) {
    const auto key =
        ledger::MakeVerifier(signer.id, ledger::NoteKeyType::kEd25519, signer.signing_key);
    CONCORD_ASSIGN_OR_RETURN(auto verified, ledger::VerifyNote(note, std::span(&key, 1)));
    return ledger::ParseCheckpoint(verified.note.text);
}

// A witnesses B; B is stopped and comes back with a history of (what A cosigned + `delta`)
// invented entries (plus the one B appends at start); A must raise one fork alert holding both
// checkpoints.
void ExpectRewrittenHistoryDetected(std::int64_t delta) {
    FederationOptions options;
    options.witness_interval = "300ms";
    Federation f(options);
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);
    TestNode& a = f.Node(0);
    TestNode& b = f.Node(1);

    // Grow B's log a little: messages from A, each a ledger entry at B.
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        auto id = a.Submit(b.Id(), "notice", R"({"n":)" + std::to_string(i) + "}");
        ASSERT_TRUE(id) << Why(id);
        ids.push_back(*id);
    }
    ASSERT_TRUE(WaitFor([&] {
        auto out = a.ListAll("outbox");
        return out && std::all_of(out->begin(), out->end(), [](const MessageRow& r) {
                   return r.status == "delivered";
               });
    }));
    auto health = b.Plain("GET", "/healthz");
    ASSERT_TRUE(health) << Why(health);
    const std::int64_t b_size = federation::GetInt(health->json, "ledger_size").value_or(0);
    ASSERT_GT(b_size, 5);
    // A cosigns B's log at its current size (two rounds later, to be past any round in flight).
    auto cosigned = a.Metric("concord_checkpoints_cosigned");
    ASSERT_TRUE(cosigned) << Why(cosigned);
    const double before = *cosigned;
    ASSERT_TRUE(WaitFor([&] {
        auto now = a.Metric("concord_checkpoints_cosigned");
        return now && *now >= before + 2;
    })) << "A never cosigned B's checkpoint";
    auto alerts = a.Api("GET", "/api/v1/alerts");
    ASSERT_TRUE(alerts) << Why(alerts);
    ASSERT_TRUE(federation::GetArray(alerts->json, "alerts").value()->empty()) << alerts->body;

    // B comes back with another history, longer than what A cosigned.
    b.Terminate();
    auto forged = ForgeHistory(b, static_cast<std::uint64_t>(b_size + delta));
    ASSERT_TRUE(forged) << Why(forged);
    auto restarted = b.Start();
    ASSERT_TRUE(restarted) << Why(restarted);

    boost::json::object fork;
    ASSERT_TRUE(WaitFor([&] {
        auto r = a.Api("GET", "/api/v1/alerts");
        if (!r || r->status != 200) {
            return false;
        }
        for (const auto& v : *federation::GetArray(r->json, "alerts").value()) {
            const auto& o = v.as_object();
            if (federation::GetString(o, "kind").value_or("") == "fork") {
                fork = o;
                return true;
            }
        }
        return false;
    })) << "no fork alert at "
        << a.Id();
    EXPECT_EQ(federation::GetString(fork, "peer").value_or(""), b.Id());

    // The evidence holds B's checkpoint that A cosigned and the contradicting one B presented,
    // both signed by B's key.
    const std::string evidence = federation::GetString(fork, "evidence").value_or("");
    const std::string cosigned_tag = "cosigned:\n";
    const std::string presented_tag = "\npresented:\n";
    ASSERT_TRUE(evidence.starts_with(cosigned_tag)) << evidence;
    const auto split = evidence.find(presented_tag);
    ASSERT_NE(split, std::string::npos) << evidence;
    const std::string old_note = evidence.substr(cosigned_tag.size(), split - cosigned_tag.size());
    const std::string new_note = evidence.substr(split + presented_tag.size());
    auto old_checkpoint = VerifiedCheckpoint(old_note, b.Entry());
    ASSERT_TRUE(old_checkpoint) << Why(old_checkpoint) << "\n" << evidence;
    auto new_checkpoint = VerifiedCheckpoint(new_note, b.Entry());
    ASSERT_TRUE(new_checkpoint) << Why(new_checkpoint) << "\n" << evidence;
    EXPECT_EQ(old_checkpoint->origin, b.Id());
    EXPECT_EQ(new_checkpoint->origin, b.Id());
    EXPECT_EQ(old_checkpoint->size, static_cast<std::uint64_t>(b_size));
    if (delta > 0) {
        EXPECT_GT(new_checkpoint->size, old_checkpoint->size);
    } else {
        EXPECT_LT(new_checkpoint->size, old_checkpoint->size);
    }
    EXPECT_NE(old_checkpoint->root, new_checkpoint->root);

    // One alert for this contradiction however many rounds see it. The counter moves just after
    // the alert's commit (the API can show the alert a moment before), so it is awaited first,
    // then read again after several more witnessing rounds (300 ms each).
    ASSERT_TRUE(WaitFor([&] {
        auto count = a.Metric("concord_alerts");
        return count && *count >= 1;
    })) << "concord_alerts never counted the fork alert";
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto alert_count = a.Metric("concord_alerts");
    ASSERT_TRUE(alert_count) << Why(alert_count);
    EXPECT_EQ(*alert_count, 1);
    f.ExpectCleanShutdown();
}

TEST(FederationWitnessing, PeerServingAForkedLogRaisesAForkAlertWithBothCheckpoints) {
    ExpectRewrittenHistoryDetected(4);
}

TEST(FederationWitnessing, PeerServingARolledBackLogRaisesAForkAlertWithBothCheckpoints) {
    ExpectRewrittenHistoryDetected(-3);
}

}  // namespace
}  // namespace concord::functional
