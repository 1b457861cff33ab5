#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "concord/net/client.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/server.hpp"
#include "concord/net/tls.hpp"

#include "test_util.hpp"

namespace concord::net {
namespace {

using namespace std::chrono_literals;
using testing::BaseUrl;
using testing::kPatience;
using testing::RawSocket;
using testing::StartPlain;

// Collects events from the client thread; waits for a count.
struct Collector {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Event> events;

    std::function<void(const Event&)> Callback() {
        return [this](const Event& e) {
            std::lock_guard lock(mu);
            events.push_back(e);
            cv.notify_all();
        };
    }
    std::vector<Event> WaitFor(size_t n) {
        std::unique_lock lock(mu);
        cv.wait_for(lock, kPatience, [&] { return events.size() >= n; });
        return events;
    }
};

Router HubRouter(std::shared_ptr<EventHub> hub) {
    Router router;
    router.Add("GET", "/events", [hub](Request&) {
        Response response;
        response.event_stream = hub;
        return response;
    });
    return router;
}

ClientOptions PlainClient() {
    ClientOptions options;
    options.allow_plain_http = true;
    return options;
}

TEST(EventStream, EventsArriveInOrderWithMultiLineData) {
    auto hub = std::make_shared<EventHub>();
    auto server = StartPlain(HubRouter(hub));
    ASSERT_TRUE(server);
    Collector collector;
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/events", PlainClient(), {}, collector.Callback()
    );
    ASSERT_TRUE(client.has_value()) << client.error().ToString();
    hub->Publish("arrival", "first");
    hub->Publish("arrival", "line one\nline two\r\nline three");
    hub->Publish("", "{\"n\":3}");
    auto events = collector.WaitFor(3);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].id, 1u);
    EXPECT_EQ(events[0].event, "arrival");
    EXPECT_EQ(events[0].data, "first");
    EXPECT_EQ(events[1].id, 2u);
    EXPECT_EQ(events[1].data, "line one\nline two\nline three");
    EXPECT_EQ(events[2].id, 3u);
    EXPECT_EQ(events[2].event, "");
    EXPECT_EQ(events[2].data, "{\"n\":3}");
    (*client)->Stop();
    EXPECT_TRUE((*client)->Done());
}

TEST(EventStream, LastEventIdReplaysWhatWasMissed) {
    auto hub = std::make_shared<EventHub>();
    for (int i = 1; i <= 5; ++i) {
        hub->Publish("n", std::to_string(i));
    }
    auto server = StartPlain(HubRouter(hub));
    ASSERT_TRUE(server);
    Collector collector;
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/events", PlainClient(), {{"Last-Event-ID", "2"}}, collector.Callback()
    );
    ASSERT_TRUE(client.has_value()) << client.error().ToString();
    hub->Publish("n", "6");
    auto events = collector.WaitFor(4);
    ASSERT_EQ(events.size(), 4u);
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(events[i].id, i + 3);
        EXPECT_EQ(events[i].data, std::to_string(i + 3));
    }
}

TEST(EventStream, WithoutLastEventIdOnlyNewEventsArrive) {
    auto hub = std::make_shared<EventHub>();
    hub->Publish("old", "x");
    auto server = StartPlain(HubRouter(hub));
    ASSERT_TRUE(server);
    Collector collector;
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/events", PlainClient(), {}, collector.Callback()
    );
    ASSERT_TRUE(client.has_value());
    hub->Publish("new", "y");
    auto events = collector.WaitFor(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event, "new");
}

TEST(EventStream, StreamEndsWhenTheServerStops) {
    auto hub = std::make_shared<EventHub>();
    auto server = StartPlain(HubRouter(hub));
    ASSERT_TRUE(server);
    Collector collector;
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/events", PlainClient(), {}, collector.Callback()
    );
    ASSERT_TRUE(client.has_value());
    EXPECT_FALSE((*client)->Done());
    server->Stop();
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!(*client)->Done() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE((*client)->Done());
}

TEST(EventStream, StreamEndsWhenTheHubCloses) {
    auto hub = std::make_shared<EventHub>();
    auto server = StartPlain(HubRouter(hub));
    ASSERT_TRUE(server);
    Collector collector;
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/events", PlainClient(), {}, collector.Callback()
    );
    ASSERT_TRUE(client.has_value());
    hub->Publish("last", "1");
    hub->Close();
    auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!(*client)->Done() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_TRUE((*client)->Done());
    auto events = collector.WaitFor(1);
    ASSERT_EQ(events.size(), 1u) << "pending events are written before the stream ends";
    EXPECT_EQ(events[0].event, "last");
}

TEST(EventStream, HeartbeatCommentsAreSent) {
    auto hub = std::make_shared<EventHub>();
    ServerOptions options;
    options.heartbeat_interval = 50ms;
    auto server = StartPlain(HubRouter(hub), options);
    ASSERT_TRUE(server);
    RawSocket socket(server->Port());
    ASSERT_TRUE(socket.Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string reply;
    ASSERT_TRUE(socket.ReadUntil(reply, ": heartbeat\n\n", kPatience)) << reply;
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n"));
    EXPECT_NE(reply.find("Content-Type: text/event-stream"), std::string::npos);
}

TEST(EventStream, WorksOverTls) {
    auto identity = GenerateSelfSignedCertificate("n", {"127.0.0.1"}, std::chrono::hours(1));
    ASSERT_TRUE(identity.has_value());
    auto hub = std::make_shared<EventHub>();
    ServerOptions options;
    options.tls_cert_pem = identity->cert_pem;
    options.tls_key_pem = identity->key_pem;
    auto server = Server::Start(options, HubRouter(hub));
    ASSERT_TRUE(server.has_value());
    ClientOptions client_options;
    client_options.pinned_cert_sha256 = identity->sha256_fingerprint;
    Collector collector;
    auto client = EventStreamClient::Connect(
        "https://127.0.0.1:" + std::to_string((*server)->Port()) + "/events",
        client_options,
        {},
        collector.Callback()
    );
    ASSERT_TRUE(client.has_value()) << client.error().ToString();
    hub->Publish("e", "over tls");
    auto events = collector.WaitFor(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, "over tls");
    (*server)->Stop();
}

TEST(EventStream, ConnectToANonStreamFails) {
    Router router;
    router.Add("GET", "/plain", [](Request&) { return Json(200, "{}"); });
    auto server = StartPlain(std::move(router));
    ASSERT_TRUE(server);
    auto client = EventStreamClient::Connect(
        BaseUrl(*server) + "/plain", PlainClient(), {}, [](const Event&) {}
    );
    ASSERT_FALSE(client.has_value());
    EXPECT_EQ(client.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace concord::net
