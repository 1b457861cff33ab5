// A service provider that preserves by itself, with real concordd processes (issue 9 §7): A
// sends a preservation order to provider C, whose hook is a script; A receives C's signed
// confirmation with the hook's reference and hash. A failing hook puts the order in C's
// responders' queue (GET /api/v1/preservation/queue).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"
#include "concord/crypto/sha256.hpp"

#include "federation_harness.hpp"
#include <sys/stat.h>

namespace concord::functional {
namespace {

std::string Str(const boost::json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : boost::json::serialize(v);
}

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string ExampleOrder() {
    return ReadFile(
        std::filesystem::path(CONCORD_SOURCE_DIR) /
        "instruments/examples/expedited-preservation.json"
    );
}

std::string WriteScript(const std::filesystem::path& path, const std::string& body) {
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0700);
    return path.string();
}

// The message of `node`'s inbox that answers `order_id`, as GET /api/v1/messages/{id} shows it.
std::optional<boost::json::object> Confirmation(TestNode& node, const std::string& order_id) {
    auto inbox = node.ListAll("inbox");
    if (!inbox) {
        return std::nullopt;
    }
    for (const auto& row : *inbox) {
        if (row.type != "response") {
            continue;
        }
        auto detail = node.Api("GET", "/api/v1/messages/" + row.id + "?box=inbox");
        if (detail && detail->status == 200 && detail->json.contains("in_reply_to") &&
            Str(detail->json.at("in_reply_to")) == order_id) {
            return detail->json;
        }
    }
    return std::nullopt;
}

TEST(Preservation, TheProvidersHookPreservesAndTheSenderGetsTheConfirmation) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.provider", "HU", "service_provider");
    ASSERT_TRUE(f.Create());
    const auto kept = f.Dir() / "order-seen.json";
    const std::string hook = WriteScript(
        f.Dir() / "freeze.sh",
        "cat > '" + kept.string() +
            "'\n"
            "echo 'freezing' >&2\n"
            "printf '{\"reference\":\"HU-FRZ-1\",\"sha256\":\"%s\"}' "
            "\"$(sha256sum < '" +
            kept.string() + "' | cut -c1-64)\""
    );
    TestNode& a = f.Node(0);
    TestNode& c = f.Node(1);
    ASSERT_TRUE(c.SetConfig("preservation", "hook", "[\"" + hook + "\"]"));
    ASSERT_TRUE(c.SetConfig("preservation", "hook_timeout", "\"20s\""));
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);

    auto order = a.Submit(c.Id(), "request", ExampleOrder());
    ASSERT_TRUE(order) << Why(order);
    std::optional<boost::json::object> reply;
    ASSERT_TRUE(WaitFor([&] { return (reply = Confirmation(a, *order)).has_value(); }))
        << c.LogTail();
    EXPECT_EQ(Str(reply->at("peer")), c.Id());
    const auto& body = reply->at("body").as_object();
    EXPECT_EQ(Str(body.at("status")), "preserved");
    EXPECT_EQ(Str(body.at("reference")), "HU-FRZ-1");
    EXPECT_EQ(Str(body.at("sha256")), HexEncode(crypto::Sha256(AsBytes(ReadFile(kept)))));
    EXPECT_EQ(Str(body.at("hook")), "exec");
    auto seen = boost::json::parse(ReadFile(kept)).as_object();
    EXPECT_EQ(Str(seen.at("message_id")), *order);
    EXPECT_EQ(seen.at("request"), boost::json::parse(ExampleOrder()));

    // C lists the order as confirmed; its responders' queue is empty.
    auto all = c.Api("GET", "/api/v1/preservation/queue?state=all");
    ASSERT_TRUE(all);
    ASSERT_EQ(all->status, 200u) << all->body;
    const auto& orders = all->json.at("orders").as_array();
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(Str(orders[0].at("message_id")), *order);
    EXPECT_EQ(Str(orders[0].at("state")), "confirmed");
    EXPECT_EQ(Str(orders[0].at("reference")), "HU-FRZ-1");
    auto queue = c.Api("GET", "/api/v1/preservation/queue");
    ASSERT_TRUE(queue);
    EXPECT_TRUE(queue->json.at("orders").as_array().empty());
    f.ExpectCleanShutdown();
}

TEST(Preservation, AFailingHookLeavesTheOrderInTheRespondersQueue) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.provider", "HU", "service_provider");
    ASSERT_TRUE(f.Create());
    const std::string hook = WriteScript(f.Dir() / "broken.sh", "echo 'vault offline' >&2\nexit 2");
    TestNode& a = f.Node(0);
    TestNode& c = f.Node(1);
    ASSERT_TRUE(c.SetConfig("preservation", "hook", "[\"" + hook + "\"]"));
    auto started = f.StartAll();
    ASSERT_TRUE(started) << Why(started);

    auto order = a.Submit(c.Id(), "request", ExampleOrder());
    ASSERT_TRUE(order) << Why(order);
    boost::json::array queued;
    ASSERT_TRUE(WaitFor([&] {
        auto queue = c.Api("GET", "/api/v1/preservation/queue");
        if (!queue || queue->status != 200) {
            return false;
        }
        queued = queue->json.at("orders").as_array();
        return !queued.empty();
    })) << c.LogTail();
    EXPECT_EQ(Str(queued[0].at("message_id")), *order);
    EXPECT_EQ(Str(queued[0].at("state")), "queued_for_responder");
    EXPECT_EQ(Str(queued[0].at("error_code")), "exit_status");
    EXPECT_EQ(Str(queued[0].at("hook_stderr")), "vault offline\n");
    EXPECT_EQ(Str(queued[0].at("sender")), a.Id());
    EXPECT_FALSE(Confirmation(a, *order));

    auto bad = c.Api("GET", "/api/v1/preservation/queue?state=lost");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400u);

    // A responder froze the data by hand and closes the order: it leaves the queue, and the
    // sender is sent nothing. Bad bodies are refused and change nothing.
    const std::string handled = "/api/v1/preservation/queue/" + *order + "/handled";
    for (const char* body :
         {"{}", "{\"note\":\"  \"}", "{\"note\":7}", "{\"note\":\"ok\",\"extra\":\"x\"}", "[]"}) {
        auto refused = c.Api("POST", handled, body);
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->status, 400u) << body << " " << refused->body;
    }
    auto missing = c.Api("POST", "/api/v1/preservation/queue/no-such/handled", "{\"note\":\"x\"}");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404u) << missing->body;
    auto still = c.Api("GET", "/api/v1/preservation/queue");
    ASSERT_TRUE(still);
    EXPECT_EQ(still->json.at("orders").as_array().size(), 1u);

    auto closed =
        c.Api("POST", handled, R"({"note":"frozen from the vault's console","reference":"V-12"})");
    ASSERT_TRUE(closed);
    ASSERT_EQ(closed->status, 200u) << closed->body;
    EXPECT_EQ(Str(closed->json.at("state")), "handled");
    EXPECT_EQ(Str(closed->json.at("handled_by")), "node");  // the node-wide token
    EXPECT_EQ(Str(closed->json.at("handled_note")), "frozen from the vault's console");
    EXPECT_EQ(Str(closed->json.at("reference")), "V-12");
    auto empty = c.Api("GET", "/api/v1/preservation/queue");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->json.at("orders").as_array().empty());
    auto listed = c.Api("GET", "/api/v1/preservation/queue?state=handled");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->json.at("orders").as_array().size(), 1u);
    auto twice = c.Api("POST", handled, R"({"note":"again"})");
    ASSERT_TRUE(twice);
    EXPECT_EQ(twice->status, 400u) << twice->body;
    EXPECT_FALSE(Confirmation(a, *order));
    f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
