#pragma once

#include <cstdint>

#include "concord/core/result.hpp"

namespace concord::server::testing {

/// A TCP port on 127.0.0.1 that this process holds until it exits, for a node a test is about to
/// start (nodes need their ports before they start: the signed directory names their endpoints).
///
/// Tests run in parallel processes, so "free a moment ago" is not enough: two processes could
/// pick the same port, or an outgoing connection could take it. Ports are therefore drawn from
/// 20000–31999, below the kernel's ephemeral range (32768+), and each one is claimed with an
/// exclusive lock on a file named after it in the temporary directory; the lock is held for the
/// life of the process and released by the kernel when the process ends, however it ends. A port
/// is handed out only if its lock was won and it can be bound at that moment.
/// kUnavailable if no port could be claimed after many tries.
Result<std::uint16_t> ReservePort();

}  // namespace concord::server::testing
