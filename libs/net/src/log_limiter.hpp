#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "concord/core/mutex.hpp"

namespace concord::net::detail {

/// Rate limit for log lines: at most `burst` lines per `interval` for each key (a fixed reason
/// such as "accept_failed"); the others are counted and reported with the next line let through.
/// Thread-safe. Keys come from code, not from peers; still, at most `max_keys` are kept (further
/// keys share one bucket) so memory stays bounded.
class LogLimiter {
public:
    using Clock = std::chrono::steady_clock;

    LogLimiter(std::size_t burst, Clock::duration interval, std::size_t max_keys = 64);

    /// If a line for `key` may be written at `now`: the number of lines suppressed for this key
    /// since the last one written. Otherwise nullopt (the line is counted as suppressed).
    std::optional<std::uint64_t> Allow(std::string_view key, Clock::time_point now);

private:
    struct Window {
        Clock::time_point start;
        std::size_t written = 0;
        std::uint64_t suppressed = 0;
    };
    std::size_t burst_;
    Clock::duration interval_;
    std::size_t max_keys_;
    Mutex mu_;
    std::map<std::string, Window, std::less<>> windows_ CONCORD_GUARDED_BY(mu_);
};

}  // namespace concord::net::detail
