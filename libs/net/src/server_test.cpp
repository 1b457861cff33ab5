#include "concord/net/server.hpp"

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "concord/core/log.hpp"
#include "concord/core/utf8.hpp"
#include "concord/net/client.hpp"
#include "concord/net/tls.hpp"

#include "test_util.hpp"
#include <sys/resource.h>

namespace concord::net {
namespace {

using namespace std::chrono_literals;
using testing::BaseUrl;
using testing::kPatience;
using testing::RawSocket;
using testing::StartPlain;

ClientOptions PlainClient() {
    ClientOptions options;
    options.allow_plain_http = true;
    return options;
}

std::string ErrorCodeOf(const Response& response) {
    return std::string(boost::json::parse(response.body).at("error").at("code").as_string());
}

// Counts refusals by reason; safe to call from I/O threads.
struct Refusals {
    std::mutex mu;
    std::map<std::string, int> counts;
    std::function<void(std::string_view)> Callback() {
        return [this](std::string_view reason) {
            std::lock_guard lock(mu);
            ++counts[std::string(reason)];
        };
    }
    int Count(const std::string& reason) {
        std::lock_guard lock(mu);
        return counts[reason];
    }
    // The client may see the close before the server has counted it: wait for the count.
    int WaitFor(const std::string& reason, int n) {
        auto deadline = std::chrono::steady_clock::now() + kPatience;
        while (Count(reason) < n && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return Count(reason);
    }
};

Router EchoRouter() {
    Router router;
    router.Add("GET", "/hello", [](Request&) { return Json(200, "{\"hello\":\"world\"}"); });
    router.Add("POST", "/echo", [](Request& r) {
        Response response = Json(200, r.body);
        response.headers.emplace_back("X-Connection", std::to_string(r.connection_id));
        return response;
    });
    router.Add("GET", "/items/{kind}/{id}", [](Request& r) {
        boost::json::object o;
        o["kind"] = r.Param("kind");
        o["id"] = r.Param("id");
        o["q"] = r.QueryParam("q").value_or("");
        o["ip"] = r.remote_ip;
        return Json(200, boost::json::serialize(o));
    });
    return router;
}

TEST(Server, HttpsRoundTripWithThePinnedCertificate) {
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto server = Server::Start(options, EchoRouter());
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    std::string url = "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/echo";

    ClientOptions good;
    good.pinned_cert_sha256 = identity->sha256_fingerprint;
    HttpClient client(good);
    auto response = client.Send("POST", url, "{\"x\":1}", {{"Content-Type", "application/json"}});
    ASSERT_TRUE(response.has_value()) << response.error().ToString();
    EXPECT_EQ(response->status, 200u);
    EXPECT_EQ(response->body, "{\"x\":1}");
    EXPECT_EQ(response->content_type, "application/json");

    ClientOptions wrong;
    wrong.pinned_cert_sha256 = std::string(64, 'a');
    HttpClient mismatched(wrong);
    auto refused = mismatched.Send("POST", url, "{}");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
    EXPECT_NE(refused.error().message.find(identity->sha256_fingerprint), std::string::npos);

    HttpClient unpinned(ClientOptions{});
    auto no_pin = unpinned.Send("GET", url, "");
    ASSERT_FALSE(no_pin.has_value());
    EXPECT_EQ(no_pin.error().code, ErrorCode::kInvalidArgument);

    HttpClient plain(PlainClient());
    auto plain_to_tls =
        plain.Send("GET", "http://127.0.0.1:" + std::to_string((*server)->Port()) + "/hello", "");
    EXPECT_FALSE(plain_to_tls.has_value() && plain_to_tls->status == 200);
}

TEST(Server, PlainHttpNeedsExplicitPermissionAndLoopback) {
    ServerOptions options;
    auto refused = Server::Start(options, Router{});
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("plain HTTP"), std::string::npos);

    options.allow_plain_http = true;
    options.address = "0.0.0.0";
    auto public_address = Server::Start(options, Router{});
    ASSERT_FALSE(public_address.has_value());
    EXPECT_NE(public_address.error().message.find("loopback"), std::string::npos);

    options.address = "127.0.0.1";
    auto allowed = Server::Start(options, Router{});
    EXPECT_TRUE(allowed.has_value());

    ServerOptions bad_cert;
    bad_cert.tls_cert_pem = "garbage";
    bad_cert.tls_key_pem = "garbage";
    auto bad = Server::Start(bad_cert, Router{});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(Server, IsLoopbackAddress) {
    EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
    EXPECT_TRUE(IsLoopbackAddress("127.1.2.3"));
    EXPECT_TRUE(IsLoopbackAddress("::1"));
    EXPECT_TRUE(IsLoopbackAddress("localhost"));
    EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
    EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
    EXPECT_FALSE(IsLoopbackAddress("::"));
    EXPECT_FALSE(IsLoopbackAddress("nonsense"));
}

TEST(Server, NotFoundAndMethodNotAllowedOverTheWire) {
    auto server = StartPlain(EchoRouter());
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    auto missing = client.Send("GET", BaseUrl(*server) + "/nope", "");
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->status, 404u);
    EXPECT_EQ(ErrorCodeOf(*missing), "not_found");
    auto wrong = client.Send("DELETE", BaseUrl(*server) + "/hello", "");
    ASSERT_TRUE(wrong.has_value());
    EXPECT_EQ(wrong->status, 405u);
    EXPECT_EQ(ErrorCodeOf(*wrong), "method_not_allowed");
    EXPECT_EQ(wrong->Header("Allow"), "GET");
}

TEST(Server, PathParamsQueryAndRemoteIp) {
    auto server = StartPlain(EchoRouter());
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    auto response =
        client.Send("GET", BaseUrl(*server) + "/items/mla/r%C3%A9f-1?q=a+b%26c&other=1", "");
    ASSERT_TRUE(response.has_value()) << response.error().ToString();
    ASSERT_EQ(response->status, 200u);
    auto o = boost::json::parse(response->body);
    EXPECT_EQ(o.at("kind"), "mla");
    EXPECT_EQ(
        o.at("id"),
        "r\xC3\xA9"
        "f-1"
    );
    EXPECT_EQ(o.at("q"), "a b&c");
    EXPECT_EQ(o.at("ip"), "127.0.0.1");
}

TEST(Server, OversizedContentLengthIsRefusedBeforeTheBodyIsSent) {
    Refusals refusals;
    ServerOptions options;
    options.max_body_bytes = 1000;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    ASSERT_TRUE(socket.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
    std::string reply;
    EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
    EXPECT_NE(reply.find("\"too_large\""), std::string::npos);
    EXPECT_EQ(refusals.Count("too_large"), 1);

    // A body exactly at the limit is accepted.
    HttpClient client(PlainClient());
    auto ok = client.Send("POST", BaseUrl(*server) + "/echo", std::string(1000, 'x'));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->status, 200u);
}

TEST(Server, OversizedChunkedBodyIsCutAtTheLimit) {
    Refusals refusals;
    ServerOptions options;
    options.max_body_bytes = 1000;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) {
        request += "200\r\n" + std::string(0x200, 'a') + "\r\n";
    }
    request += "0\r\n\r\n";
    ASSERT_TRUE(socket.Send(request));
    std::string reply;
    EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 413")) << reply;
    EXPECT_EQ(refusals.Count("too_large"), 1);
}

TEST(Server, HeaderTooLargeIs431) {
    Refusals refusals;
    ServerOptions options;
    options.max_header_bytes = 1024;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    auto response =
        client.Send("GET", BaseUrl(*server) + "/hello", "", {{"X-Big", std::string(4096, 'b')}});
    ASSERT_TRUE(response.has_value()) << response.error().ToString();
    EXPECT_EQ(response->status, 431u);
    EXPECT_EQ(ErrorCodeOf(*response), "header_too_large");
    EXPECT_EQ(refusals.Count("header_too_large"), 1);
}

TEST(Server, SlowClientGets408AfterHeaderTimeout) {
    Refusals refusals;
    ServerOptions options;
    options.header_timeout = 300ms;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: a"));
    std::string reply;
    EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience)) << "the server must close the connection";
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 408")) << reply;
    EXPECT_NE(reply.find("\"header_timeout\""), std::string::npos) << reply;
    EXPECT_EQ(refusals.WaitFor("header_timeout", 1), 1);

    // A connection that sends nothing at all is closed without an answer.
    RawSocket silent(server->Port());
    std::string nothing;
    EXPECT_TRUE(silent.ReadUntilClosed(nothing, kPatience));
    EXPECT_EQ(nothing, "");
    EXPECT_EQ(refusals.WaitFor("header_timeout", 2), 2);
}

TEST(Server, SlowTlsClientGets408AfterHeaderTimeout) {
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value()) << identity.error().ToString();
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    options.header_timeout = 500ms;
    auto started = Server::Start(options, EchoRouter());
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    auto& server = *started;
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Connected());
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, socket.Fd());
    ASSERT_EQ(SSL_connect(ssl), 1);
    const std::string partial = "GET /hello HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(
        SSL_write(ssl, partial.data(), static_cast<int>(partial.size())),
        static_cast<int>(partial.size())
    );
    std::string reply;
    char buf[4096];
    int n = 0;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
        reply.append(buf, static_cast<size_t>(n));
    }
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 408")) << reply;
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

// One address cannot take the whole connection budget: beyond max_connections_per_address its
// connections are closed at once, while another address is still served.
TEST(Server, ConnectionsPerAddressAreCapped) {
    Refusals refusals;
    ServerOptions options;
    options.max_connections_per_address = 3;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    std::vector<std::unique_ptr<RawSocket>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawSocket>(server->Port(), "127.0.0.2"));
        ASSERT_TRUE(held.back()->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
        std::string reply;
        ASSERT_TRUE(held.back()->ReadUntil(reply, "world", kPatience)) << reply;
    }
    RawSocket fourth(server->Port(), "127.0.0.2");
    ASSERT_TRUE(fourth.Connected());
    fourth.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string refused;
    EXPECT_TRUE(fourth.ReadUntilClosed(refused, kPatience));
    EXPECT_EQ(refused.find("world"), std::string::npos) << refused;
    EXPECT_EQ(refusals.WaitFor("too_many_connections", 1), 1);

    RawSocket other(server->Port(), "127.0.0.3");
    ASSERT_TRUE(other.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string served;
    EXPECT_TRUE(other.ReadUntil(served, "world", kPatience)) << served;

    // A slot freed by the address is available to it again.
    held.pop_back();
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    bool again = false;
    while (!again && std::chrono::steady_clock::now() < deadline) {
        RawSocket retry(server->Port(), "127.0.0.2");
        retry.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        std::string reply;
        again = retry.ReadUntil(reply, "world", 2s);
        if (!again) {
            std::this_thread::sleep_for(20ms);
        }
    }
    EXPECT_TRUE(again);
}

// The connection cap is derived from the file descriptor limit (raised to the hard limit at
// start) less the reserve, so connections can never take the descriptors the store and the
// outgoing deliveries need.
TEST(Server, ConnectionCapFitsTheDescriptorLimit) {
    rlimit limit{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    ASSERT_NE(limit.rlim_max, RLIM_INFINITY);
    rlimit lowered = limit;
    lowered.rlim_cur = std::min<rlim_t>(limit.rlim_max, 256);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);

    ServerOptions options;
    options.max_connections = 1 << 20;
    options.reserved_descriptors = static_cast<size_t>(limit.rlim_max) - 200;
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    rlimit raised{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &raised), 0);
    EXPECT_EQ(raised.rlim_cur, limit.rlim_max) << "the soft limit is raised to the hard one";
    // 200 descriptors for connections: 25 (1/8) answer 503, 175 are served.
    EXPECT_EQ(server->MaxConnections(), 175u);

    options.reserved_descriptors = static_cast<size_t>(limit.rlim_max) - 8;
    options.address = "127.0.0.1";
    options.allow_plain_http = true;
    auto refused = Server::Start(options, EchoRouter());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

// Routes on separate handler pools never wait for each other: a busy default pool (local API)
// does not delay a route on the "fed" pool, and a busy "fed" pool does not delay a request the
// chooser sends to the "emergency" pool.
TEST(Server, HandlerPoolsKeepRouteClassesApart) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> blocked{0};
    auto block = [&](Request&) {
        blocked.fetch_add(1);
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return release; });
        return Json(200, "{}");
    };
    Router router;
    router.Add("GET", "/api/slow", block);
    router.Add("GET", "/fed/slow", block, std::string("fed"));
    router.Add(
        "GET",
        "/fed/messages",
        [](Request&) { return Json(200, "{\"fed\":true}"); },
        PoolChooser([](const Request& r) {
            return r.Header("X-Priority") == "emergency" ? std::string("emergency")
                                                         : std::string("fed");
        })
    );
    ServerOptions options;
    options.handler_threads = 2;
    options.handler_pools = {{"fed", 1}, {"emergency", 1}};
    auto server = StartPlain(std::move(router), options);
    ASSERT_TRUE(server);
    std::vector<std::thread> holders;
    for (const char* path : {"/api/slow", "/api/slow", "/fed/slow"}) {
        holders.emplace_back([&, path] {
            HttpClient client(PlainClient());
            auto r = client.Send("GET", BaseUrl(*server) + path, "");
            EXPECT_TRUE(r.has_value());
        });
    }
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (blocked.load() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(blocked.load(), 3) << "every pool is busy now: default (2) and fed (1)";
    ClientOptions quick = PlainClient();
    quick.timeout = 5s;
    HttpClient client(quick);
    auto emergency =
        client.Send("GET", BaseUrl(*server) + "/fed/messages", "", {{"X-Priority", "emergency"}});
    ASSERT_TRUE(emergency.has_value()) << emergency.error().ToString();
    EXPECT_EQ(emergency->status, 200u);
    {
        std::lock_guard lock(mu);
        release = true;
    }
    cv.notify_all();
    for (auto& t : holders) {
        t.join();
    }
}

TEST(Server, RouteOnAnUnknownPoolIsRefusedAtStart) {
    Router router;
    router.Add(
        "GET", "/x", [](Request&) { return Json(200, "{}"); }, std::string("nowhere")
    );
    ServerOptions options;
    options.address = "127.0.0.1";
    options.allow_plain_http = true;
    auto started = Server::Start(options, std::move(router));
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error().code, ErrorCode::kInvalidArgument);
}

// TLS 1.2 offers and accepts ECDHE with AEAD suites only.
TEST(Server, Tls12ClientOfferingOnlyCbcOrRsaKeyExchangeIsRefused) {
    auto identity = GenerateSelfSignedCertificate("node", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value()) << identity.error().ToString();
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto started = Server::Start(options, EchoRouter());
    ASSERT_TRUE(started.has_value()) << started.error().ToString();
    auto& server = *started;
    auto handshake = [&](const char* ciphers) {
        RawSocket socket(server->Port());
        SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_security_level(ctx, 0);
        EXPECT_EQ(SSL_CTX_set_cipher_list(ctx, ciphers), 1) << ciphers;
        SSL* ssl = SSL_new(ctx);
        SSL_set_fd(ssl, socket.Fd());
        const bool ok = SSL_connect(ssl) == 1;
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        return ok;
    };
    EXPECT_FALSE(handshake("ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"));
    EXPECT_FALSE(handshake("ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256"));
    EXPECT_FALSE(handshake("AES128-GCM-SHA256:AES256-GCM-SHA384"));
    EXPECT_TRUE(handshake("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"));
}

// Error bodies are valid UTF-8 JSON whatever the path held.
TEST(Server, ErrorBodiesAreValidUtf8JsonForHostilePaths) {
    auto server = StartPlain(EchoRouter());
    ASSERT_TRUE(server);
    for (std::string target :
         {std::string("/caf\xC3\xA9/\xFF\xFE\xC0\xAF"),
          std::string("/x\x01\x7F"),
          std::string("/") + std::string(8000, '\xE2')}) {
        RawSocket socket(server->Port());
        ASSERT_TRUE(
            socket.Send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        );
        std::string reply;
        ASSERT_TRUE(socket.ReadUntilClosed(reply, kPatience));
        size_t body = reply.find("\r\n\r\n");
        ASSERT_NE(body, std::string::npos) << reply;
        std::string text = reply.substr(body + 4);
        EXPECT_TRUE(IsValidUtf8(text)) << text;
        boost::system::error_code ec;
        auto parsed = boost::json::parse(text, ec);
        ASSERT_FALSE(ec) << text;
        EXPECT_TRUE(parsed.as_object().at("error").is_object()) << text;
        EXPECT_LE(text.size(), 2048u);
    }
}

TEST(Server, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
    ServerOptions options;
    options.idle_timeout = 200ms;
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string reply;
    ASSERT_TRUE(socket.ReadUntil(reply, "world\"}", kPatience));
    EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience));
}

TEST(Server, RateLimitGives429WithRetryAfterThenRecovers) {
    Refusals refusals;
    ServerOptions options;
    options.rate_per_second = 20;
    options.rate_burst = 2;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    HttpClient client(PlainClient());
    std::string url = BaseUrl(*server) + "/hello";
    std::vector<unsigned> statuses;
    for (int i = 0; i < 3; ++i) {
        auto r = client.Send("GET", url, "");
        ASSERT_TRUE(r.has_value()) << r.error().ToString();
        statuses.push_back(r->status);
        if (r->status == 429) {
            EXPECT_EQ(r->Header("Retry-After"), "1");
            EXPECT_EQ(ErrorCodeOf(*r), "rate_limited");
        }
    }
    EXPECT_EQ(statuses, (std::vector<unsigned>{200, 200, 429}));
    EXPECT_EQ(refusals.Count("rate_limited"), 1);
    std::this_thread::sleep_for(200ms);  // refills 4 tokens at 20/s
    auto again = client.Send("GET", url, "");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 200u);
}

TEST(Server, MaxConnectionsAnswers503ThenServesWhenASlotIsFree) {
    Refusals refusals;
    ServerOptions options;
    options.max_connections = 1;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(EchoRouter(), options);
    ASSERT_TRUE(server);
    auto holder = std::make_unique<RawSocket>(server->Port());
    ASSERT_TRUE(holder->Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string reply;
    ASSERT_TRUE(holder->ReadUntil(reply, "world", kPatience));  // it holds the only slot

    HttpClient client(PlainClient());
    auto refused = client.Send("GET", BaseUrl(*server) + "/hello", "");
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 503u);
    EXPECT_EQ(ErrorCodeOf(*refused), "too_many_connections");
    EXPECT_EQ(refusals.Count("too_many_connections"), 1);

    holder.reset();
    // The slot is released asynchronously once the server notices the close.
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    unsigned status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        auto r = client.Send("GET", BaseUrl(*server) + "/hello", "");
        ASSERT_TRUE(r.has_value());
        status = r->status;
        if (status == 200) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(status, 200u);
}

TEST(Server, BlockingHandlerDoesNotStallOtherConnections) {
    std::mutex mu;
    std::condition_variable cv;
    bool release = false;
    bool slow_entered = false;
    Router router = EchoRouter();
    router.Add("GET", "/slow", [&](Request&) {
        std::unique_lock lock(mu);
        slow_entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return Json(200, "\"slow\"");
    });
    ServerOptions options;
    options.io_threads = 1;  // the strongest case: one I/O thread
    auto server = StartPlain(std::move(router), options);
    ASSERT_TRUE(server);
    std::string base = BaseUrl(*server);
    std::thread slow_thread([&] {
        HttpClient client(PlainClient());
        auto r = client.Send("GET", base + "/slow", "");
        EXPECT_TRUE(r.has_value() && r->status == 200);
    });
    {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return slow_entered; });
    }
    HttpClient client(PlainClient());
    auto fast = client.Send("GET", base + "/hello", "");
    ASSERT_TRUE(fast.has_value());
    EXPECT_EQ(fast->status, 200u);
    {
        std::lock_guard lock(mu);
        EXPECT_FALSE(release) << "the fast request was served while the slow one was blocked";
        release = true;
    }
    cv.notify_all();
    slow_thread.join();
}

TEST(Server, HandlerExceptionBecomes500AndIsLogged) {
    Router router;
    router.Add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("boom"); });
    auto server = StartPlain(std::move(router));
    ASSERT_TRUE(server);
    std::ostringstream captured;
    log::Configure(&captured, log::Level::kInfo);
    HttpClient client(PlainClient());
    auto r = client.Send("GET", BaseUrl(*server) + "/boom", "");
    server->Stop();
    log::Configure(&std::cerr, log::Level::kInfo);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 500u);
    EXPECT_EQ(ErrorCodeOf(*r), "internal");
    const std::string lines = captured.str();
    EXPECT_NE(lines.find("\"handler_failed\""), std::string::npos) << lines;
    EXPECT_NE(lines.find("boom"), std::string::npos) << lines;
}

TEST(Server, MalformedRequestIs400) {
    auto server = StartPlain(EchoRouter());
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Send("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n"));
    std::string reply;
    EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience));
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
}

// RFC 9112 §6.1, §6.3: anything but exactly one "Transfer-Encoding: chunked" without
// Content-Length is refused with 400 and a closed connection; the bytes after the body must
// never be served as a second request (request smuggling).
TEST(Server, AmbiguousFramingIs400AndNothingAfterItIsServed) {
    const std::vector<std::string> framings = {
        "Transfer-Encoding: identity\r\nContent-Length: 5\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: identity\r\n",
        "Transfer-Encoding: gzip\r\n",
        "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: xchunked\r\n",
        "Transfer-Encoding: chunked, gzip\r\n",
        "Transfer-Encoding: gzip, chunked\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    };
    std::atomic<int> smuggled{0};
    Router router = EchoRouter();
    router.Add("GET", "/smuggled", [&smuggled](Request&) {
        smuggled.fetch_add(1);
        return Json(200, "{\"smuggled\":true}");
    });
    Refusals refusals;
    ServerOptions options;
    options.on_refusal = refusals.Callback();
    auto server = StartPlain(std::move(router), options);
    ASSERT_TRUE(server);
    for (const auto& framing : framings) {
        RawSocket socket(server->Port());
        ASSERT_TRUE(socket.Connected());
        ASSERT_TRUE(socket.Send(
            "POST /echo HTTP/1.1\r\nHost: x\r\n" + framing +
            "\r\nhello"
            "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        ));
        std::string reply;
        EXPECT_TRUE(socket.ReadUntilClosed(reply, kPatience)) << framing;
        EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << framing << reply;
        EXPECT_NE(reply.find("bad_request"), std::string::npos) << framing << reply;
        EXPECT_EQ(reply.find("smuggled"), std::string::npos) << framing << reply;
        EXPECT_EQ(reply.find("HTTP/1.1 200"), std::string::npos) << framing << reply;
    }
    EXPECT_EQ(smuggled.load(), 0);
    EXPECT_EQ(
        refusals.WaitFor("bad_request", static_cast<int>(framings.size())),
        static_cast<int>(framings.size())
    );

    // Exactly "chunked" (any case) still works, and keep-alive after it too.
    RawSocket socket(server->Port());
    ASSERT_TRUE(
        socket.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                    "5\r\nhello\r\n0\r\n\r\n"
                    "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
    );
    std::string reply;
    ASSERT_TRUE(socket.ReadUntil(reply, "{\"smuggled\":true}", kPatience)) << reply;
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
    EXPECT_NE(reply.find("hello"), std::string::npos);
    EXPECT_EQ(smuggled.load(), 1);
}

TEST(Server, StopWhileRequestsAreInFlightIsClean) {
    Router router = EchoRouter();
    router.Add("GET", "/work", [](Request&) {
        std::this_thread::sleep_for(2ms);
        return Json(200, "1");
    });
    auto server = StartPlain(std::move(router));
    ASSERT_TRUE(server);
    std::string base = BaseUrl(*server);
    std::atomic<int> ok{0};
    std::atomic<int> served_before_stop{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&] {
            ClientOptions options = PlainClient();
            options.timeout = 5s;
            HttpClient client(options);
            while (!stop.load()) {
                auto r = client.Send("GET", base + "/work", "");
                if (r.has_value()) {
                    EXPECT_EQ(r->status, 200u);
                    ok.fetch_add(1);
                    served_before_stop.fetch_add(1);
                } else {
                    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
                }
            }
        });
    }
    while (served_before_stop.load() < 20) {
        std::this_thread::sleep_for(1ms);
    }
    std::thread stopper([&] { server->Stop(); });
    server->Stop();  // concurrently with the other Stop: both return after a full stop
    stopper.join();
    stop.store(true);
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_GE(ok.load(), 20);
    HttpClient client(PlainClient());
    auto after = client.Send("GET", base + "/hello", "");
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace concord::net
