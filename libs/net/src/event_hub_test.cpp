#include "concord/net/event_hub.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace concord::net {
namespace {

TEST(EventHub, AssignsIncreasingIdsAndKeepsTheLastN) {
    EventHub hub(3);
    EXPECT_EQ(hub.LastId(), 0u);
    for (int i = 1; i <= 5; ++i) {
        EXPECT_EQ(hub.Publish("e", std::to_string(i)), static_cast<uint64_t>(i));
    }
    bool gap = false;
    auto all = hub.Since(0, &gap);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_TRUE(gap);
    EXPECT_EQ(all.front().id, 3u);
    EXPECT_EQ(all.back().data, "5");
    auto tail = hub.Since(3, &gap);
    EXPECT_FALSE(gap);
    ASSERT_EQ(tail.size(), 2u);
    EXPECT_EQ(tail[0].id, 4u);
    EXPECT_TRUE(hub.Since(5).empty());
}

TEST(EventHub, ListenersAreWokenOnPublishAndCloseAndNotAfterRemoval) {
    EventHub hub;
    int calls = 0;
    uint64_t handle = hub.AddListener([&] { ++calls; });
    hub.Publish("a", "1");
    EXPECT_EQ(calls, 1);
    hub.RemoveListener(handle);
    hub.Publish("a", "2");
    EXPECT_EQ(calls, 1);
    hub.AddListener([&] { ++calls; });
    hub.Close();
    EXPECT_EQ(calls, 2);
    EXPECT_TRUE(hub.Closed());
    EXPECT_EQ(hub.Publish("a", "3"), 0u);
}

TEST(EventHub, ConcurrentPublishersGetDistinctIds) {
    EventHub hub(10000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                hub.Publish("x", "y");
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    auto events = hub.Since(0);
    ASSERT_EQ(events.size(), 2000u);
    for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].id, i + 1);
    }
}

TEST(FormatEvent, SplitsMultiLineDataOnEveryLineEnding) {
    EXPECT_EQ(
        FormatEvent(Event{7, "arrival", "a\nb\r\nc\rd"}),
        "id: 7\nevent: arrival\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
    );
    EXPECT_EQ(FormatEvent(Event{1, "", ""}), "id: 1\ndata: \n\n");
    EXPECT_EQ(FormatEvent(Event{2, "", "x\n"}), "id: 2\ndata: x\ndata: \n\n");
}

TEST(EventStreamParser, RoundTripsFormattedEventsFedByteByByte) {
    std::vector<Event> in = {{1, "a", "one"}, {2, "", "two\nlines"}, {3, "b", "x\n"}};
    std::string wire = ": comment\n\n";
    for (const auto& e : in) {
        wire += FormatEvent(e);
    }
    std::vector<Event> out;
    EventStreamParser parser;
    for (char c : wire) {
        parser.Feed(std::string_view(&c, 1), [&](const Event& e) { out.push_back(e); });
    }
    ASSERT_EQ(out.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].id, in[i].id);
        EXPECT_EQ(out[i].event, in[i].event);
        EXPECT_EQ(out[i].data, in[i].data);
    }
}

TEST(EventStreamParser, AcceptsCrLfLineEndings) {
    std::vector<Event> out;
    EventStreamParser parser;
    parser.Feed("id: 9\r\nevent: e\r\ndata: a\r\ndata: b\r\n\r\n", [&](const Event& e) {
        out.push_back(e);
    });
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].id, 9u);
    EXPECT_EQ(out[0].data, "a\nb");
}

}  // namespace
}  // namespace concord::net
