// Delivery with real concordd processes: the receiver down while messages queue, and SIGKILLs
// of the sender between commit and send and of the receiver between commit and receipt
// (issue 3, "Tests with real processes").
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/federation/signed_json.hpp"

#include "federation_harness.hpp"
#include <sys/wait.h>

namespace concord::functional {
namespace {

std::string NoticeBody(int seq) {
    return R"({"notice":"functional test","seq":)" + std::to_string(seq) + "}";
}

// Waits until every id of `ids` has status "delivered" in `sender`'s outbox.
bool AllDelivered(TestNode& sender, const std::set<std::string>& ids) {
    return WaitFor([&] {
        auto out = sender.ListAll("outbox");
        if (!out) {
            return false;
        }
        std::size_t delivered = 0;
        for (const auto& row : *out) {
            if (ids.contains(row.id) && row.status == "delivered") {
                ++delivered;
            }
        }
        return delivered == ids.size();
    });
}

// Checks that `receiver`'s inbox holds exactly `ids` from `sender`, each once.
void ExpectInboxIsExactly(
    TestNode& receiver, const std::string& sender, const std::set<std::string>& ids
) {
    auto inbox = receiver.ListAll("inbox");
    ASSERT_TRUE(inbox) << Why(inbox);
    std::multiset<std::string> from_sender;
    for (const auto& row : *inbox) {
        if (row.peer == sender) {
            from_sender.insert(row.id);
        }
    }
    EXPECT_EQ(from_sender.size(), ids.size()) << "business records at " << receiver.Id();
    EXPECT_EQ(std::set<std::string>(from_sender.begin(), from_sender.end()), ids);
}

void StopAndVerifyLedgers(Federation& f) {
    f.ExpectCleanShutdown();
    for (std::size_t i = 0; i < f.Size(); ++i) {
        auto verified = f.Node(i).VerifyLedger();
        EXPECT_TRUE(verified) << Why(verified);
        if (verified) {
            std::cout << "ledger verified: " << *verified;
            std::cout << (verified->ends_with("\n") ? "" : "\n");
        }
    }
}

TEST(FederationDelivery, QueuedWhileReceiverIsDownThenDeliveredExactlyOnce) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);
    TestNode& a = f.Node(0);
    TestNode& b = f.Node(1);

    const int status = b.Terminate();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;

    constexpr int kMessages = 25;
    std::map<std::string, int> seq_by_id;
    for (int i = 0; i < kMessages; ++i) {
        auto id = a.Submit(b.Id(), "notice", NoticeBody(i));
        ASSERT_TRUE(id) << Why(id);
        seq_by_id.emplace(*id, i);
    }
    std::set<std::string> ids;
    for (const auto& [id, seq] : seq_by_id) {
        ids.insert(id);
    }
    // While B is down every message stays queued and is being retried.
    EXPECT_TRUE(WaitFor([&] {
        auto out = a.ListAll("outbox");
        if (!out) {
            return false;
        }
        int retried = 0;
        for (const auto& row : *out) {
            EXPECT_EQ(row.status, "queued") << row.id;
            if (ids.contains(row.id) && row.status == "queued" && row.attempts > 0) {
                ++retried;
            }
        }
        return retried == kMessages;
    })) << "messages were not retried while the receiver was down";
    auto depth = a.Metric("concord_outbox_depth", "lane=\"normal\"");
    ASSERT_TRUE(depth) << Why(depth);
    EXPECT_EQ(*depth, kMessages);

    auto restarted = b.Start();
    ASSERT_TRUE(restarted) << Why(restarted);
    ASSERT_TRUE(AllDelivered(a, ids)) << "not every queued message was delivered";
    ExpectInboxIsExactly(b, a.Id(), ids);

    // Each body arrived intact, decrypted, under its own id.
    for (const auto& [id, seq] : seq_by_id) {
        auto detail = b.Api("GET", "/api/v1/messages/" + id + "?box=inbox");
        ASSERT_TRUE(detail) << Why(detail);
        ASSERT_EQ(detail->status, 200u) << detail->body;
        const auto* body = detail->json.if_contains("body");
        ASSERT_NE(body, nullptr) << detail->body;
        EXPECT_EQ(boost::json::serialize(*body), NoticeBody(seq)) << id;
    }
    auto received = b.Metric("concord_messages_received");
    ASSERT_TRUE(received) << Why(received);
    EXPECT_EQ(*received, kMessages);
    StopAndVerifyLedgers(f);
}

TEST(FederationCrash, SenderKilledBetweenCommitAndSendDeliversEveryCommittedMessageOnce) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    TestNode& a = f.Node(0);
    TestNode& b = f.Node(1);
    auto started = b.Start();
    ASSERT_TRUE(started) << Why(started);
    // A dies right after committing its third message, before handing it to a delivery worker.
    started = a.Start("outbox.after_commit:3");
    ASSERT_TRUE(started) << Why(started);

    std::set<std::string> acknowledged;
    int refused = 0;
    for (int i = 0; i < 3; ++i) {
        auto id = a.Submit(b.Id(), "notice", NoticeBody(i));
        if (id) {
            acknowledged.insert(*id);
        } else {
            ++refused;
        }
    }
    EXPECT_EQ(acknowledged.size(), 2u);
    EXPECT_EQ(refused, 1) << "the third submission's answer was lost with the process";
    ASSERT_TRUE(a.WaitExit()) << "the failpoint did not kill the sender";

    auto restarted = a.Start();
    ASSERT_TRUE(restarted) << Why(restarted);
    auto outbox = a.ListAll("outbox");
    ASSERT_TRUE(outbox) << Why(outbox);
    // What was committed survived the kill: the two acknowledged messages and the third one.
    ASSERT_EQ(outbox->size(), 3u);
    std::set<std::string> committed;
    for (const auto& row : *outbox) {
        committed.insert(row.id);
    }
    for (const auto& id : acknowledged) {
        EXPECT_TRUE(committed.contains(id)) << id;
    }
    ASSERT_TRUE(AllDelivered(a, committed));
    ExpectInboxIsExactly(b, a.Id(), committed);
    StopAndVerifyLedgers(f);
}

TEST(FederationCrash, ReceiverKilledBetweenCommitAndReceiptAnswersTheRetryWithTheSameReceipt) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    TestNode& a = f.Node(0);
    TestNode& b = f.Node(1);
    auto started = a.Start();
    ASSERT_TRUE(started) << Why(started);
    // B dies after committing the first message it receives, before answering with a receipt.
    started = b.Start("intake.after_commit");
    ASSERT_TRUE(started) << Why(started);

    auto id = a.Submit(b.Id(), "notice", NoticeBody(1));
    ASSERT_TRUE(id) << Why(id);
    ASSERT_TRUE(b.WaitExit()) << "the failpoint did not kill the receiver";
    {
        auto out = a.ListAll("outbox");
        ASSERT_TRUE(out) << Why(out);
        ASSERT_EQ(out->size(), 1u);
        EXPECT_EQ(out->front().status, "queued") << "delivered without a receipt?";
    }

    auto restarted = b.Start();
    ASSERT_TRUE(restarted) << Why(restarted);
    ASSERT_TRUE(AllDelivered(a, {*id}));
    // The retry found the committed message: a wire duplicate, one business record.
    auto duplicates = b.Metric("concord_messages_duplicate");
    ASSERT_TRUE(duplicates) << Why(duplicates);
    EXPECT_GE(*duplicates, 1);
    auto received = b.Metric("concord_messages_received");
    ASSERT_TRUE(received) << Why(received);
    EXPECT_EQ(*received, 0) << "the retry was stored again";
    ExpectInboxIsExactly(b, a.Id(), {*id});

    // The receipt A holds is B's signed receipt of the entry committed before the crash.
    auto sent = a.Api("GET", "/api/v1/messages/" + *id + "?box=outbox");
    ASSERT_TRUE(sent) << Why(sent);
    ASSERT_EQ(sent->status, 200u) << sent->body;
    auto inbox = b.Api("GET", "/api/v1/messages/" + *id + "?box=inbox");
    ASSERT_TRUE(inbox) << Why(inbox);
    ASSERT_EQ(inbox->status, 200u) << inbox->body;
    const std::int64_t committed_index = federation::GetInt(inbox->json, "ledger_index").value();
    std::string receipt;
    for (const auto& e : *federation::GetArray(sent->json, "evidence").value()) {
        auto evidence = federation::VerifyEvidence(e.as_string(), b.Entry().signing_key);
        if (evidence && evidence->event == "delivery") {
            receipt = std::string(e.as_string());
            ASSERT_TRUE(evidence->ledger_index.has_value());
            EXPECT_EQ(static_cast<std::int64_t>(*evidence->ledger_index), committed_index);
            EXPECT_EQ(
                evidence->envelope_sha256, *federation::GetString(sent->json, "envelope_sha256")
            );
        }
    }
    ASSERT_FALSE(receipt.empty()) << "no delivery receipt signed by " << b.Id() << ": "
                                  << sent->body;
    // Sending the same envelope once more returns that very receipt and stores nothing.
    const std::string envelope = *federation::GetString(sent->json, "envelope");
    auto again = b.Plain("POST", "/fed/v1/messages", envelope);
    ASSERT_TRUE(again) << Why(again);
    ASSERT_EQ(again->status, 200u) << again->body;
    EXPECT_EQ(federation::GetString(again->json, "receipt").value_or(""), receipt);
    EXPECT_TRUE(again->json.at("duplicate").as_bool());
    ExpectInboxIsExactly(b, a.Id(), {*id});
    StopAndVerifyLedgers(f);
}

}  // namespace
}  // namespace concord::functional
