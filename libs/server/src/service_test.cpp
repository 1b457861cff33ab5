#include "concord/server/service.hpp"

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/policy.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/net/client.hpp"
#include "concord/net/stream.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/testing/two_nodes.hpp"
#include "concord/store/store.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace concord::server {
namespace {

// Two nodes (FR central authority, HU 24/7 point of contact) in one process over real HTTPS.
class ServiceTest : public ::testing::Test {
protected:
    static constexpr std::uint64_t kMaxEvidenceBytes = 64 << 10;

    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-service-" + std::to_string(std::random_device{}()));
        auto inits = test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        for (const auto& r : inits_) {
            std::ofstream(r.config_file, std::ios::app) << "[witness]\ninterval = \"200ms\"\n";
        }
        WriteDirectory(1, false);
        // Node 0 serves a small web UI build (WebUiTest below).
        std::filesystem::create_directories(dir_ / "web" / "assets");
        std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>Concord</title>";
        std::ofstream(dir_ / "web" / "assets" / "index-Ab1_2.js") << "console.log(1);";
        std::ofstream(dir_ / "web" / "assets" / "notes.txt") << "not an asset type";
        std::ofstream(dir_ / "web" / ".hidden.js") << "hidden";
        for (auto& r : inits_) {
            auto config = LoadConfig(r.config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            config->directory_reload_interval = std::chrono::milliseconds(50);
            config->metrics = true;
            config->evidence_max_file_bytes = kMaxEvidenceBytes;
            if (services_.empty()) {
                config->web_root = dir_ / "web";
            }
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
        auto written = test_util::WriteDirectory(
            dir_, inits_, directory_key_, serial, revoke_fr ? "fr.central" : ""
        );
        ASSERT_TRUE(written) << written.error().ToString();
    }

    // Calls node `i` with an explicit Authorization field (or none when empty) and headers.
    Result<net::Response> CallWith(
        std::size_t i,
        std::string_view method,
        const std::string& path,
        const std::string& body,
        net::HeaderList headers,
        bool federation_port = false
    ) {
        net::HttpClient client(Options(i));
        const auto port = federation_port ? services_[i]->Port() : services_[i]->ApiPort();
        return client.Send(
            method, "https://127.0.0.1:" + std::to_string(port) + path, body, headers
        );
    }

    net::HeaderList Token(std::size_t i) const {
        return {{"Authorization", "Bearer " + inits_[i].api_token}};
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
            "https://127.0.0.1:" + std::to_string(services_[i]->ApiPort()) + path,
            body,
            {{"Authorization", "Bearer " + token}}
        );
    }

    // fr.central sends the emergency preservation example to hu.poc; the id of hu.poc's case.
    std::string IncomingCaseAtHu() {
        const auto request = test_util::ExamplePreservationRequest();
        auto r = Call(0, "POST", "/api/v1/messages", test_util::EmergencySubmissionToHu(request));
        EXPECT_TRUE(r && r->status == 201u) << (r ? r->body : r.error().ToString());
        std::string case_id;
        EXPECT_TRUE(test_util::WaitFor([&] {
            auto list = Call(1, "GET", "/api/v1/cases?direction=in");
            if (!list || list->status != 200) {
                return false;
            }
            const boost::json::value listed = boost::json::parse(list->body);
            const auto& cases = listed.at("cases").as_array();
            if (cases.empty()) {
                return false;
            }
            case_id = std::string(cases[0].at("id").as_string());
            return true;
        }));
        return case_id;
    }

    std::string Status(std::size_t i, const std::string& id) {
        auto r = Call(i, "GET", "/api/v1/messages/" + id + "?box=outbox");
        if (!r || r->status != 200) {
            return "";
        }
        // The detail holds the message body, which may nest up to the documented 64 levels.
        boost::json::parse_options deep;
        deep.max_depth = 64;
        return std::string(boost::json::parse(r->body, {}, deep).at("status").as_string());
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<InitResult> inits_;
    std::vector<std::unique_ptr<NodeService>> services_;
};

using test_util::WaitFor;

TEST(OpenApiTest, DocumentAndRouterListTheSameRoutes) {
    const std::string text =
        test_util::ReadText(std::filesystem::path(CONCORD_SOURCE_DIR) / "docs/api/openapi.json");
    const auto doc = boost::json::parse(text).as_object();
    std::set<std::string> documented;
    for (const auto& [path, item] : doc.at("paths").as_object()) {
        for (const auto& [method, operation] : item.as_object()) {
            static const std::set<std::string> kNotMethods = {
                "servers", "parameters", "summary", "description", "$ref"};
            if (kNotMethods.contains(std::string(method))) {
                continue;
            }
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

// Every local API route names the action its caller must be allowed; only /healthz, /metrics,
// signing in (POST /api/v1/session) and the web UI's own files (/, /assets/) are open.
// (RouteTable::Authed cannot register a route without one.)
TEST(RoutePolicyTest, EveryApiRouteButHealthAndMetricsNamesAKnownAction) {
    std::set<std::string> known;
    for (app::Action action : app::AllActions()) {
        known.insert(std::string(app::ActionName(action)));
    }
    std::size_t authed = 0;
    for (const auto& route : NodeService::ApiRouteActions()) {
        if (route.pattern == "/healthz" || route.pattern == "/metrics" ||
            (route.method == "POST" && route.pattern == "/api/v1/session") ||
            (route.method == "GET" && (route.pattern == "/" || route.pattern == "/assets/{file}")
            )) {
            EXPECT_EQ(route.action, "") << route.method << " " << route.pattern;
            continue;
        }
        EXPECT_TRUE(known.contains(route.action))
            << route.method << " " << route.pattern << ": '" << route.action << "'";
        ++authed;
    }
    EXPECT_GE(authed, 10u);
}

// The web UI's page and assets are served without a token, each with the UI's
// Content-Security-Policy; only named files of the assets folder with a known type are served.
TEST_F(ServiceTest, WebUiFilesAreServedWithTheirPolicyAndNothingElseIs) {
    auto page = CallWith(0, "GET", "/", "", {});
    ASSERT_TRUE(page) << page.error().ToString();
    EXPECT_EQ(page->status, 200u);
    EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(page->body, "<!doctype html><title>Concord</title>");
    const std::string csp = page->Header("Content-Security-Policy").value_or("");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(page->Header("X-Content-Type-Options").value_or(""), "nosniff");
    EXPECT_EQ(page->Header("Cache-Control").value_or(""), "no-cache");

    auto script = CallWith(0, "GET", "/assets/index-Ab1_2.js", "", {});
    ASSERT_TRUE(script);
    EXPECT_EQ(script->status, 200u);
    EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(script->body, "console.log(1);");
    EXPECT_NE(script->Header("Cache-Control").value_or("").find("immutable"), std::string::npos);

    for (const std::string path :
         {"/assets/notes.txt",
          "/assets/missing.js",
          "/assets/..%2F.hidden.js",
          "/assets/.hidden.js",
          "/assets/%2e%2e",
          "/index.html"}) {
        auto r = CallWith(0, "GET", path, "", {});
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404u) << path << ": " << r->body;
    }
    // A node without web.root serves no page.
    auto none = CallWith(1, "GET", "/", "", {});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404u);
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
        "https://127.0.0.1:" + std::to_string(services_[1]->ApiPort()) + "/api/v1/events",
        Options(1),
        {{"Authorization", "Bearer " + inits_[1].api_token}},
        [&](const net::Event& e) {
            std::scoped_lock lock(mu);
            events.push_back(e);
            cv.notify_all();
        }
    );
    ASSERT_TRUE(stream) << stream.error().ToString();

    const auto request = test_util::ExamplePreservationRequest();
    auto r = Call(0, "POST", "/api/v1/messages", test_util::EmergencySubmissionToHu(request));
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
        // The request opened a case on B: its live event names the case and the step, never
        // the request's content.
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] {
            return std::any_of(events.begin(), events.end(), [](const net::Event& e) {
                return e.event == "case.changed";
            });
        }));
        const auto changed = std::find_if(events.begin(), events.end(), [](const net::Event& e) {
            return e.event == "case.changed";
        });
        const auto data = boost::json::parse(changed->data).as_object();
        EXPECT_EQ(data.at("transition").as_string(), "received");
        EXPECT_EQ(data.at("direction").as_string(), "in");
        EXPECT_EQ(data.at("priority").as_string(), "emergency");
        EXPECT_EQ(data.at("version").as_int64(), 1);
        const std::string identifier(
            request.at("fields").at("identifiers").as_array().at(0).at("value").as_string()
        );
        EXPECT_EQ(changed->data.find(identifier), std::string::npos);
        auto listed = Call(1, "GET", "/api/v1/cases?direction=in");
        ASSERT_TRUE(listed);
        EXPECT_EQ(boost::json::parse(listed->body).at("cases").at(0).at("id"), data.at("case"));
    }
    ASSERT_TRUE(WaitFor([&] { return Status(0, id) == "delivered"; }));
    (*stream)->Stop();

    // Reading has no side effects: the message stays unopened and nothing goes back.
    auto inbox = Call(1, "GET", "/api/v1/messages/" + id + "?box=inbox&lang=fr");
    ASSERT_TRUE(inbox);
    ASSERT_EQ(inbox->status, 200u) << inbox->body;
    EXPECT_EQ(boost::json::parse(inbox->body).at("status").as_string(), "received");
    EXPECT_EQ(Call(1, "POST", "/api/v1/messages/no-such-id/open")->status, 404u);
    // Opening is an explicit POST: the retrieval evidence reaches the sender.
    auto opened = Call(1, "POST", "/api/v1/messages/" + id + "/open?lang=fr");
    ASSERT_TRUE(opened);
    ASSERT_EQ(opened->status, 200u) << opened->body;
    auto detail = boost::json::parse(opened->body).as_object();
    EXPECT_EQ(detail.at("status").as_string(), "opened");
    ASSERT_TRUE(WaitFor([&] {
        auto out = Call(0, "GET", "/api/v1/messages/" + id + "?box=outbox");
        return out && out->status == 200 &&
               boost::json::parse(out->body).at("evidence").as_array().size() == 2;
    }));
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

    // The form data of every request type, and a request rendered in the receiver's language.
    auto forms = Call(0, "GET", "/api/v1/legal/forms?lang=ru");
    ASSERT_TRUE(forms);
    ASSERT_EQ(forms->status, 200u);
    EXPECT_FALSE(boost::json::parse(forms->body).as_array().empty());
    const std::string request = boost::json::serialize(test_util::ExamplePreservationRequest());
    auto fr = Call(0, "POST", "/api/v1/legal/render?lang=fr", request);
    auto en = Call(0, "POST", "/api/v1/legal/render?lang=en", request);
    ASSERT_TRUE(fr && en);
    ASSERT_EQ(fr->status, 200u) << fr->body;
    ASSERT_EQ(en->status, 200u) << en->body;
    const auto fr_body = boost::json::parse(fr->body);
    EXPECT_EQ(fr_body.at("lang").as_string(), "fr");
    EXPECT_FALSE(fr_body.at("text").as_string().empty());
    EXPECT_NE(fr_body.at("text"), boost::json::parse(en->body).at("text"));
    auto bad_lang = Call(0, "POST", "/api/v1/legal/render?lang=xx", request);
    ASSERT_TRUE(bad_lang);
    EXPECT_EQ(bad_lang->status, 400u) << bad_lang->body;
    auto not_json = Call(0, "POST", "/api/v1/legal/render?lang=fr", "{");
    ASSERT_TRUE(not_json);
    EXPECT_EQ(not_json->status, 400u) << not_json->body;
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
    directory_key_ = crypto::SigningKey::FromSeed(other.Seed().Span()).value();
    WriteDirectory(3, false);
    auto config = LoadConfig(inits_[0].config_file);
    ASSERT_TRUE(config);
    auto service = NodeService::Start(*config);
    ASSERT_FALSE(service);
    EXPECT_EQ(service.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(service.error().message.find("directory.json"), std::string::npos)
        << service.error().message;
}

// The error code and, when present, the parameter of an error body (which must be valid UTF-8
// JSON).
std::pair<std::string, std::string> ErrorOf(const net::Response& r) {
    EXPECT_TRUE(IsValidUtf8(r.body)) << r.body;
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) {
        ADD_FAILURE() << "not a JSON error: " << r.body;
        return {};
    }
    const auto& e = v.at("error").as_object();
    std::string parameter;
    if (const auto* p = e.if_contains("parameter")) {
        parameter = std::string(p->as_string());
    }
    return {std::string(e.at("code").as_string()), parameter};
}

TEST_F(ServiceTest, FederationListenerServesNoLocalApiAndMetricsOnlyOnTheApiListener) {
    auto api_on_fed = CallWith(0, "GET", "/api/v1/node", "", Token(0), /*federation_port=*/true);
    ASSERT_TRUE(api_on_fed);
    EXPECT_EQ(api_on_fed->status, 404u);
    auto metrics_on_fed = CallWith(0, "GET", "/metrics", "", {}, true);
    ASSERT_TRUE(metrics_on_fed);
    EXPECT_EQ(metrics_on_fed->status, 404u);
    auto fed_on_api = CallWith(0, "GET", "/fed/v1/checkpoint", "", {});
    ASSERT_TRUE(fed_on_api);
    EXPECT_EQ(fed_on_api->status, 404u);
    for (bool fed : {true, false}) {
        auto health = CallWith(0, "GET", "/healthz", "", {}, fed);
        ASSERT_TRUE(health);
        EXPECT_EQ(health->status, 200u);
    }
    auto node = CallWith(0, "GET", "/api/v1/node", "", Token(0));
    ASSERT_TRUE(node);
    EXPECT_EQ(node->status, 200u) << node->body;
    auto metrics = CallWith(0, "GET", "/metrics", "", {});
    ASSERT_TRUE(metrics);
    EXPECT_EQ(metrics->status, 200u);
}

TEST_F(ServiceTest, MetricsAreOffUnlessSwitchedOn) {
    services_.clear();
    auto config = LoadConfig(inits_[0].config_file);
    ASSERT_TRUE(config) << config.error().ToString();
    EXPECT_FALSE(config->metrics);
    auto service = NodeService::Start(*config);
    ASSERT_TRUE(service) << service.error().ToString();
    net::HttpClient client(Options(0));
    auto r = client.Send(
        "GET", "https://127.0.0.1:" + std::to_string((*service)->ApiPort()) + "/metrics", "", {}
    );
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404u);
}

// RFC 9110 §11.1: the authentication scheme is case-insensitive.
TEST_F(ServiceTest, BearerSchemeIsCaseInsensitive) {
    const std::string& token = inits_[0].api_token;
    for (const std::string& field :
         {"bearer " + token, "BEARER " + token, "Bearer   " + token, "bEaReR " + token + " "}) {
        auto r = CallWith(0, "GET", "/api/v1/node", "", {{"Authorization", field}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200u) << field;
    }
    for (const std::string& field :
         {std::string("Bearer"),
          std::string("Bearer "),
          "Basic " + token,
          "Bearer" + token,
          "Token " + token}) {
        auto r = CallWith(0, "GET", "/api/v1/node", "", {{"Authorization", field}});
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 401u) << field;
        EXPECT_EQ(ErrorOf(*r).first, "unauthenticated");
    }
}

TEST_F(ServiceTest, QueryParametersAreParsedStrictly) {
    const std::pair<std::string, std::string> refused[] = {
        {"/api/v1/messages?limit=-1", "limit"},
        {"/api/v1/messages?limit=0", "limit"},
        {"/api/v1/messages?limit=12abc", "limit"},
        {"/api/v1/messages?limit=1e3", "limit"},
        {"/api/v1/messages?limit=+5", "limit"},
        {"/api/v1/messages?limit=%205", "limit"},
        {"/api/v1/messages?limit=", "limit"},
        {"/api/v1/messages?limit=1001", "limit"},
        {"/api/v1/messages?limit=99999999999999999999999", "limit"},
        {"/api/v1/messages?box=both", "box"},
        {"/api/v1/messages?before=1%20OR%201=1", "before"},
        {"/api/v1/messages?box=%FF%FE", "box"},
        {"/api/v1/ledger/proof?index=1e3", "index"},
        {"/api/v1/ledger/proof?index=-1", "index"},
        {"/api/v1/ledger/proof?index=0x10", "index"},
        {"/api/v1/ledger/proof", "index"},
        {"/api/v1/messages/0190a4a8-0000-7000-8000-000000000000?box=x", "box"},
        {"/api/v1/cases?due_before=tomorrow", "due_before"},
        {"/api/v1/cases?due_before=2026-11-30", "due_before"},
        {"/api/v1/cases?due_before=", "due_before"},
    };
    for (const auto& [path, parameter] : refused) {
        auto r = CallWith(0, "GET", path, "", Token(0));
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 400u) << path << " " << r->body;
        EXPECT_EQ(ErrorOf(*r), std::make_pair(std::string("invalid_parameter"), parameter)) << path;
    }
    for (const char* path : {"/fed/v1/checkpoint?old_size=1e3", "/fed/v1/checkpoint?old_size=-1"}) {
        auto r = CallWith(0, "GET", path, "", {}, /*federation_port=*/true);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 400u) << path;
        EXPECT_EQ(ErrorOf(*r).second, "old_size");
    }
    for (const char* path :
         {"/api/v1/messages?limit=1",
          "/api/v1/messages?limit=1000",
          "/api/v1/ledger/proof?index=0"}) {
        auto r = CallWith(0, "GET", path, "", Token(0));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200u) << path << " " << r->body;
    }
}

// Store text (SQL, table names) is for the log; the client gets a generic 500 with an incident
// number. Here the idempotency table is dropped behind the node's back.
TEST_F(ServiceTest, StoreErrorsNeverReachTheClient) {
    {
        auto store = store::Store::Open("sqlite:" + (dir_ / "fr.central" / "node.db").string());
        ASSERT_TRUE(store) << store.error().ToString();
        auto tx = (*store)->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute("DROP TABLE api_idempotency"));
        ASSERT_TRUE((*tx)->Commit());
    }
    auto headers = Token(0);
    headers.emplace_back("Idempotency-Key", "k1");
    auto r = CallWith(
        0, "POST", "/api/v1/messages", R"({"to":"hu.poc","type":"notice","body":{"n":1}})", headers
    );
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500u) << r->body;
    EXPECT_EQ(ErrorOf(*r).first, "internal");
    for (const char* leak : {"sqlite", "api_idempotency", "SELECT", "no such table"}) {
        EXPECT_EQ(r->body.find(leak), std::string::npos) << r->body;
    }
    EXPECT_NE(r->body.find("\"incident\":"), std::string::npos) << r->body;
}

TEST_F(ServiceTest, SubmissionValuesAreCheckedForFormAndSense) {
    const char* refused[] = {
        R"({"to":"hu.poc","type":"notice","body":{"n":1},"extra":1})",
        R"({"to":"HU POC","type":"notice","body":{"n":1}})",
        R"({"to":"hu.poc","type":"Notice!","body":{"n":1}})",
        R"({"to":"hu.poc","type":"notice","priority":"urgent","body":{"n":1}})",
        R"({"to":"hu.poc","type":"notice","in_reply_to":"x","body":{"n":1}})",
        R"({"to":"hu.poc","type":"notice","body":[1]})",
        R"({"to":"hu.poc","type":"notice","body":"text"})",
        R"({"to":"hu.poc","type":"notice"})",
        R"({"to":"nobody.here","type":"notice","body":{}})",
    };
    for (const char* body : refused) {
        auto r = CallWith(0, "POST", "/api/v1/messages", body, Token(0));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 400u) << body << " " << r->body;
        EXPECT_EQ(ErrorOf(*r).first, "invalid_argument") << body;
    }
    auto list = Call(0, "GET", "/api/v1/messages?box=outbox");
    ASSERT_TRUE(list);
    EXPECT_TRUE(boost::json::parse(list->body).at("messages").as_array().empty());
}

// docs/formats/canonical-json.md: 64 nested arrays/objects are accepted, 65 refused. The API
// applies that limit, and a message at the limit travels to its recipient.
TEST_F(ServiceTest, NestingLimitIsTheDocumentedOne) {
    auto submission = [](std::size_t depth) {
        // {"to":..,"body":{"a":{"a":...{}}}}: the submission object is level 1.
        std::string body;
        for (std::size_t i = 1; i < depth; ++i) {
            body += i + 1 < depth ? "{\"a\":" : "{";
        }
        body += std::string(depth - 2, '}') + "}";
        return R"({"to":"hu.poc","type":"notice","body":)" + body + "}";
    };
    auto deep = CallWith(0, "POST", "/api/v1/messages", submission(65), Token(0));
    ASSERT_TRUE(deep);
    EXPECT_EQ(deep->status, 400u) << deep->body;
    EXPECT_NE(deep->body.find("64"), std::string::npos) << deep->body;
    auto at_limit = CallWith(0, "POST", "/api/v1/messages", submission(64), Token(0));
    ASSERT_TRUE(at_limit);
    ASSERT_EQ(at_limit->status, 201u) << at_limit->body;
    const std::string id(boost::json::parse(at_limit->body).at("id").as_string());
    ASSERT_TRUE(WaitFor([&] { return Status(0, id) == "delivered"; })) << Status(0, id);
    auto read = Call(1, "GET", "/api/v1/messages/" + id + "?box=inbox");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->status, 200u) << read->body;
}

TEST_F(ServiceTest, IdempotencyKeyGivesTheSameAnswerAndRefusesAnotherRequest) {
    const std::string first = R"({"to":"hu.poc","type":"notice","body":{"n":1}})";
    const std::string same = R"({ "body": {"n": 1}, "type": "notice", "to": "hu.poc" })";
    auto headers = Token(0);
    headers.emplace_back("Idempotency-Key", "order-7f3a");
    auto a = CallWith(0, "POST", "/api/v1/messages", first, headers);
    auto b = CallWith(0, "POST", "/api/v1/messages", same, headers);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(a->status, 201u) << a->body;
    ASSERT_EQ(b->status, 201u) << b->body;
    EXPECT_EQ(a->body, b->body);
    EXPECT_EQ(b->Header("Idempotent-Replayed").value_or(""), "true");
    auto other = CallWith(
        0, "POST", "/api/v1/messages", R"({"to":"hu.poc","type":"notice","body":{"n":2}})", headers
    );
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 422u) << other->body;
    EXPECT_EQ(ErrorOf(*other).first, "idempotency_key_reused");
    for (const std::string& key :
         {std::string(""), std::string("has space"), std::string(256, 'k')}) {
        auto bad = Token(0);
        bad.emplace_back("Idempotency-Key", key);
        auto r = CallWith(0, "POST", "/api/v1/messages", first, bad);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 400u) << key;
        EXPECT_EQ(ErrorOf(*r).first, "invalid_idempotency_key");
    }
    auto list = Call(0, "GET", "/api/v1/messages?box=outbox");
    ASSERT_TRUE(list);
    EXPECT_EQ(boost::json::parse(list->body).at("messages").as_array().size(), 1u);
}

// --- Start-up refusals: files at rest and config keys --------------------------------------

// A request that arrives without a signed approval (here: sent as a bare message, not through a
// case) still opens an incoming case; GET /api/v1/cases/{id} shows its approval as missing and,
// for an emergency, flags it (docs/cases.md "Signed approvals").
TEST_F(ServiceTest, AnIncomingCaseShowsItsApprovalStatus) {
    const std::string case_id = IncomingCaseAtHu();
    auto read = Call(1, "GET", "/api/v1/cases/" + case_id);
    ASSERT_TRUE(read);
    ASSERT_EQ(read->status, 200u) << read->body;
    const auto view = boost::json::parse(read->body).as_object();
    EXPECT_EQ(view.at("case").at("priority").as_string(), "emergency");
    const auto& approval = view.at("approval").as_object();
    EXPECT_EQ(approval.at("status").as_string(), "missing");
    EXPECT_EQ(approval.at("failure").as_string(), "");
    EXPECT_TRUE(approval.at("alert").as_bool());
    EXPECT_TRUE(approval.at("approval").is_null());
    EXPECT_TRUE(approval.at("approved").is_null());
    // The receiving side's next steps from the lifecycle: acknowledging, not approving.
    std::set<std::string> steps;
    for (const auto& step : view.at("steps").as_array()) {
        steps.insert(std::string(step.at("transition").as_string()));
    }
    EXPECT_TRUE(steps.contains("acknowledge")) << read->body;
    EXPECT_TRUE(steps.contains("request_clarification"));
    EXPECT_FALSE(steps.contains("approve"));
    EXPECT_FALSE(steps.contains("deliver"));
    EXPECT_FALSE(steps.contains("close"));
}

TEST_F(ServiceTest, EvidenceFilesGoUpAndComeDownAsStreamsWithinTheirLimits) {
    const std::string case_id = IncomingCaseAtHu();
    ASSERT_FALSE(case_id.empty());
    auto refused = Call(1, "POST", "/api/v1/cases/" + case_id + "/evidence", R"({"x":1})");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400u) << refused->body;
    auto created = Call(1, "POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201u) << created->body;
    const boost::json::value package = boost::json::parse(created->body);
    EXPECT_EQ(package.at("to").as_string(), "fr.central");
    const std::string base = "https://127.0.0.1:" + std::to_string(services_[1]->ApiPort()) +
                             "/api/v1/evidence/" + std::string(package.at("package").as_string());
    net::HttpClient client(Options(1));
    const net::HeaderList html{
        {"Authorization", "Bearer " + inits_[1].api_token}, {"Content-Type", "text/html"}};

    // Over evidence.max_file_bytes: 413 before the body is read, and nothing is recorded.
    const std::string too_big(kMaxEvidenceBytes + 1, 'x');
    net::MemoryBodySource big(too_big);
    auto over = client.Upload("PUT", base + "/files/big.bin", html, big, too_big.size());
    ASSERT_TRUE(over) << over.error().ToString();
    EXPECT_EQ(over->status, 413u) << over->body;
    auto draft =
        Call(1, "GET", "/api/v1/evidence/" + std::string(package.at("package").as_string()));
    ASSERT_TRUE(draft);
    EXPECT_TRUE(boost::json::parse(draft->body).at("files").as_array().empty()) << draft->body;

    std::string content(kMaxEvidenceBytes - 5, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) {
        content[i] = static_cast<char>(i * 7919 % 251);
    }
    net::MemoryBodySource body(content);
    auto uploaded = client.Upload("PUT", base + "/files/a%20b.html", html, body, content.size());
    ASSERT_TRUE(uploaded) << uploaded.error().ToString();
    ASSERT_EQ(uploaded->status, 201u) << uploaded->body;
    const boost::json::value file = boost::json::parse(uploaded->body);
    EXPECT_EQ(file.at("name").as_string(), "a b.html");
    EXPECT_EQ(file.at("sha256").as_string(), HexEncode(crypto::Sha256(AsBytes(content))));

    auto manifest = client.Send("GET", base + "/manifest", "", Token(1));
    ASSERT_TRUE(manifest);
    EXPECT_EQ(manifest->status, 409u) << manifest->body;

    // The declared type never becomes the response's: an attachment of opaque bytes.
    std::string got;
    auto downloaded =
        client.Download(base + "/files/a%20b.html", Token(1), [&](std::span<const std::uint8_t> p) {
            got.append(reinterpret_cast<const char*>(p.data()), p.size());
            return Result<void>();
        });
    ASSERT_TRUE(downloaded) << downloaded.error().ToString();
    ASSERT_EQ(downloaded->status, 200u) << downloaded->body;
    EXPECT_TRUE(got == content);
    EXPECT_EQ(downloaded->Header("Content-Type"), "application/octet-stream");
    EXPECT_EQ(downloaded->Header("Concord-Media-Type"), "text/html");
    EXPECT_EQ(downloaded->Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(downloaded->Header("Concord-Sha256"), file.at("sha256").as_string());
    EXPECT_EQ(downloaded->Header("Content-Disposition"), "attachment; filename*=UTF-8''a%20b.html");
    auto missing = client.Send("GET", base + "/files/other.txt", "", Token(1));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404u);

    // The case's summary holds no request and is not a read of content.
    auto summary = Call(1, "GET", "/api/v1/cases/" + case_id + "/summary");
    ASSERT_TRUE(summary);
    ASSERT_EQ(summary->status, 200u) << summary->body;
    const boost::json::value fields = boost::json::parse(summary->body);
    EXPECT_EQ(fields.at("id").as_string(), case_id);
    EXPECT_FALSE(fields.as_object().contains("request"));

    // The download is an access record the auditor lists (with the case's own reads); the
    // summary after it is not.
    auto reads = Call(1, "GET", "/api/v1/access-records?case=" + case_id);
    ASSERT_TRUE(reads);
    ASSERT_EQ(reads->status, 200u) << reads->body;
    const boost::json::value listed = boost::json::parse(reads->body);
    const auto& records = listed.at("records").as_array();
    ASSERT_FALSE(records.empty());
    EXPECT_EQ(records[0].at("event").as_string(), "evidence.file_read");
    EXPECT_EQ(
        records[0].at("object").as_string(),
        "evidence:" + std::string(package.at("package").as_string()) + "/a b.html"
    );
    EXPECT_EQ(records[0].at("actor").as_string(), "node");
    auto bad = Call(1, "GET", "/api/v1/access-records?limit=0");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400u);
}

TEST_F(ServiceTest, AnUploadCutOffHalfWayRecordsNothingAndLeavesNoBlob) {
    const std::string case_id = IncomingCaseAtHu();
    ASSERT_FALSE(case_id.empty());
    auto created = Call(1, "POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201u) << created->body;
    const std::string package(boost::json::parse(created->body).at("package").as_string());
    // A client that announces 48 KiB, sends 20 KiB and then goes away.
    class CutOff final : public net::BodySource {
    public:
        Result<size_t> Read(std::span<std::uint8_t> buffer) override {
            if (sent_ >= 20 << 10) {
                return MakeError(ErrorCode::kUnavailable, "the client went away");
            }
            const std::size_t n = std::min<std::size_t>(buffer.size(), (20 << 10) - sent_);
            std::fill_n(buffer.begin(), n, std::uint8_t{'c'});
            sent_ += n;
            return n;
        }

    private:
        std::size_t sent_{0};
    } cut;
    net::HttpClient client(Options(1));
    auto upload = client.Upload(
        "PUT",
        "https://127.0.0.1:" + std::to_string(services_[1]->ApiPort()) + "/api/v1/evidence/" +
            package + "/files/cut.bin",
        Token(1),
        cut,
        48 << 10
    );
    EXPECT_FALSE(upload);  // the client's own source failed
    // The node records no file, and its blob folder keeps no part of it.
    const auto blobs = dir_ / "hu.poc" / "blobs";
    ASSERT_TRUE(test_util::WaitFor([&] {
        return std::filesystem::exists(blobs / "tmp") && std::filesystem::is_empty(blobs / "tmp");
    }));
    auto read = Call(1, "GET", "/api/v1/evidence/" + package);
    ASSERT_TRUE(read);
    ASSERT_EQ(read->status, 200u) << read->body;
    EXPECT_TRUE(boost::json::parse(read->body).at("files").as_array().empty()) << read->body;
    EXPECT_FALSE(
        std::filesystem::exists(blobs / "sha256") && !std::filesystem::is_empty(blobs / "sha256")
    );
}

TEST_F(ServiceTest, AnUploadInPartsIsAskedWhereItStandsAndGoesOnFromThere) {
    const std::string case_id = IncomingCaseAtHu();
    ASSERT_FALSE(case_id.empty());
    auto created = Call(1, "POST", "/api/v1/cases/" + case_id + "/evidence", "{}");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201u) << created->body;
    const std::string package(boost::json::parse(created->body).at("package").as_string());
    const std::string files = "/api/v1/evidence/" + package + "/files/part.bin";
    const std::string uploads = "/api/v1/evidence/" + package + "/uploads/part.bin";
    const std::string base = "https://127.0.0.1:" + std::to_string(services_[1]->ApiPort());
    std::string content(48 << 10, '\0');
    for (std::size_t i = 0; i < content.size(); ++i) {
        content[i] = static_cast<char>(i * 131 % 253);
    }
    auto none = Call(1, "GET", uploads);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 404u) << none->body;

    // A part broken off by the client: the node has the upload under way, with what it kept.
    test_util::CutOffBody cut(content, 20 << 10);
    net::HttpClient client(Options(1));
    const std::string sized = files + "?size=" + std::to_string(content.size());
    EXPECT_FALSE(client.Upload("PUT", base + sized, Token(1), cut, content.size()));
    boost::json::value status;
    ASSERT_TRUE(test_util::WaitFor([&] {
        auto got = Call(1, "GET", uploads);
        if (!got || got->status != 200) {
            return false;
        }
        status = boost::json::parse(got->body);
        return true;
    }));
    EXPECT_EQ(
        status.at("size").to_number<std::int64_t>(), static_cast<std::int64_t>(content.size())
    );
    EXPECT_EQ(status.at("media_type").as_string(), "application/octet-stream");
    // Less than one chunk (1 MiB) arrived: nothing whole to keep, so the next part starts at 0.
    EXPECT_EQ(status.at("received").to_number<std::int64_t>(), 0);

    // A part from elsewhere is refused unread, with where to start.
    net::MemoryBodySource rest(std::string_view(content).substr(20 << 10));
    auto refused = client.Upload(
        "PUT",
        base + sized + "&offset=" + std::to_string(20 << 10),
        Token(1),
        rest,
        content.size() - (20 << 10)
    );
    ASSERT_TRUE(refused) << refused.error().ToString();
    EXPECT_EQ(refused->status, 409u) << refused->body;
    const boost::json::value mismatch = boost::json::parse(refused->body);
    EXPECT_EQ(mismatch.at("error").at("code").as_string(), "offset_mismatch");
    EXPECT_EQ(mismatch.at("error").at("upload").at("received").to_number<std::int64_t>(), 0);
    auto bad = Call(1, "PUT", files + "?size=-1", "x");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400u) << bad->body;

    net::MemoryBodySource whole(content);
    auto done = client.Upload("PUT", base + sized + "&offset=0", Token(1), whole, content.size());
    ASSERT_TRUE(done) << done.error().ToString();
    ASSERT_EQ(done->status, 201u) << done->body;
    EXPECT_EQ(
        boost::json::parse(done->body).at("sha256").as_string(),
        HexEncode(crypto::Sha256(AsBytes(content)))
    );
    auto gone = Call(1, "GET", uploads);
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404u) << gone->body;
}

class StartRefusalTest : public ServiceTest {
protected:
    void SetUp() override {
        ServiceTest::SetUp();
        services_.clear();
        auto config = LoadConfig(inits_[0].config_file);
        ASSERT_TRUE(config) << config.error().ToString();
        config_ = *config;
    }

    std::string Refusal() {
        auto service = NodeService::Start(config_);
        if (service) {
            ADD_FAILURE() << "started";
            return "";
        }
        return service.error().message;
    }

    Config config_;
};

TEST_F(StartRefusalTest, InitMakesPrivateFilesWhateverTheUmask) {
    const mode_t old = ::umask(0);
    InitOptions o;
    o.dir = dir_ / "open.node";
    o.node_id = "open.node";
    o.party = "FR";
    o.roles = {"central_authority"};
    o.authority = "x";
    o.listen = "127.0.0.1:0";
    o.passphrase = "test passphrase";
    o.write_passphrase_file = true;
    o.fast_key_derivation = true;
    o.directory_file = dir_ / "directory.json";
    o.directory_keys = config_.directory_trusted_keys;
    auto r = InitNode(o);
    ::umask(old);
    ASSERT_TRUE(r) << r.error().ToString();
    auto mode = [](const std::filesystem::path& p) {
        return static_cast<unsigned>(std::filesystem::status(p).permissions());
    };
    EXPECT_EQ(mode(o.dir), 0700u);
    for (const char* f : {"node.db", "node.key", "tls.key", "api-token", "passphrase"}) {
        EXPECT_EQ(mode(o.dir / f), 0600u) << f;
    }
    for (const char* suffix : {"-wal", "-shm"}) {
        const auto p = o.dir / (std::string("node.db") + suffix);
        if (std::filesystem::exists(p)) {
            EXPECT_EQ(mode(p), 0600u) << p;
        }
    }
}

TEST_F(StartRefusalTest, ReadableSecretsAndStoreAreRefusedNamingKeyFileAndMode) {
    const auto node = dir_ / "fr.central";
    const std::tuple<std::filesystem::path, std::filesystem::perms, std::string> cases[] = {
        {node / "tls.key", std::filesystem::perms(0644), "key 'http.tls_key': "},
        {node / "passphrase", std::filesystem::perms(0640), "key 'node.passphrase_file': "},
        {node / "node.db", std::filesystem::perms(0604), "key 'node.store': "},
        {node, std::filesystem::perms(0755), "key 'node.store': "},
    };
    for (const auto& [path, perms, key] : cases) {
        const auto before = std::filesystem::status(path).permissions();
        std::filesystem::permissions(path, perms);
        const std::string message = Refusal();
        std::filesystem::permissions(path, before);
        std::ostringstream mode;
        mode << "0" << std::oct << static_cast<unsigned>(perms);
        EXPECT_NE(message.find(inits_[0].config_file.string() + ": " + key), std::string::npos)
            << message;
        EXPECT_NE(message.find(path.string() + " has mode " + mode.str()), std::string::npos)
            << message;
    }
}

TEST_F(StartRefusalTest, ARetentionRuleNamingNoInstrumentOrPartyOfTheCatalogueIsRefused) {
    constexpr std::int64_t kDayMs = std::int64_t{24} * 3600 * 1000;
    const std::pair<app::RetentionRule, std::string> cases[] = {
        {{"budapst", "", "", 30 * kDayMs}, "retention rule 2: no instrument 'budapst'"},
        {{"", "XQ", "", 30 * kDayMs}, "retention rule 2: no party 'XQ'"},
    };
    for (const auto& [rule, says] : cases) {
        config_.evidence_retention_rules = {{"budapest", "US", "", 90 * kDayMs}, rule};
        const std::string message = Refusal();
        EXPECT_NE(
            message.find(inits_[0].config_file.string() + ": key 'evidence.retention_rules': "),
            std::string::npos
        ) << message;
        EXPECT_NE(message.find(says), std::string::npos) << message;
    }
}

// The categories a retention rule may name are the values of the catalogue's field
// `data_categories`, in every request type that has it.
TEST(RetentionCategoriesTest, AreTheCataloguesDataCategories) {
    auto catalog = legal::LoadCatalog(legal::DefaultInstrumentsDir());
    ASSERT_TRUE(catalog) << catalog.error().ToString();
    std::set<std::string> in_catalogue;
    for (const auto& [id, type] : catalog->request_types) {
        if (const legal::FieldSpec* field = type.FindField("data_categories")) {
            in_catalogue.insert(field->values.begin(), field->values.end());
        }
    }
    const std::set<std::string> in_rules(
        std::begin(app::kRetentionCategories), std::end(app::kRetentionCategories)
    );
    EXPECT_FALSE(in_catalogue.empty());
    EXPECT_EQ(in_catalogue, in_rules);
}

TEST_F(StartRefusalTest, EveryRefusalNamesTheKeyAndThePath) {
    const std::string file = inits_[0].config_file.string() + ": ";
    {
        Config c = config_;
        c.store_url = "sqlite:" + (dir_ / "no-such-folder" / "node.db").string();
        auto service = NodeService::Start(c);
        ASSERT_FALSE(service);
        EXPECT_NE(service.error().message.find(file + "key 'node.store': "), std::string::npos)
            << service.error().message;
        EXPECT_NE(
            service.error().message.find((dir_ / "no-such-folder").string()), std::string::npos
        ) << service.error().message;
    }
    {
        Config c = config_;
        c.tls_cert = dir_ / "missing.crt";
        auto service = NodeService::Start(c);
        ASSERT_FALSE(service);
        EXPECT_NE(service.error().message.find(file + "key 'http.tls_cert': "), std::string::npos);
        EXPECT_NE(service.error().message.find("missing.crt"), std::string::npos);
    }
    {
        Config c = config_;
        c.directory_file = dir_ / "missing.json";
        auto service = NodeService::Start(c);
        ASSERT_FALSE(service);
        EXPECT_NE(service.error().message.find(file + "key 'directory.file': "), std::string::npos);
        EXPECT_NE(service.error().message.find("missing.json"), std::string::npos);
    }
    {
        Config c = config_;
        c.key_file = dir_ / "missing.key";
        auto service = NodeService::Start(c);
        ASSERT_FALSE(service);
        EXPECT_NE(service.error().message.find(file + "key 'node.key_file': "), std::string::npos);
        EXPECT_NE(service.error().message.find("missing.key"), std::string::npos);
    }
    {
        // The API port is taken (here by the federation listener of the same node).
        Config c = config_;
        c.listen_port = test_util::FreePort();
        c.api_listen_address = "127.0.0.1";
        auto first = NodeService::Start(c);
        ASSERT_TRUE(first) << first.error().ToString();
        Config d = config_;
        d.api_listen_port = (*first)->Port();
        auto service = NodeService::Start(d);
        ASSERT_FALSE(service);
        EXPECT_NE(service.error().message.find(file + "key 'api.listen': "), std::string::npos)
            << service.error().message;
    }
}

}  // namespace
}  // namespace concord::server
