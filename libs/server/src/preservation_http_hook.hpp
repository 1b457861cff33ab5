#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "concord/app/preservation_hook.hpp"
#include "concord/core/result.hpp"

namespace concord::server {

/// A preservation hook that POSTs the order (JSON) to a local URL and reads the result from a
/// 200 answer (docs/operations.md "Preservation hook"). Only plain http:// on 127.0.0.1 or [::1]
/// is accepted: the hook runs on the provider's own machine.
/// kInvalidArgument for any other URL or a non-positive timeout.
Result<std::unique_ptr<app::PreservationHook>> MakeHttpPreservationHook(
    const std::string& url, std::chrono::milliseconds timeout
);

}  // namespace concord::server
