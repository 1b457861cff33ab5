#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/http.hpp"
#include "concord/net/metrics.hpp"
#include "concord/net/server.hpp"
#include "concord/server/config.hpp"
#include "concord/server/service.hpp"
#include "concord/store/store.hpp"

#include "http_transport.hpp"

namespace concord::server {

struct NodeService::Impl {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<HttpTransport> transport;
    std::unique_ptr<federation::Node> node;
    std::optional<legal::Catalog> catalog;
    std::shared_ptr<net::EventHub> events = std::make_shared<net::EventHub>(4096);
    net::Metrics metrics;
    net::Histogram* delivery_latency{nullptr};
    net::Counter* http_refusals[8]{};  // one per kHttpRefusalReasons entry
    std::unique_ptr<net::Server> server;

    // Background work: directory reload and witnessing.
    std::mutex mu;
    std::condition_variable cv;
    bool stopping{false};  // GUARDED_BY(mu)
    std::thread background;
    std::string directory_text;  // the signed directory last loaded (background thread only)

    void BackgroundLoop();
    /// Reloads the directory if the file changed; keeps the old one on any problem.
    void ReloadDirectory();
    void RegisterMetrics();
};

/// Handler pools of the federation routes (/fed/*): their own threads, so local API work never
/// delays an intake; envelopes a sender marks `Concord-Priority: emergency` get another pool.
inline constexpr const char* kFederationPool = "federation";
inline constexpr const char* kEmergencyPool = "emergency";

/// Adds /healthz, /metrics, /fed/v1/* and /api/v1/* to `router`.
void AddRoutes(net::Router& router, NodeService::Impl& service);

/// Reads and verifies the signed directory file named by the config.
Result<federation::Directory> LoadDirectory(const Config& config, std::string* text);

}  // namespace concord::server
