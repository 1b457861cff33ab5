#include "concord/server/testing/arrival_log.hpp"

#include "concord/federation/signed_json.hpp"

namespace concord::server::testing {

void ArrivalLog::Record(std::string_view event, std::string_view data) {
    if (event != "message.received") {
        return;
    }
    const auto now = Clock::now();
    auto object = federation::ParseObject(data);
    if (!object) {
        return;
    }
    auto id = federation::GetString(*object, "id");
    if (!id) {
        return;
    }
    {
        MutexLock lock(mu_);
        seen_.emplace(*id, now);
    }
    cv_.notify_all();
}

std::optional<ArrivalLog::Clock::time_point> ArrivalLog::Wait(
    const std::string& id, std::chrono::milliseconds limit
) {
    MutexLock lock(mu_);
    cv_.wait_for(mu_, limit, [&] {
        mu_.AssertHeld();
        return seen_.contains(id);
    });
    const auto it = seen_.find(id);
    return it == seen_.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace concord::server::testing
