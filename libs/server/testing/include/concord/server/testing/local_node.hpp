#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"

#include <sys/types.h>

namespace concord::server::testing {

/// Running `concordd` processes of a federation on one machine: what `concord demo`, the
/// functional tests and the benchmarks share. Part of `concord::server_testing`, which `concordd`
/// does not link (docs/architecture.md §Test and demo support).

/// The concordd binary: `given` if not empty, else $CONCORD_CONCORDD, else beside the running
/// program (same folder, ../concordd/ or ../apps/concordd/ as in the build tree), else
/// "concordd" on the PATH.
std::filesystem::path FindConcordd(const std::string& given = "");

/// Starts `argv` (argv[0] is looked up on the PATH unless it has a '/') with standard output and
/// error appended to `log`. `extra_env` ("NAME=value") is added to this process's environment,
/// from which any CONCORD_FAILPOINT is removed first. kUnavailable if it cannot be started.
Result<pid_t> SpawnProcess(
    const std::vector<std::string>& argv,
    const std::filesystem::path& log,
    const std::vector<std::string>& extra_env = {}
);

/// SpawnProcess of `concordd --config CONFIG`.
Result<pid_t> SpawnConcordd(
    const std::filesystem::path& concordd,
    const std::filesystem::path& config,
    const std::filesystem::path& log,
    const std::vector<std::string>& extra_env = {}
);

/// Polls https://127.0.0.1:PORT/healthz (pinned to `tls_sha256`) until it answers 200.
/// kUnavailable if the process exits first (naming `log`) or `limit` passes.
Result<void> WaitHealthy(
    pid_t pid, std::uint16_t port, const std::string& tls_sha256, std::chrono::seconds limit
);

/// Sends SIGTERM and waits up to `limit`, then SIGKILL. Returns the wait status.
int TerminateProcess(pid_t pid, std::chrono::seconds limit);

/// The signed directory (canonical JSON text) listing `parties` and `nodes` under `serial`.
Result<std::string> SignedDirectory(
    std::uint64_t serial,
    const std::vector<federation::Party>& parties,
    const std::vector<federation::NodeEntry>& nodes,
    const crypto::SigningKey& key
);

}  // namespace concord::server::testing
