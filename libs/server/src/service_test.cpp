#include "concord/server/service.hpp"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/net/client.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace concord::server {
namespace {

std::uint16_t FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string ReadText(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Two nodes (FR central authority, HU 24/7 point of contact) in one process over real HTTPS.
class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-service-" + std::to_string(std::random_device{}()));
        const auto& pk = directory_key_.public_key().bytes();
        const std::string directory_pub = crypto::Base64Encode(ByteSpan(pk.data(), pk.size()));
        const std::pair<const char*, const char*> who[] = {
            {"fr.central", "central_authority"}, {"hu.poc", "point_of_contact_24_7"}};
        for (const auto& [id, role] : who) {
            InitOptions o;
            o.dir = dir_ / id;
            o.node_id = id;
            o.party = std::string(id).substr(0, 2) == "fr" ? "FR" : "HU";
            o.roles = {role};
            o.authority = id;
            o.listen = "127.0.0.1:" + std::to_string(FreePort());
            o.api_listen = "127.0.0.1:" + std::to_string(FreePort());
            o.passphrase = "test passphrase";
            o.write_passphrase_file = true;
            o.fast_key_derivation = true;
            o.directory_file = dir_ / "directory.json";
            o.directory_keys = {directory_pub};
            auto r = InitNode(o);
            ASSERT_TRUE(r) << r.error().ToString();
            std::ofstream(r->config_file, std::ios::app) << "[witness]\ninterval = \"200ms\"\n";
            inits_.push_back(*r);
        }
        WriteDirectory(1, false);
        for (auto& r : inits_) {
            auto config = LoadConfig(r.config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            config->directory_reload_interval = std::chrono::milliseconds(50);
            config->metrics = true;
            auto service = NodeService::Start(*config);
            ASSERT_TRUE(service) << service.error().ToString();
            services_.push_back(std::move(*service));
        }
    }

    void TearDown() override {
        services_.clear();
        std::filesystem::remove_all(dir_);
    }

    void WriteDirectory(std::int64_t serial, bool revoke_fr) {
        boost::json::object body;
        body["format"] = "concord-directory/1";
        body["serial"] = serial;
        body["issued"] = FormatTimestamp(NowMillis());
        boost::json::array parties;
        for (const char* code : {"FR", "HU"}) {
            boost::json::object p;
            p["code"] = code;
            p["name"] = code;
            p["languages"] = boost::json::array{"en"};
            p["instruments"] = boost::json::array();
            parties.push_back(std::move(p));
        }
        body["parties"] = std::move(parties);
        boost::json::array nodes;
        for (const auto& r : inits_) {
            auto entry = r.entry;
            entry.revoked = revoke_fr && entry.id == "fr.central";
            nodes.push_back(federation::NodeEntryToJson(entry));
        }
        body["nodes"] = std::move(nodes);
        const crypto::SigningKey* keys[] = {&directory_key_};
        auto signed_text = federation::SignDirectory(federation::CanonicalText(body), keys);
        ASSERT_TRUE(signed_text);
        std::ofstream(dir_ / "directory.json", std::ios::trunc) << *signed_text;
    }

    net::ClientOptions Options(std::size_t i) const {
        net::ClientOptions o;
        o.pinned_cert_sha256 = inits_[i].entry.tls_sha256;
        return o;
    }

    Result<net::Response> Call(
        std::size_t i,
        std::string_view method,
        const std::string& path,
        const std::string& body = "",
        std::string token = ""
    ) {
        net::HttpClient client(Options(i));
        if (token.empty()) {
            token = inits_[i].api_token;
        }
        return client.Send(
            method,
            "https://127.0.0.1:" + std::to_string(services_[i]->api_port()) + path,
            body,
            {{"Authorization", "Bearer " + token}}
        );
    }

    std::string Status(std::size_t i, const std::string& id) {
        auto r = Call(i, "GET", "/api/v1/messages/" + id + "?box=outbox");
        if (!r || r->status != 200) {
            return "";
        }
        return std::string(boost::json::parse(r->body).at("status").as_string());
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<InitResult> inits_;
    std::vector<std::unique_ptr<NodeService>> services_;
};

bool WaitFor(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

TEST(OpenApiTest, DocumentAndRouterListTheSameRoutes) {
    const std::string text =
        ReadText(std::filesystem::path(CONCORD_SOURCE_DIR) / "docs/api/openapi.json");
    const auto doc = boost::json::parse(text).as_object();
    std::set<std::string> documented;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, operation] : item.as_object()) {
            std::string upper(method);
            for (char& c : upper) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            documented.insert(upper + " " + std::string(path));
        }
    }
    std::set<std::string> served;
    for (const auto& [method, pattern] : NodeService::Routes()) {
        served.insert(method + " " + pattern);
    }
    for (const auto& route : served) {
        EXPECT_TRUE(documented.contains(route)) << "served but not documented: " << route;
    }
    for (const auto& route : documented) {
        EXPECT_TRUE(served.contains(route)) << "documented but not served: " << route;
    }
    EXPECT_GE(served.size(), 12u);
}

TEST_F(ServiceTest, LocalApiNeedsTheToken) {
    for (const std::string& token : {std::string("wrong"), "a" + inits_[0].api_token}) {
        auto r = Call(0, "GET", "/api/v1/messages", "", token);
        ASSERT_TRUE(r) << r.error().ToString();
        EXPECT_EQ(r->status, 401u);
        EXPECT_NE(r->body.find("unauthenticated"), std::string::npos);
    }
    auto health = Call(0, "GET", "/healthz", "", "none");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200u);
    EXPECT_NE(health->body.find("\"node\":\"fr.central\""), std::string::npos);
}

TEST_F(ServiceTest, InvalidLegalRequestIsRefusedWithFindingsAndNothingQueued) {
    const std::string submit =
        R"({"to":"hu.poc","type":"request","priority":"emergency","body":{"schema":"concord.legal.request/1","type":"expedited_preservation"}})";
    auto r = Call(0, "POST", "/api/v1/messages", submit);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 422u) << r->body;
    auto body = boost::json::parse(r->body).as_object();
    EXPECT_EQ(body.at("error").at("code").as_string(), "validation_failed");
    EXPECT_FALSE(body.at("findings").as_array().empty());
    auto list = Call(0, "GET", "/api/v1/messages?box=outbox");
    ASSERT_TRUE(list);
    EXPECT_TRUE(boost::json::parse(list->body).at("messages").as_array().empty());
}

TEST_F(ServiceTest, ValidRequestTravelsWithReceiptLiveEventAndMetrics) {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<net::Event> events;
    auto stream = net::EventStreamClient::Connect(
        "https://127.0.0.1:" + std::to_string(services_[1]->api_port()) + "/api/v1/events",
        Options(1),
        {{"Authorization", "Bearer " + inits_[1].api_token}},
        [&](const net::Event& e) {
            std::scoped_lock lock(mu);
            events.push_back(e);
            cv.notify_all();
        }
    );
    ASSERT_TRUE(stream) << stream.error().ToString();

    auto request = boost::json::parse(ReadText(
        std::filesystem::path(CONCORD_SOURCE_DIR) /
        "instruments/examples/expedited-preservation.json"
    ));
    request.as_object()["date"] = FormatTimestamp(NowMillis()).substr(0, 10);
    boost::json::object submit;
    submit["to"] = "hu.poc";
    submit["type"] = "request";
    submit["priority"] = "emergency";
    submit["body"] = request;
    auto r = Call(0, "POST", "/api/v1/messages", boost::json::serialize(submit));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201u) << r->body;
    const std::string id(boost::json::parse(r->body).at("id").as_string());

    {
        std::unique_lock lock(mu);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] {
            return std::any_of(events.begin(), events.end(), [&](const net::Event& e) {
                return e.event == "message.received" && e.data.find(id) != std::string::npos;
            });
        }));
    }
    ASSERT_TRUE(WaitFor([&] { return Status(0, id) == "delivered"; }));
    (*stream)->Stop();

    auto inbox = Call(1, "GET", "/api/v1/messages/" + id + "?box=inbox&lang=fr");
    ASSERT_TRUE(inbox);
    ASSERT_EQ(inbox->status, 200u) << inbox->body;
    auto detail = boost::json::parse(inbox->body).as_object();
    EXPECT_EQ(detail.at("status").as_string(), "opened");
    EXPECT_EQ(detail.at("body").at("type").as_string(), "expedited_preservation");
    EXPECT_FALSE(detail.at("rendered").as_string().empty());

    auto metrics = Call(1, "GET", "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("concord_messages_received 1"), std::string::npos)
        << metrics->body;
    EXPECT_NE(metrics->body.find("# TYPE concord_ledger_size gauge"), std::string::npos);
    EXPECT_NE(
        metrics->body.find("concord_http_requests_total{route=\"POST /fed/v1/messages\"} "),
        std::string::npos
    );
    EXPECT_NE(metrics->body.find("concord_delivery_latency_seconds_count"), std::string::npos);
}

TEST_F(ServiceTest, LegalCatalogueThroughTheLocalApi) {
    auto instruments = Call(0, "GET", "/api/v1/legal/instruments?lang=fr");
    ASSERT_TRUE(instruments);
    ASSERT_EQ(instruments->status, 200u) << instruments->body;
    std::set<std::string> ids;
    const auto listed = boost::json::parse(instruments->body);
    for (const auto& i : listed.as_array()) {
        ids.insert(std::string(i.at("id").as_string()));
    }
    for (const char* id :
         {"ru-draft-2021",
          "un-2024",
          "budapest",
          "budapest-2ap",
          "eu-2023-1543",
          "uncac",
          "untoc"}) {
        EXPECT_TRUE(ids.contains(id)) << id;
    }
    auto offences = Call(0, "GET", "/api/v1/legal/offences?instrument=budapest");
    ASSERT_TRUE(offences);
    ASSERT_EQ(offences->status, 200u);
    const auto list = boost::json::parse(offences->body).as_array();
    ASSERT_FALSE(list.empty());
    EXPECT_TRUE(list[0].as_object().contains("verification"));
    auto map = Call(0, "GET", "/api/v1/legal/map?article=budapest:2");
    ASSERT_TRUE(map);
    ASSERT_EQ(map->status, 200u) << map->body;
    EXPECT_FALSE(boost::json::parse(map->body).at("counterparts").as_array().empty());
    auto unknown = Call(0, "GET", "/api/v1/legal/offences?instrument=nope");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 400u);
    auto check = Call(0, "POST", "/api/v1/legal/check", R"({"schema":"concord.legal.request/1"})");
    ASSERT_TRUE(check);
    ASSERT_EQ(check->status, 200u);
    EXPECT_FALSE(boost::json::parse(check->body).at("valid").as_bool());
}

TEST_F(ServiceTest, RevokingASenderInTheDirectoryTakesEffectOnItsNextMessage) {
    WriteDirectory(2, /*revoke_fr=*/true);
    // B reloads within its reload interval; A still believes the old directory is fine.
    ASSERT_TRUE(WaitFor([&] {
        auto r = Call(1, "GET", "/api/v1/node");
        return r && r->body.find("\"directory_serial\":2") != std::string::npos;
    }));
    auto r =
        Call(0, "POST", "/api/v1/messages", R"({"to":"hu.poc","type":"notice","body":{"n":1}})");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201u) << r->body;
    const std::string id(boost::json::parse(r->body).at("id").as_string());
    ASSERT_TRUE(WaitFor([&] {
        auto m = Call(0, "GET", "/api/v1/messages/" + id + "?box=outbox");
        return m && m->body.find("unknown_sender") != std::string::npos;
    }));
    auto inbox = Call(1, "GET", "/api/v1/messages?box=inbox");
    ASSERT_TRUE(inbox);
    EXPECT_TRUE(boost::json::parse(inbox->body).at("messages").as_array().empty());
}

TEST_F(ServiceTest, StartRefusesADirectoryWithoutATrustedSignature) {
    services_.clear();
    const crypto::SigningKey other = crypto::SigningKey::Generate();
    directory_key_ = crypto::SigningKey::FromSeed(other.seed().span()).value();
    WriteDirectory(3, false);
    auto config = LoadConfig(inits_[0].config_file);
    ASSERT_TRUE(config);
    auto service = NodeService::Start(*config);
    ASSERT_FALSE(service);
    EXPECT_EQ(service.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(service.error().message.find("directory.json"), std::string::npos)
        << service.error().message;
}

}  // namespace
}  // namespace concord::server
