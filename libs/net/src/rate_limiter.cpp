#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace concord::net::detail {

RateLimiter::RateLimiter(double rate, double burst, size_t max_keys)
    : rate_(rate), burst_(std::max(burst, 1.0)), max_keys_(max_keys) {}

long RateLimiter::Acquire(const std::string& key, Clock::time_point now) {
    if (rate_ <= 0) {
        return 0;
    }
    MutexLock lock(mu_);
    auto refill = [&](Bucket& b) {
        double elapsed = std::chrono::duration<double>(now - b.last).count();
        if (elapsed > 0) {
            b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
            b.last = now;
        }
    };
    if (buckets_.size() >= max_keys_ && buckets_.find(key) == buckets_.end()) {
        for (auto it = buckets_.begin(); it != buckets_.end();) {
            refill(it->second);
            it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
        }
    }
    auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& bucket = it->second;
    refill(bucket);
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
    }
    return std::max(1L, static_cast<long>(std::ceil((1 - bucket.tokens) / rate_)));
}

}  // namespace concord::net::detail
