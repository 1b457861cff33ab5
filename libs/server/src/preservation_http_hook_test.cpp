#include "preservation_http_hook.hpp"

#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "concord/net/http.hpp"
#include "concord/net/server.hpp"

namespace concord::server {
namespace {

const std::string kHash(64, 'b');

// A local hook service on 127.0.0.1: /ok answers the result, /garbage text, /fail 500, /slow
// waits past the hook's timeout. It keeps the last body it was sent.
class HookServer {
public:
    HookServer() {
        net::Router router;
        router.Add("POST", "/ok", [this](net::Request& r) {
            std::scoped_lock lock(mu_);
            last_body_ = r.body;
            return net::Json(200, R"({"reference":"HTTP-1","sha256":")" + kHash + R"("})");
        });
        router.Add("POST", "/garbage", [](net::Request&) { return net::Json(200, "[1,2]"); });
        router.Add("POST", "/fail", [](net::Request&) {
            return net::Json(500, R"({"error":"vault offline"})");
        });
        router.Add("POST", "/slow", [](net::Request&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            return net::Json(200, "{}");
        });
        net::ServerOptions options;
        options.allow_plain_http = true;
        auto server = net::Server::Start(options, std::move(router));
        EXPECT_TRUE(server) << server.error().ToString();
        server_ = std::move(*server);
    }
    [[nodiscard]] std::string Url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server_->Port()) + path;
    }
    std::string LastBody() {
        std::scoped_lock lock(mu_);
        return last_body_;
    }

private:
    std::mutex mu_;
    std::string last_body_;  // GUARDED_BY(mu_): written on the server's handler thread
    std::unique_ptr<net::Server> server_;
};

TEST(HttpPreservationHook, PostsTheOrderAndReadsTheResult) {
    HookServer server;
    auto hook = MakeHttpPreservationHook(server.Url("/ok"), std::chrono::seconds(10));
    ASSERT_TRUE(hook) << hook.error().ToString();
    EXPECT_EQ((*hook)->Kind(), "http");
    auto result = (*hook)->Run(R"({"message_id":"m"})");
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->reference, "HTTP-1");
    EXPECT_EQ(result->sha256, kHash);
    EXPECT_EQ(server.LastBody(), R"({"message_id":"m"})");
}

TEST(HttpPreservationHook, EveryFailureIsTyped) {
    HookServer server;
    struct Case {
        std::string path;
        app::HookFailure failure;
    };
    for (const Case& c :
         {Case{"/garbage", app::HookFailure::kMalformedOutput},
          Case{"/fail", app::HookFailure::kHttpStatus},
          Case{"/slow", app::HookFailure::kUnreachable}}) {
        auto hook = MakeHttpPreservationHook(server.Url(c.path), std::chrono::milliseconds(300));
        ASSERT_TRUE(hook);
        auto result = (*hook)->Run("{}");
        ASSERT_FALSE(result) << c.path;
        EXPECT_EQ(result.error().failure, c.failure) << c.path << ": " << result.error().message;
        if (c.failure == app::HookFailure::kHttpStatus) {
            EXPECT_EQ(result.error().exit_status, 500);
            EXPECT_EQ(result.error().diagnostics, R"({"error":"vault offline"})");
        }
    }
    // Nothing listens on port 1.
    auto closed = MakeHttpPreservationHook("http://127.0.0.1:1/x", std::chrono::seconds(5));
    ASSERT_TRUE(closed);
    auto refused = (*closed)->Run("{}");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().failure, app::HookFailure::kUnreachable);
}

TEST(HttpPreservationHook, OnlyLoopbackHttpIsAccepted) {
    for (const char* url :
         {"http://10.0.0.1:80/", "https://127.0.0.1:80/", "http://localhost:80/", "not a url"}) {
        EXPECT_FALSE(MakeHttpPreservationHook(url, std::chrono::seconds(1))) << url;
    }
    EXPECT_TRUE(MakeHttpPreservationHook("http://[::1]:8080/freeze", std::chrono::seconds(1)));
    EXPECT_FALSE(MakeHttpPreservationHook("http://127.0.0.1:80/", std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace concord::server
