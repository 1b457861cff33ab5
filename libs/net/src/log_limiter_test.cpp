#include "log_limiter.hpp"

#include <gtest/gtest.h>

namespace concord::net::detail {
namespace {

using namespace std::chrono_literals;

TEST(LogLimiter, LetsABurstThroughPerIntervalAndCountsTheRest) {
    LogLimiter limiter(2, 10s);
    const auto t0 = LogLimiter::Clock::time_point{} + 1h;
    EXPECT_EQ(limiter.Allow("accept_failed", t0), 0u);
    EXPECT_EQ(limiter.Allow("accept_failed", t0), 0u);
    EXPECT_EQ(limiter.Allow("accept_failed", t0 + 1s), std::nullopt);
    EXPECT_EQ(limiter.Allow("accept_failed", t0 + 2s), std::nullopt);
    // Another key has its own window.
    EXPECT_EQ(limiter.Allow("session_failed", t0 + 2s), 0u);
    // The next window lets lines through again and reports what was dropped.
    EXPECT_EQ(limiter.Allow("accept_failed", t0 + 10s), 2u);
    EXPECT_EQ(limiter.Allow("accept_failed", t0 + 10s), 0u);
}

TEST(LogLimiter, KeysBeyondTheBoundShareOneWindow) {
    LogLimiter limiter(1, 10s, 2);
    const auto t0 = LogLimiter::Clock::time_point{} + 1h;
    EXPECT_EQ(limiter.Allow("a", t0), 0u);
    EXPECT_EQ(limiter.Allow("b", t0), 0u);
    EXPECT_EQ(limiter.Allow("c", t0), std::nullopt);  // "b" already took the shared window
    EXPECT_EQ(limiter.Allow("d", t0), std::nullopt);
}

}  // namespace
}  // namespace concord::net::detail
