// A federation of real concordd processes on loopback for functional tests: node folders made
// with server::InitNode, one signed directory, processes started, stopped and killed by the test,
// and small clients of the local API (/api/v1) and the federation API (/fed/v1).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/federation/node.hpp"
#include "concord/ledger/log.hpp"
#include "concord/net/client.hpp"
#include "concord/server/init.hpp"
#include "concord/server/testing/api_client.hpp"

#include <sys/types.h>

namespace concord::functional {

/// Generous deadline for anything a node must eventually do (sanitizer builds are slow).
inline constexpr std::chrono::seconds kPatience{120};

/// The binaries under test.
std::filesystem::path ConcorddPath();
std::filesystem::path ConcordPath();

/// A free TCP port on 127.0.0.1 outside the ephemeral range (checked by binding it).
std::uint16_t FreePort();

/// An HTTP answer (the shared local-API client's).
using Reply = server::testing::ApiReply;

/// One message row of GET /api/v1/messages.
struct MessageRow {
    std::string id;
    std::string peer;
    std::string type;
    std::string status;
    std::int64_t attempts{0};
};

/// One concordd process and its node folder. Not thread-safe except Api/Fed with own clients.
class TestNode {
public:
    TestNode(std::string id, std::filesystem::path dir, std::uint16_t port);
    ~TestNode();
    TestNode(const TestNode&) = delete;
    TestNode& operator=(const TestNode&) = delete;

    [[nodiscard]] const std::string& Id() const { return id_; }
    [[nodiscard]] const std::filesystem::path& Dir() const { return dir_; }
    [[nodiscard]] std::uint16_t Port() const { return port_; }
    [[nodiscard]] std::string BaseUrl() const;
    /// The local API listener (api.listen): /api/v1 and /metrics.
    [[nodiscard]] std::uint16_t ApiPort() const { return api_port_; }
    [[nodiscard]] std::string ApiUrl() const;
    [[nodiscard]] const server::InitResult& Init() const { return init_; }
    [[nodiscard]] const federation::NodeEntry& Entry() const { return init_.entry; }
    [[nodiscard]] bool Running() const { return pid_ > 0; }
    [[nodiscard]] pid_t Pid() const { return pid_; }

    /// Creates the node folder (InitNode) with the federation's directory file and key.
    Result<void> Init(
        const std::string& party,
        const std::string& role,
        const std::filesystem::path& directory_file,
        const std::string& directory_key
    );
    /// Sets `key = value` (value is TOML text) in [section] of config.toml; before Start.
    Result<void> SetConfig(std::string_view section, std::string_view key, std::string_view value);

    /// Spawns concordd; `failpoint` is passed as CONCORD_FAILPOINT when not empty.
    Result<void> Spawn(const std::string& failpoint = "");
    /// Waits for /healthz 200. kUnavailable if the process exits or the deadline passes.
    Result<void> WaitHealthy(std::chrono::seconds limit = kPatience);
    /// Spawn then WaitHealthy.
    Result<void> Start(const std::string& failpoint = "");
    /// SIGTERM and wait (SIGKILL after the deadline). Returns the wait status.
    int Terminate();
    /// SIGKILL and wait.
    void Kill();
    /// If the process has exited by itself (e.g. at a failpoint), reaps it and returns true.
    bool Reap();
    /// Waits until the process exits by itself; false at the deadline.
    bool WaitExit(std::chrono::seconds limit = kPatience);

    /// The node's local-API client (shared with `concord demo` and the benchmarks).
    server::testing::ApiClient& Api() { return *api_; }
    /// A new client that pins this node's certificate (one per thread).
    [[nodiscard]] std::unique_ptr<net::HttpClient> NewClient() const;
    /// Calls the local API with the bearer token, on `client` (default: the node's own).
    Result<Reply> Api(
        std::string_view method,
        const std::string& path,
        std::string_view body = "",
        net::HttpClient* client = nullptr
    );
    /// Calls the federation listener without a token (federation routes, health).
    Result<Reply> Plain(
        std::string_view method,
        const std::string& path,
        std::string_view body = "",
        net::HttpClient* client = nullptr
    );

    /// Submits a message; returns the id on 201, or the error with the HTTP status and body.
    Result<std::string> Submit(
        const std::string& to,
        const std::string& type,
        const std::string& body_json,
        net::HttpClient* client = nullptr
    );
    /// Every message of "inbox" or "outbox", paging through the list.
    Result<std::vector<MessageRow>> ListAll(const std::string& box);
    /// The value of a Prometheus gauge/counter without labels (or with exactly `labels`).
    Result<double> Metric(std::string_view name, std::string_view labels = "");

    /// Verifies the node's whole audit log with `concord ledger verify` when the log has a
    /// checkpoint, else with ledger::Log::VerifyAll. The node must be stopped.
    Result<std::string> VerifyLedger();

    /// The last `bytes` of concordd.log (for failure messages).
    [[nodiscard]] std::string LogTail(std::size_t bytes = 3000) const;

private:
    std::string id_;
    std::filesystem::path dir_;
    std::uint16_t port_;
    std::uint16_t api_port_;
    server::InitResult init_;
    pid_t pid_{-1};
    std::unique_ptr<server::testing::ApiClient> api_;
};

/// What the sender of an envelope holds: an identity listed in the directory whose keys the test
/// has, so it can seal envelopes itself (federation::SealEnvelope).
struct ExternalIdentity {
    federation::NodeKeys keys;
    federation::NodeEntry entry;
};

/// Options common to every node of a Federation (written to each config.toml).
struct FederationOptions {
    std::string initial_backoff{"20ms"};
    std::string max_backoff{"500ms"};
    std::string witness_interval{"10s"};
    std::string reload_interval{"200ms"};
};

/// Several TestNodes sharing a signed directory, in a temporary folder removed at the end
/// (kept when the test failed). The destructor kills every node still running.
class Federation {
public:
    explicit Federation(FederationOptions options = {});
    ~Federation();
    Federation(const Federation&) = delete;
    Federation& operator=(const Federation&) = delete;

    /// Adds a node (before Create). Party "FR" or "HU".
    void AddNode(std::string id, std::string party, std::string role);
    /// Adds an identity whose keys the test holds (before Create).
    void AddExternal(std::string id, std::string party);
    /// Initialises every node, writes and signs the directory (serial 1).
    Result<void> Create();
    /// Starts every node and waits until each is healthy.
    Result<void> StartAll();

    TestNode& Node(std::size_t i) { return *nodes_[i]; }
    [[nodiscard]] std::size_t Size() const { return nodes_.size(); }
    ExternalIdentity& External(std::size_t i) { return externals_[i]; }
    [[nodiscard]] const std::filesystem::path& Dir() const { return dir_; }
    /// The key the directory (dir()/directory.json) is signed with: what a reader trusts.
    [[nodiscard]] const crypto::PublicKey& DirectoryPublicKey() const {
        return directory_key_.PublicKey();
    }

    /// Stops every running node with SIGTERM and expects each to exit with status 0 (so that a
    /// sanitizer report in a node fails the test).
    void ExpectCleanShutdown();

    /// Re-signs the directory with the current entries (e.g. after setting `revoked`) under the
    /// next serial and replaces the file atomically. Returns the new serial.
    Result<std::uint64_t> RewriteDirectory();
    /// Marks the external identity `i` revoked and rewrites the directory.
    Result<std::uint64_t> RevokeExternal(std::size_t i);

private:
    FederationOptions options_;
    std::filesystem::path dir_;
    crypto::SigningKey directory_key_;
    std::uint64_t serial_{0};
    std::vector<std::unique_ptr<TestNode>> nodes_;
    std::vector<std::pair<std::string, std::string>> node_plan_;  // party, role
    std::vector<ExternalIdentity> externals_;
};

/// The error text of a failed Result, for assertion messages ("" when it holds a value).
template <class T>
std::string Why(const Result<T>& r) {
    return r ? std::string() : r.error().ToString();
}

/// Polls `condition` every 20 ms until it is true or `limit` passes; returns its last value.
bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds limit = kPatience);

/// Sends requests as a node's people would: an officer ("pierre") drafts, an approver ("anne")
/// approves and so sends. Both are enrolled at `from` when this is made.
class CaseSender {
public:
    explicit CaseSender(TestNode& from);

    /// Drafts `request` for `peer` and approves it; returns the sender's case id ("" after a
    /// test failure).
    std::string Send(const boost::json::value& request, const std::string& peer);

private:
    server::testing::ApiClient drafter_;
    server::testing::ApiClient approver_;
};

/// The id of the newest incoming case at `node` once it holds `count` of them ("" after a test
/// failure).
std::string WaitForIncomingCases(TestNode& node, std::size_t count = 1);

}  // namespace concord::functional
