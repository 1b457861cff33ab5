#include "concord/core/concurrency_limit.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace concord {
namespace {

TEST(ConcurrencyLimit, RefusesBeyondTheLimitAndGivesSlotsBack) {
    ConcurrencyLimit limit(2);
    auto first = limit.TryEnter();
    auto second = limit.TryEnter();
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(limit.TryEnter().has_value());
    EXPECT_EQ(limit.InUse(), 2);
    first.reset();
    EXPECT_EQ(limit.InUse(), 1);
    auto third = limit.TryEnter();
    EXPECT_TRUE(third.has_value());
    EXPECT_FALSE(limit.TryEnter().has_value());
}

TEST(ConcurrencyLimit, AMovedSlotIsGivenBackOnce) {
    ConcurrencyLimit limit(1);
    {
        auto slot = limit.TryEnter();
        ASSERT_TRUE(slot.has_value());
        ConcurrencyLimit::Slot moved(std::move(*slot));
        slot.reset();
        EXPECT_EQ(limit.InUse(), 1);
    }
    EXPECT_EQ(limit.InUse(), 0);
}

TEST(ConcurrencyLimit, ALimitBelowOneMeansOne) {
    ConcurrencyLimit limit(0);
    EXPECT_EQ(limit.Slots(), 1);
    auto slot = limit.TryEnter();
    EXPECT_TRUE(slot.has_value());
    EXPECT_FALSE(limit.TryEnter().has_value());
}

TEST(ConcurrencyLimit, ManyThreadsNeverHoldMoreThanTheLimit) {
    ConcurrencyLimit limit(3);
    std::atomic<int> peak{0};
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                if (auto slot = limit.TryEnter()) {
                    granted.fetch_add(1);
                    int now = limit.InUse();
                    int seen = peak.load();
                    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
                    }
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_LE(peak.load(), 3);
    EXPECT_GT(granted.load(), 0);
    EXPECT_EQ(limit.InUse(), 0);
}

}  // namespace
}  // namespace concord
