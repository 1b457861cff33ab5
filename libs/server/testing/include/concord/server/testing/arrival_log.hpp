#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "concord/core/mutex.hpp"

namespace concord::server::testing {

/// Records when each "message.received" live event (by message id) reached a stream client, and
/// lets another thread wait for one: how the demo and the benchmark time arrivals.
/// Thread-safe.
class ArrivalLog {
public:
    using Clock = std::chrono::steady_clock;

    /// Feed it every event of a net::EventStreamClient (its `event` and `data`). Other events and
    /// data that is not a JSON object with a string "id" are ignored.
    void Record(std::string_view event, std::string_view data) CONCORD_EXCLUDES(mu_);
    /// When message `id` arrived, waiting up to `limit`; nullopt if it did not.
    std::optional<Clock::time_point> Wait(const std::string& id, std::chrono::milliseconds limit)
        CONCORD_EXCLUDES(mu_);

private:
    Mutex mu_;
    std::condition_variable_any cv_;
    std::map<std::string, Clock::time_point> seen_ CONCORD_GUARDED_BY(mu_);
};

}  // namespace concord::server::testing
