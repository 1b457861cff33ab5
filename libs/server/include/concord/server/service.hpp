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

/// A running node: store, audit log, federation node, two HTTPS listeners (the federation
/// endpoints /fed/v1 on `http.listen`; the local API /api/v1 and, when enabled, /metrics on
/// `api.listen`; /healthz on both), and the background work (directory reload and witnessing,
/// each on its own thread). What `concordd` runs.
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

    /// The bound federation port (the ephemeral one when the config said port 0).
    [[nodiscard]] std::uint16_t Port() const;
    /// The bound local API port.
    [[nodiscard]] std::uint16_t ApiPort() const;
    /// Stops serving and joins every thread. Idempotent.
    void Stop();

    /// Every (method, path pattern) the node serves on either listener (with /metrics), for the
    /// OpenAPI consistency test.
    static std::vector<std::pair<std::string, std::string>> Routes();

    /// One local API route and the action (app/policy.hpp) a caller must be allowed; an empty
    /// action marks a route open to every client of the listener (/healthz, /metrics).
    struct RouteAction {
        std::string method;
        std::string pattern;
        std::string action;
    };
    /// Every route of the local API listener with its action, for the permission matrix test.
    static std::vector<RouteAction> ApiRouteActions();

    struct Impl;

private:
    explicit NodeService(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace concord::server
