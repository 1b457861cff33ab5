#include "concord/net/client.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "concord/net/tls.hpp"

#include "test_util.hpp"

namespace concord::net {
namespace {

using namespace std::chrono_literals;
using testing::BaseUrl;
using testing::StartPlain;

ClientOptions PlainClient() {
    ClientOptions options;
    options.allow_plain_http = true;
    return options;
}

TEST(ParseUrl, AcceptsHostsPortsAndTargets) {
    auto a = ParseUrl("https://node.example:8443/fed/v1/x?y=1");
    ASSERT_TRUE(a.has_value());
    EXPECT_TRUE(a->tls);
    EXPECT_EQ(a->host, "node.example");
    EXPECT_EQ(a->port, 8443);
    EXPECT_EQ(a->target, "/fed/v1/x?y=1");
    auto b = ParseUrl("http://[::1]:80");
    ASSERT_TRUE(b.has_value());
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->target, "/");
    auto c = ParseUrl("https://h?q");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->port, 443);
    EXPECT_EQ(c->target, "/?q");
    for (const char* bad :
         {"ftp://h/",
          "http://",
          "http://h:0/",
          "http://h:70000/",
          "http://h:1x/",
          "http://[::1/",
          "http://u@h/",
          "http://h/a b"}) {
        EXPECT_FALSE(ParseUrl(bad).has_value()) << bad;
    }
}

TEST(HttpClient, ReusesOneKeepAliveConnectionAndReconnectsAfterIdleClose) {
    Router router;
    router.Add("GET", "/conn", [](Request& r) {
        return Json(200, std::to_string(r.connection_id));
    });
    ServerOptions options;
    options.idle_timeout = 200ms;
    auto server = StartPlain(std::move(router), options);
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    std::string url = BaseUrl(*server) + "/conn";
    std::string first_connection;
    for (int i = 0; i < 5; ++i) {
        auto r = client.Send("GET", url, "");
        ASSERT_TRUE(r.has_value()) << r.error().ToString();
        if (i == 0) {
            first_connection = r->body;
        }
        EXPECT_EQ(r->body, first_connection) << "request " << i << " used another connection";
    }
    EXPECT_EQ(client.ConnectionsOpened(), 1u);

    std::this_thread::sleep_for(600ms);  // the server closes the idle connection meanwhile
    auto r = client.Send("GET", url, "");
    ASSERT_TRUE(r.has_value()) << "the client must reconnect transparently: "
                               << r.error().ToString();
    EXPECT_NE(r->body, first_connection);
    EXPECT_EQ(client.ConnectionsOpened(), 2u);
}

TEST(HttpClient, ReconnectsOverTlsAfterTheServerClosedAnIdleConnection) {
    auto identity = GenerateSelfSignedCertificate("n", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    Router router;
    router.Add("GET", "/conn", [](Request& r) {
        return Json(200, std::to_string(r.connection_id));
    });
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    options.idle_timeout = 200ms;
    auto server = Server::Start(options, std::move(router));
    ASSERT_TRUE(server.has_value());
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;
    HttpClient client(client_options);
    std::string url = "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/conn";
    auto first = client.Send("GET", url, "");
    ASSERT_TRUE(first.has_value()) << first.error().ToString();
    auto second = client.Send("GET", url, "");
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(first->body, second->body);
    std::this_thread::sleep_for(600ms);
    auto third = client.Send("GET", url, "");
    ASSERT_TRUE(third.has_value()) << third.error().ToString();
    EXPECT_NE(third->body, first->body);
    EXPECT_EQ(client.ConnectionsOpened(), 2u);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
    uint16_t port = 0;
    {
        auto server = StartPlain(Router{});
        ASSERT_TRUE(server);
        port = server->Port();
    }
    HttpClient client(PlainClient());
    auto r = client.Send("GET", "http://127.0.0.1:" + std::to_string(port) + "/", "");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
}

TEST(HttpClient, WholeRequestTimeoutIsUnavailable) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    Router router;
    router.Add("GET", "/hang", [&](Request&) {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return release; });
        return Json(200, "1");
    });
    auto server = StartPlain(std::move(router));
    ASSERT_TRUE(server);
    ClientOptions options = PlainClient();
    options.timeout = 200ms;
    HttpClient client(options);
    auto r = client.Send("GET", BaseUrl(*server) + "/hang", "");
    {
        std::lock_guard lock(mu);
        release = true;
    }
    cv.notify_all();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
}

TEST(HttpClient, PlainHttpNeedsPermission) {
    HttpClient client(ClientOptions{});
    auto r = client.Send("GET", "http://127.0.0.1:1/", "");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(HttpClient, SendsHeadersAndReturnsResponseHeaders) {
    Router router;
    router.Add("POST", "/h", [](Request& r) {
        Response response = Json(201, "{}");
        response.headers.emplace_back("X-Echo", r.Header("x-token").value_or("none"));
        return response;
    });
    auto server = StartPlain(std::move(router));
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    auto r = client.Send("POST", BaseUrl(*server) + "/h", "{}", {{"X-Token", "t0k"}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 201u);
    EXPECT_EQ(r->Header("x-echo"), "t0k");
}

}  // namespace
}  // namespace concord::net
