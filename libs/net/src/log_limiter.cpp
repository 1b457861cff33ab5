#include "log_limiter.hpp"

namespace concord::net::detail {

LogLimiter::LogLimiter(std::size_t burst, Clock::duration interval, std::size_t max_keys)
    : burst_(burst), interval_(interval), max_keys_(max_keys < 1 ? 1 : max_keys) {}

std::optional<std::uint64_t> LogLimiter::Allow(std::string_view key, Clock::time_point now) {
    MutexLock lock(mu_);
    auto it = windows_.find(key);
    if (it == windows_.end()) {
        std::string name(windows_.size() + 1 < max_keys_ ? key : std::string_view("(other)"));
        it = windows_.try_emplace(std::move(name), Window{now, 0, 0}).first;
    }
    Window& window = it->second;
    if (now - window.start >= interval_) {
        window.start = now;
        window.written = 0;
    }
    if (window.written >= burst_) {
        ++window.suppressed;
        return std::nullopt;
    }
    ++window.written;
    const std::uint64_t suppressed = window.suppressed;
    window.suppressed = 0;
    return suppressed;
}

}  // namespace concord::net::detail
