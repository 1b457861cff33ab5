// Issue 13 with real concordd processes on loopback: a directory rolled back across a restart and
// at reload, who may send an emergency, refusal logging under a flood, and published
// cosignatures.
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/note.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

namespace fs = std::filesystem;

federation::Header NewHeader(
    const std::string& from,
    const std::string& to,
    const std::string& type = "notice",
    const std::string& priority = "normal",
    const std::string& in_reply_to = ""
) {
    federation::Header h;
    h.id = NewUuidV7();
    h.type = type;
    h.from = from;
    h.to = to;
    h.time = FormatTimestamp(NowMillis());
    h.in_reply_to = in_reply_to;
    h.priority = priority;
    return h;
}

std::string Seal(const ExternalIdentity& sender, const TestNode& to, const federation::Header& h) {
    auto sealed = federation::SealEnvelope(
        h, R"({"notice":"hardening"})", sender.keys.signing, sender.keys.box, to.Entry().box_key
    );
    EXPECT_TRUE(sealed) << Why(sealed);
    return sealed.value_or("");
}

std::uint64_t DirectorySerial(TestNode& node) {
    auto r = node.Api("GET", "/api/v1/node");
    if (!r || r->status != 200) {
        return 0;
    }
    return static_cast<std::uint64_t>(r->json.at("directory_serial").as_int64());
}

std::size_t Count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// Item 1: the node keeps the highest directory serial it accepted. An older file is refused at
// reload (the revoked sender stays refused) and at start, with both serials named.
TEST(FedHardening, AnOlderDirectoryIsRefusedAtReloadAndAtRestart) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    f.AddExternal("fr.tester", "FR");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.StartAll());
    TestNode& receiver = f.Node(1);
    const fs::path file = f.Dir() / "directory.json";
    const fs::path old_copy = f.Dir() / "directory-serial-1.json";
    fs::copy_file(file, old_copy);

    auto accepted = receiver.Plain(
        "POST", "/fed/v1/messages", Seal(f.External(0), receiver, NewHeader("fr.tester", "hu.poc"))
    );
    ASSERT_TRUE(accepted);
    ASSERT_EQ(accepted->status, 200u) << accepted->body;

    auto revoked = f.RevokeExternal(0);
    ASSERT_TRUE(revoked) << Why(revoked);
    ASSERT_EQ(*revoked, 2u);
    ASSERT_TRUE(WaitFor([&] { return DirectorySerial(receiver) == 2; }));
    const fs::path newer_copy = f.Dir() / "directory-serial-2.json";
    fs::copy_file(file, newer_copy);

    // Reload with the older file: refused, and the revocation holds.
    const fs::path staging = f.Dir() / "directory.json.new";
    fs::copy_file(old_copy, staging);
    fs::rename(staging, file);
    ASSERT_TRUE(WaitFor([&] {
        return receiver.LogTail(20000).find("serial 1 is lower than serial 2") != std::string::npos;
    })) << receiver.LogTail();
    EXPECT_EQ(DirectorySerial(receiver), 2u);
    auto refused = receiver.Plain(
        "POST", "/fed/v1/messages", Seal(f.External(0), receiver, NewHeader("fr.tester", "hu.poc"))
    );
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403u) << refused->body;
    EXPECT_EQ(refused->ErrorCodeName(), "unknown_sender");

    // Restart with the older file: concordd refuses to start and says why.
    const int status = receiver.Terminate();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << receiver.LogTail();
    ASSERT_TRUE(receiver.Spawn());
    ASSERT_TRUE(receiver.WaitExit()) << "started with a rolled-back directory";
    const std::string log = receiver.LogTail(4000);
    EXPECT_NE(log.find("cannot start"), std::string::npos) << log;
    EXPECT_NE(log.find("directory serial 1 is lower than serial 2"), std::string::npos) << log;

    // With the current directory it starts, and the revoked sender is still refused.
    fs::copy_file(newer_copy, staging);
    fs::rename(staging, file);
    ASSERT_TRUE(receiver.Start()) << receiver.LogTail();
    auto still_refused = receiver.Plain(
        "POST", "/fed/v1/messages", Seal(f.External(0), receiver, NewHeader("fr.tester", "hu.poc"))
    );
    ASSERT_TRUE(still_refused);
    EXPECT_EQ(still_refused->ErrorCodeName(), "unknown_sender") << still_refused->body;
    f.ExpectCleanShutdown();
}

// Item 4: a node listed only as a service provider may answer, but a request it marks emergency
// is refused (typed code, nothing stored), whether it comes through its own node's API or as an
// envelope it sealed itself.
TEST(FedHardening, AServiceProviderCannotSendAnEmergencyRequest) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    f.AddNode("hu.provider", "HU", "service_provider");
    f.AddExternal("hu.isp", "HU");
    f.External(0).entry.roles = {"service_provider"};
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.StartAll());
    TestNode& poc = f.Node(1);
    TestNode& provider = f.Node(2);

    boost::json::object submit;
    submit["to"] = "hu.poc";
    submit["type"] = "order";  // a "request" would meet the legal validation first
    submit["priority"] = "emergency";
    submit["body"] = boost::json::object{{"order", "disclose"}};
    auto local = provider.Api("POST", "/api/v1/messages", boost::json::serialize(submit));
    ASSERT_TRUE(local);
    EXPECT_EQ(local->status, 403u) << local->body;
    EXPECT_EQ(local->ErrorCodeName(), "permission_denied") << local->body;

    for (const auto& [type, priority] : std::vector<std::pair<std::string, std::string>>{
             {"request", "emergency"}, {"request", "normal"}, {"order", "emergency"}}) {
        auto reply = poc.Plain(
            "POST",
            "/fed/v1/messages",
            Seal(f.External(0), poc, NewHeader("hu.isp", "hu.poc", type, priority))
        );
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->status, 403u) << type << " " << priority << ": " << reply->body;
        EXPECT_EQ(reply->ErrorCodeName(), "not_permitted") << reply->body;
    }
    auto inbox = poc.ListAll("inbox");
    ASSERT_TRUE(inbox);
    EXPECT_TRUE(inbox->empty());
    auto refused = poc.Metric("concord_envelopes_refused", "reason=\"not_permitted\"");
    ASSERT_TRUE(refused) << Why(refused);
    EXPECT_EQ(*refused, 3.0);

    // An emergency answer from the provider is accepted and shown as one.
    auto answer = poc.Plain(
        "POST",
        "/fed/v1/messages",
        Seal(
            f.External(0), poc, NewHeader("hu.isp", "hu.poc", "response", "emergency", NewUuidV7())
        )
    );
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200u) << answer->body;
    f.ExpectCleanShutdown();
}

// Item 5: a flood of junk envelopes from one address writes a bounded number of log lines; the
// rest are counted.
TEST(FedHardening, AFloodOfJunkEnvelopesIsLoggedAtABoundedRate) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.StartAll());
    TestNode& node = f.Node(0);
    constexpr int kJunk = 300;
    for (int i = 0; i < kJunk; ++i) {
        auto r = node.Plain("POST", "/fed/v1/messages", "{\"junk\":" + std::to_string(i) + "}");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 400u);
    }
    const int status = node.Terminate();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << node.LogTail();
    const std::string log = node.LogTail(1 << 24);
    const std::size_t lines = Count(log, "envelope refused");
    EXPECT_GE(lines, 1u);
    EXPECT_LE(lines, 10u) << "refusal lines are not rate-limited";
    ASSERT_TRUE(node.Start());
    // The counter is per process: flood again and read it while running.
    for (int i = 0; i < kJunk; ++i) {
        ASSERT_TRUE(node.Plain("POST", "/fed/v1/messages", "junk"));
    }
    auto suppressed = node.Metric("concord_refusal_logs_suppressed");
    ASSERT_TRUE(suppressed) << Why(suppressed);
    EXPECT_GE(*suppressed, static_cast<double>(kJunk - 10));
    f.ExpectCleanShutdown();
}

// Item 9: witnesses hand their cosignatures back and GET /fed/v1/checkpoint publishes them.
TEST(FedHardening, CheckpointsArePublishedWithTheirCosignatures) {
    FederationOptions options;
    options.witness_interval = "300ms";
    Federation f(options);
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.StartAll());
    TestNode& log_node = f.Node(1);
    std::string cosigned;
    ASSERT_TRUE(WaitFor([&] {
        auto r = log_node.Plain("GET", "/fed/v1/checkpoint?old_size=0");
        if (!r || r->status != 200 || !r->json.contains("cosigned")) {
            return false;
        }
        cosigned = std::string(r->json.at("cosigned").as_string());
        return true;
    })) << log_node.LogTail();
    const ledger::NoteVerifier keys[] = {
        ledger::MakeVerifier("hu.poc", ledger::NoteKeyType::kEd25519, log_node.Entry().signing_key),
        ledger::MakeVerifier(
            "fr.central", ledger::NoteKeyType::kCosignatureV1, f.Node(0).Entry().signing_key
        )};
    auto verified = ledger::VerifyNote(cosigned, keys);
    ASSERT_TRUE(verified) << Why(verified) << "\n" << cosigned;
    EXPECT_EQ(verified->verified_by.size(), 2u) << cosigned;
    f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
