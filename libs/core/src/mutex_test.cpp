#include "concord/core/mutex.hpp"

#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace concord {
namespace {

class Counter {
public:
    void Add() CONCORD_EXCLUDES(mu_) {
        MutexLock lock(mu_);
        ++value_;
    }
    int Value() CONCORD_EXCLUDES(mu_) {
        MutexLock lock(mu_);
        return value_;
    }

private:
    Mutex mu_;
    int value_ CONCORD_GUARDED_BY(mu_){0};
};

TEST(Mutex, MutexLockExcludesOtherThreads) {
    Counter counter;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&counter] {
            for (int i = 0; i < 10000; ++i) {
                counter.Add();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(counter.Value(), 40000);
}

TEST(Mutex, ConditionVariableAnyWaitsOnAHeldMutex) {
    Mutex mu;
    std::condition_variable_any cv;
    bool ready = false;  // under mu
    std::thread setter([&] {
        MutexLock lock(mu);
        ready = true;
        cv.notify_all();
    });
    {
        MutexLock lock(mu);
        cv.wait(mu, [&] {
            mu.AssertHeld();
            return ready;
        });
        EXPECT_TRUE(ready);
    }
    setter.join();
}

TEST(Mutex, ConditionVariableAnyTimedWaitsReturnThePredicateHoldingTheMutex) {
    Mutex mu;
    std::condition_variable_any cv;
    bool ready = false;  // under mu
    MutexLock lock(mu);
    // Nobody notifies: each timed wait gives up and reports the predicate, false.
    EXPECT_FALSE(cv.wait_for(mu, std::chrono::milliseconds(1), [&] {
        mu.AssertHeld();
        return ready;
    }));
    EXPECT_FALSE(cv.wait_until(mu, std::chrono::steady_clock::now(), [&] {
        mu.AssertHeld();
        return ready;
    }));
    ready = true;  // the waits returned with mu held again; MutexLock releases it once
    EXPECT_TRUE(cv.wait_for(mu, std::chrono::milliseconds(1), [&] {
        mu.AssertHeld();
        return ready;
    }));
}

}  // namespace
}  // namespace concord
