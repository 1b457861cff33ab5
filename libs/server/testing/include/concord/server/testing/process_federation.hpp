#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/server/init.hpp"
#include "concord/server/testing/api_client.hpp"

#include <sys/types.h>

namespace concord::server::testing {

/// One concordd process of a ProcessFederation.
struct ProcessNode {
    std::string id;
    std::string party;
    std::string role;  ///< directory role, e.g. "central_authority"
    std::uint16_t port{0};
    std::uint16_t api_port{0};
    std::filesystem::path dir;
    InitResult init;
    pid_t pid{-1};

    /// A client of the node's local API with the node token.
    [[nodiscard]] std::unique_ptr<ApiClient> NodeApi() const;
};

/// concordd processes on loopback under one signed directory, for the benchmarks: each node is
/// initialised under `root` (fast key derivation, ports from ReservePort), `configure` may append
/// to its config, then all are started and waited for until healthy. Destroying the federation
/// stops them (SIGTERM, then SIGKILL after a minute).
class ProcessFederation {
public:
    struct Spec {
        std::string id;
        std::string party;
        std::string role;
    };

    /// kUnavailable naming the node that did not come up (its log is in its folder).
    static Result<std::unique_ptr<ProcessFederation>> Start(
        const std::filesystem::path& root,
        const std::vector<Spec>& specs,
        const std::filesystem::path& concordd,
        const std::function<void(ProcessNode&)>& configure = {}
    );
    ~ProcessFederation();
    ProcessFederation(const ProcessFederation&) = delete;
    ProcessFederation& operator=(const ProcessFederation&) = delete;

    [[nodiscard]] const std::vector<ProcessNode>& Nodes() const { return nodes_; }
    [[nodiscard]] const ProcessNode& Node(std::size_t i) const { return nodes_.at(i); }

private:
    ProcessFederation() = default;
    std::vector<ProcessNode> nodes_;
};

}  // namespace concord::server::testing
