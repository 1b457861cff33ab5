#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/server/config.hpp"

namespace concord::server {

/// A running node: store, audit log, federation node, HTTPS server with the federation
/// endpoints (/fed/v1), the local API (/api/v1), /healthz and /metrics, and the background
/// work (directory reload, witnessing). What `concordd` runs.
///
/// Thread-safety: Start/Stop from one thread; everything else is internal.
class NodeService {
public:
    /// Loads keys, store, directory and the legal catalogue, binds the port and starts serving.
    /// Errors name the config key or file at fault.
    static Result<std::unique_ptr<NodeService>> Start(const Config& config);

    ~NodeService();
    NodeService(const NodeService&) = delete;
    NodeService& operator=(const NodeService&) = delete;

    /// The bound port (the ephemeral one when the config said port 0).
    [[nodiscard]] std::uint16_t port() const;
    /// Stops serving and joins every thread. Idempotent.
    void Stop();

    /// Every (method, path pattern) the node serves, for the OpenAPI consistency test.
    static std::vector<std::pair<std::string, std::string>> Routes();

    struct Impl;

private:
    explicit NodeService(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::server
