#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "concord/app/assets.hpp"
#include "concord/app/case_deadlines.hpp"
#include "concord/app/case_hearings.hpp"
#include "concord/app/case_obligations.hpp"
#include "concord/app/case_service.hpp"
#include "concord/app/deadlines.hpp"
#include "concord/app/duty.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/app/preservation_service.hpp"
#include "concord/app/sessions.hpp"
#include "concord/app/statistics.hpp"
#include "concord/app/statistics_collection.hpp"
#include "concord/app/statistics_eu.hpp"
#include "concord/app/statistics_hearings.hpp"
#include "concord/app/statistics_publication.hpp"
#include "concord/app/technical_assistance.hpp"
#include "concord/app/tokens.hpp"
#include "concord/app/users.hpp"
#include "concord/core/mutex.hpp"
#include "concord/federation/node.hpp"
#include "concord/legal/catalog.hpp"
#include "concord/legal/deadline_rules.hpp"
#include "concord/legal/lifecycle.hpp"
#include "concord/legal/obligation_rules.hpp"
#include "concord/net/event_hub.hpp"
#include "concord/net/http.hpp"
#include "concord/net/metrics.hpp"
#include "concord/net/server.hpp"
#include "concord/server/config.hpp"
#include "concord/server/service.hpp"
#include "concord/store/store.hpp"

#include "evidence_sender.hpp"
#include "http_transport.hpp"

namespace concord::server {

struct NodeService::Impl {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<HttpTransport> transport;
    std::unique_ptr<federation::Node> node;
    // People (docs/operations.md "Users and sign-in"); they borrow `store` and `users`.
    std::unique_ptr<app::Users> users;
    std::unique_ptr<app::Sessions> sessions;
    std::unique_ptr<app::ApiTokens> tokens;
    // Legal deadlines and the duty desk (docs/deadlines.md); declared after `node`, which they
    // use, so they are destroyed first.
    std::unique_ptr<app::Webhook> duty_webhook;
    std::unique_ptr<app::DeadlineEngine> deadlines;
    std::unique_ptr<app::NodeSender> duty_sender;
    std::unique_ptr<app::DutyDesk> duty;
    std::optional<legal::DeadlineRules> deadline_rules;      // instruments/deadlines.toml
    std::unique_ptr<app::CaseDeadlines> case_deadlines;      // the cases' hook into `deadlines`
    std::optional<legal::ObligationRules> obligation_rules;  // instruments/obligations.toml
    /// Obligations to extradite or prosecute: the cases' second hook (docs/cases.md).
    std::unique_ptr<app::CaseObligations> case_obligations;
    std::unique_ptr<app::CaseHearings> case_hearings;
    /// The provider's automatic preservation (after `node`: it is destroyed first).
    std::unique_ptr<app::PreservationService> preservation;
    std::optional<legal::Catalog> catalog;
    std::optional<legal::Lifecycle> lifecycle;  // instruments/lifecycle.toml
    std::unique_ptr<app::CaseService> cases;    // attached to `node` once it is open
    /// Official statistics from the cases' domain events (docs/statistics.md).
    std::unique_ptr<app::StatisticsService> statistics;
    std::unique_ptr<app::EuArt28Reporter> eu_statistics;         // after `statistics`
    std::unique_ptr<app::HearingStatistics> hearing_statistics;  // after `statistics`
    std::unique_ptr<app::StatisticsPublisher> publisher;         // after `statistics` and `node`
    std::unique_ptr<app::StatisticsCollector> collector;         // after `publisher`
    /// The asset record of cases (docs/assets.md); after `cases`, `node` and `deadlines`.
    std::unique_ptr<app::AssetRegister> assets;
    /// Technical assistance between States (docs/assistance.md); after `node`.
    std::unique_ptr<app::TechnicalAssistance> assistance;
    // Evidence packages (docs/operations.md "Evidence storage"): the blob folder, a copy of the
    // node's box key pair (the service borrows it) and the use cases, attached to `node`.
    std::unique_ptr<app::DirectoryBlobStore> blobs;
    std::optional<crypto::BoxKeyPair> evidence_box;
    std::unique_ptr<app::EvidenceService> evidence;
    /// Pushes sealed packages to their recipients, on `evidence_thread`.
    std::unique_ptr<EvidenceSender> evidence_sender;
    std::shared_ptr<net::EventHub> events = std::make_shared<net::EventHub>(4096);
    net::Metrics metrics;
    net::Histogram* delivery_latency{nullptr};
    net::Counter* http_refusals[8]{};  // one per kHttpRefusalReasons entry
    std::string tls_cert_pem;          // read at start, shared by both listeners
    std::string tls_key_pem;
    std::unique_ptr<net::Server> server;      // federation listener: /fed/v1, /healthz
    std::unique_ptr<net::Server> api_server;  // local API listener: /api/v1, /healthz, /metrics

    // Background work, one thread each: directory reload and witnessing (which waits on peers).
    Mutex mu;
    std::condition_variable_any cv;
    bool stopping CONCORD_GUARDED_BY(mu) = false;
    std::thread reloader;
    std::thread witness;
    std::thread evidence_thread;
    bool evidence_wake CONCORD_GUARDED_BY(mu) = false;
    bool retention_wake CONCORD_GUARDED_BY(mu) = false;
    std::string directory_text;  // the signed directory last loaded (reloader thread only)

    // Requests in flight, so that Stop lets them finish (bounded by http.shutdown_drain).
    Mutex drain_mu;
    std::condition_variable_any drain_cv;
    int in_flight CONCORD_GUARDED_BY(drain_mu) = 0;
    bool draining CONCORD_GUARDED_BY(drain_mu) = false;
    /// Counts a request in; false once draining started (the caller answers 503).
    bool EnterRequest();
    void LeaveRequest();
    /// Refuses new requests and waits until those in flight finished or `limit` passed.
    void Drain(std::chrono::milliseconds limit);

    /// Waits `interval`; true when the service is stopping.
    bool WaitOrStop(std::chrono::milliseconds interval);
    void ReloadLoop();
    void WitnessLoop();
    /// Pushes sealed evidence packages: at once when woken, else every few seconds.
    void EvidenceLoop();
    /// Shreds at most kRetentionBatch evidence packages whose retention ended
    /// (EvidenceService::Expire) and returns how many: at start until none is left, then on the
    /// evidence thread once per kRetentionSweepInterval and when a hold is lifted (a bounded
    /// batch keeps the sender's turn short; the rest waits for the next sweep).
    std::size_t ExpireEvidence();
    static constexpr std::chrono::seconds kRetentionSweepInterval{60};
    static constexpr std::size_t kRetentionBatch = 100;
    /// Runs ExpireEvidence on the evidence thread now (a hold was lifted).
    void WakeRetentionSweep();
    /// Wakes EvidenceLoop (a package was sealed).
    void WakeEvidenceSender();
    /// Reloads the directory if the file changed; keeps the old one on any problem.
    void ReloadDirectory();
    void RegisterMetrics();
};

/// Handler pools of the federation routes (/fed/*): their own threads, so a slow request on
/// /healthz never delays an intake; envelopes a sender marks `Concord-Priority: emergency` get
/// another pool.
inline constexpr const char* kFederationPool = "federation";
inline constexpr const char* kEmergencyPool = "emergency";

enum class Listener : std::uint8_t { kFederation, kApi };

/// Binds and starts the federation or the local API listener.
Result<std::unique_ptr<net::Server>> StartListener(NodeService::Impl& impl, Listener which);

/// The federation listener's routes: /healthz and /fed/v1/*.
void AddFederationRoutes(net::Router& router, NodeService::Impl& service);

/// The local API listener's routes: /healthz, /api/v1/* and, when enabled, /metrics.
void AddApiRoutes(net::Router& router, NodeService::Impl& service);

/// The local API's own tables (Idempotency-Key records), component "api".
std::vector<store::Migration> ApiMigrations();

/// The duty desk's webhook over HTTP (api_duty.cpp); nullptr when `duty.webhook_url` is empty.
std::unique_ptr<app::Webhook> MakeDutyWebhook(const Config& config);

/// Opens the store of `node.store`; a SQLite database (and its folder) must be private to the
/// owner, and a missing one is created 0600. Errors name the config key.
Result<std::unique_ptr<store::Store>> OpenStore(const Config& config);

/// Reads and verifies the signed directory file named by the config.
Result<federation::Directory> LoadDirectory(const Config& config, std::string* text);

}  // namespace concord::server
