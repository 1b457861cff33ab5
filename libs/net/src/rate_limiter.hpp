#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "concord/core/mutex.hpp"

namespace concord::net::detail {

/// Token buckets keyed by remote IP: each key holds up to `burst` tokens, refilled at `rate` per
/// second; a request takes one. Thread-safe. A rate <= 0 disables limiting. Memory is bounded:
/// when the table exceeds `max_keys`, buckets that are full again (idle clients) are dropped.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    RateLimiter(double rate, double burst, size_t max_keys = 65536);

    /// 0 if a token was taken; otherwise the whole seconds to wait before retrying (>= 1).
    long Acquire(const std::string& key, Clock::time_point now);

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point last;
    };
    double rate_;
    double burst_;
    size_t max_keys_;
    Mutex mu_;
    std::unordered_map<std::string, Bucket> buckets_ CONCORD_GUARDED_BY(mu_);
};

}  // namespace concord::net::detail
