#include "concord/server/testing/arrival_log.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace concord::server::testing {
namespace {

using std::chrono::milliseconds;

TEST(ArrivalLog, RecordsOnlyReceivedEventsWithAnId) {
    ArrivalLog log;
    log.Record("message.delivered", R"({"id":"a"})");
    log.Record("message.received", "not json");
    log.Record("message.received", R"({"id":7})");
    log.Record("message.received", R"({"id":"b"})");
    EXPECT_FALSE(log.Wait("a", milliseconds(0)));
    EXPECT_FALSE(log.Wait("7", milliseconds(0)));
    EXPECT_TRUE(log.Wait("b", milliseconds(0)));
}

TEST(ArrivalLog, KeepsTheFirstArrivalOfAnId) {
    ArrivalLog log;
    log.Record("message.received", R"({"id":"x"})");
    const auto first = log.Wait("x", milliseconds(0));
    log.Record("message.received", R"({"id":"x"})");
    ASSERT_TRUE(first);
    EXPECT_EQ(log.Wait("x", milliseconds(0)), first);
}

TEST(ArrivalLog, WaitWakesWhenAnotherThreadRecords) {
    ArrivalLog log;
    std::thread feeder([&] { log.Record("message.received", R"({"id":"late"})"); });
    // The limit only bounds a failing run; the wait returns as soon as the record lands.
    const auto seen = log.Wait("late", std::chrono::minutes(5));
    feeder.join();
    EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace concord::server::testing
