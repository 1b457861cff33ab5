#include "rate_limiter.hpp"

#include <gtest/gtest.h>

namespace concord::net::detail {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, AllowsBurstThenRefusesThenRefills) {
    RateLimiter limiter(2, 3);
    auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(limiter.Acquire("1.2.3.4", t0), 0);
    }
    EXPECT_EQ(limiter.Acquire("1.2.3.4", t0), 1);
    EXPECT_EQ(limiter.Acquire("5.6.7.8", t0), 0) << "buckets are per key";
    EXPECT_EQ(limiter.Acquire("1.2.3.4", t0 + milliseconds(500)), 0);
    EXPECT_EQ(limiter.Acquire("1.2.3.4", t0 + milliseconds(500)), 1);
}

TEST(RateLimiter, RetryAfterCoversTheWait) {
    RateLimiter limiter(0.1, 1);
    auto t0 = RateLimiter::Clock::now();
    EXPECT_EQ(limiter.Acquire("k", t0), 0);
    EXPECT_EQ(limiter.Acquire("k", t0), 10);
}

TEST(RateLimiter, ZeroRateDisablesLimiting) {
    RateLimiter limiter(0, 1);
    auto t0 = RateLimiter::Clock::now();
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(limiter.Acquire("k", t0), 0);
    }
}

TEST(RateLimiter, DropsIdleKeysWhenTheTableIsFull) {
    RateLimiter limiter(1000, 1, 2);
    auto t0 = RateLimiter::Clock::now();
    EXPECT_EQ(limiter.Acquire("a", t0), 0);
    EXPECT_EQ(limiter.Acquire("b", t0), 0);
    // Both refilled after 10 ms, so adding "c" evicts them instead of growing.
    EXPECT_EQ(limiter.Acquire("c", t0 + milliseconds(10)), 0);
    EXPECT_EQ(limiter.Acquire("c", t0 + milliseconds(10)), 1);
}

}  // namespace
}  // namespace concord::net::detail
