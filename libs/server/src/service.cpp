#include "concord/server/service.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "concord/core/log.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/server/init.hpp"

#include "service_impl.hpp"
#include <unistd.h>

namespace concord::server {
namespace {

// Reasons net::Server gives for limit refusals, as metric labels; "other" takes the rest.
constexpr std::string_view kHttpRefusalReasons[] = {
    "too_large",
    "header_too_large",
    "too_many_connections",
    "rate_limited",
    "header_timeout",
    "bad_request",
    "accept_failed",
    "other"};

Result<std::string> ReadText(const std::filesystem::path& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(
            ErrorCode::kNotFound, std::string(what) + " " + path.string() + ": cannot read"
        );
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<std::string> Passphrase(const Config& config) {
    if (!config.passphrase_file.empty()) {
        CONCORD_ASSIGN_OR_RETURN(
            std::string text, ReadText(config.passphrase_file, "node.passphrase_file")
        );
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.pop_back();
        }
        return text;
    }
    if (const char* env = std::getenv("CONCORD_PASSPHRASE"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "no passphrase for node.key: set node.passphrase_file or CONCORD_PASSPHRASE"
    );
}

// CONCORD_FAILPOINT="point[:N]" kills the process with SIGKILL the N-th time (default 1st)
// the node passes `point`. For crash tests of real processes only.
std::function<void(std::string_view)> FailpointFromEnvironment() {
    const char* spec = std::getenv("CONCORD_FAILPOINT");
    if (spec == nullptr || *spec == '\0') {
        return nullptr;
    }
    std::string text(spec);
    int countdown = 1;
    if (auto colon = text.find(':'); colon != std::string::npos) {
        countdown = std::max(1, std::atoi(text.c_str() + colon + 1));
        text.resize(colon);
    }
    auto remaining = std::make_shared<std::atomic<int>>(countdown);
    return [text, remaining](std::string_view point) {
        if (point == text && remaining->fetch_sub(1) == 1) {
            log::Warning("failpoint reached: killing the process", {{"point", text}});
            ::kill(::getpid(), SIGKILL);
        }
    };
}

log::Level LevelFromName(const std::string& name) {
    if (name == "debug") {
        return log::Level::kDebug;
    }
    if (name == "warning") {
        return log::Level::kWarning;
    }
    if (name == "error") {
        return log::Level::kError;
    }
    return log::Level::kInfo;
}

}  // namespace

Result<federation::Directory> LoadDirectory(const Config& config, std::string* text) {
    CONCORD_ASSIGN_OR_RETURN(
        std::string signed_text, ReadText(config.directory_file, "directory.file")
    );
    std::vector<crypto::PublicKey> trusted;
    for (const auto& key : config.directory_trusted_keys) {
        auto bytes = crypto::Base64Decode(key);
        auto parsed =
            bytes ? crypto::PublicKey::FromBytes(*bytes) : Result<crypto::PublicKey>(bytes.error());
        if (!parsed) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                config.file.string() + ": key 'directory.trusted_keys': '" + key +
                    "' is not a base64 Ed25519 public key"
            );
        }
        trusted.push_back(*parsed);
    }
    auto directory = federation::VerifyDirectory(signed_text, trusted);
    if (!directory) {
        return MakeError(
            directory.error().code,
            config.directory_file.string() + ": " + directory.error().message
        );
    }
    if (text != nullptr) {
        *text = std::move(signed_text);
    }
    return directory;
}

Result<std::unique_ptr<NodeService>> NodeService::Start(const Config& config) {
    log::Configure(&std::cerr, LevelFromName(config.log_level));
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    CONCORD_ASSIGN_OR_RETURN(std::string passphrase, Passphrase(config));
    CONCORD_ASSIGN_OR_RETURN(federation::NodeKeys keys, LoadNodeKeys(config.key_file, passphrase));
    CONCORD_ASSIGN_OR_RETURN(
        federation::Directory directory, LoadDirectory(config, &impl->directory_text)
    );
    const federation::NodeEntry* self = directory.FindNode(config.node_id);
    if (self == nullptr) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "node '" + config.node_id + "' is not in the directory " +
                config.directory_file.string()
        );
    }
    if (!(self->signing_key == keys.signing.public_key())) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "the directory lists another signing key for '" + config.node_id + "' than node.key"
        );
    }
    const std::filesystem::path instruments =
        config.instruments_dir.empty() ? legal::DefaultInstrumentsDir() : config.instruments_dir;
    auto catalog = legal::LoadCatalog(instruments);
    if (!catalog) {
        return MakeError(catalog.error().code, "legal.instruments_dir: " + catalog.error().message);
    }
    impl->catalog = std::move(*catalog);

    CONCORD_ASSIGN_OR_RETURN(impl->store, store::Store::Open(config.store_url));
    impl->transport = std::make_unique<HttpTransport>(config.allow_plain_http);
    impl->RegisterMetrics();

    federation::NodeOptions options;
    options.node_id = config.node_id;
    options.delivery_horizon = config.delivery_horizon;
    options.initial_backoff = config.initial_backoff;
    options.max_backoff = config.max_backoff;
    options.max_age = config.max_age;
    options.max_future_skew = config.max_future_skew;
    options.max_envelope_bytes = config.max_body_bytes;
    options.delivery_workers = config.delivery_workers;
    options.delivery_proofs = config.delivery_proofs;
    Impl* raw = impl.get();
    options.on_event = [raw](std::string_view name, const std::string& json) {
        raw->events->Publish(std::string(name), json);
    };
    options.on_delivered = [raw](double seconds) { raw->delivery_latency->Observe(seconds); };
    options.failpoint = FailpointFromEnvironment();
    auto shared_directory = std::make_shared<const federation::Directory>(std::move(directory));
    CONCORD_ASSIGN_OR_RETURN(
        impl->node,
        federation::Node::Open(
            *impl->store, std::move(keys), shared_directory, *impl->transport, options
        )
    );
    boost::json::object loaded;
    loaded["event"] = "directory.loaded";
    loaded["serial"] = static_cast<std::int64_t>(shared_directory->serial);
    loaded["sha256"] = federation::HashHex(crypto::Sha256(AsBytes(impl->directory_text)));
    CONCORD_RETURN_IF_ERROR(impl->node->AppendEvent(loaded));
    impl->node->Start();

    net::ServerOptions server;
    server.address = config.listen_address;
    server.port = config.listen_port;
    if (!config.tls_cert.empty()) {
        CONCORD_ASSIGN_OR_RETURN(server.tls_cert_pem, ReadText(config.tls_cert, "http.tls_cert"));
        CONCORD_ASSIGN_OR_RETURN(server.tls_key_pem, ReadText(config.tls_key, "http.tls_key"));
    }
    server.allow_plain_http = config.allow_plain_http;
    server.max_body_bytes = config.max_body_bytes;
    server.max_header_bytes = config.max_header_bytes;
    server.max_connections = config.max_connections;
    server.rate_per_second = config.rate_per_second;
    server.rate_burst = config.rate_burst;
    server.header_timeout = config.header_timeout;
    server.idle_timeout = config.idle_timeout;
    server.io_threads = config.io_threads;
    server.handler_threads = config.handler_threads;
    server.max_connections_per_address = config.max_connections_per_address;
    server.handler_pools = {
        {kFederationPool, config.handler_threads},
        {kEmergencyPool, std::max(2, config.handler_threads / 8)}};
    server.on_refusal = [raw](std::string_view reason) {
        std::size_t i = 0;  // the last entry, "other", takes any reason not listed
        while (i + 1 < std::size(kHttpRefusalReasons) && kHttpRefusalReasons[i] != reason) {
            ++i;
        }
        raw->http_refusals[i]->Increment();
    };
    net::Router router;
    AddRoutes(router, *impl);
    auto started = net::Server::Start(server, std::move(router));
    if (!started) {
        impl->node->Stop();
        return MakeError(started.error().code, "http.listen: " + started.error().message);
    }
    impl->server = std::move(*started);
    impl->background = std::thread([raw] { raw->BackgroundLoop(); });
    log::Info(
        "node started",
        {{"node", config.node_id},
         {"listen", config.listen_address + ":" + std::to_string(impl->server->port())},
         {"directory_serial", static_cast<long long>(shared_directory->serial)}}
    );
    return std::unique_ptr<NodeService>(new NodeService(std::move(impl)));
}

NodeService::NodeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeService::~NodeService() {
    Stop();
}

std::uint16_t NodeService::port() const {
    return impl_->server->port();
}

void NodeService::Stop() {
    if (!impl_ || !impl_->server) {
        return;
    }
    {
        std::scoped_lock lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->cv.notify_all();
    if (impl_->background.joinable()) {
        impl_->background.join();
    }
    impl_->events->Close();
    impl_->server->Stop();
    impl_->node->Stop();
    impl_->server.reset();
    log::Info("node stopped", {{"node", impl_->config.node_id}});
}

void NodeService::Impl::BackgroundLoop() {
    auto next_witness = std::chrono::steady_clock::now() + config.witness_interval;
    for (;;) {
        {
            std::unique_lock lock(mu);
            if (cv.wait_for(lock, config.directory_reload_interval, [this] { return stopping; })) {
                return;
            }
        }
        ReloadDirectory();
        if (std::chrono::steady_clock::now() >= next_witness) {
            if (auto round = node->WitnessPeers(); !round) {
                log::Warning("witnessing failed", {{"error", round.error().ToString()}});
            }
            next_witness = std::chrono::steady_clock::now() + config.witness_interval;
        }
    }
}

void NodeService::Impl::ReloadDirectory() {
    std::string text;
    std::ifstream in(config.directory_file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    if (!in || s.str() == directory_text) {
        return;
    }
    auto directory = LoadDirectory(config, &text);
    if (!directory) {
        log::Error("directory not reloaded", {{"error", directory.error().ToString()}});
        directory_text = s.str();  // do not log the same problem every second
        return;
    }
    const auto current = node->directory();
    if (directory->serial < current->serial) {
        log::Error(
            "directory not reloaded: older serial",
            {{"serial", static_cast<long long>(directory->serial)},
             {"current", static_cast<long long>(current->serial)}}
        );
        directory_text = text;
        return;
    }
    boost::json::object leaf;
    leaf["event"] = "directory.loaded";
    leaf["serial"] = static_cast<std::int64_t>(directory->serial);
    leaf["sha256"] = federation::HashHex(crypto::Sha256(AsBytes(text)));
    if (auto ok = node->AppendEvent(leaf); !ok) {
        log::Error("directory not reloaded", {{"error", ok.error().ToString()}});
        return;
    }
    const auto serial = directory->serial;
    node->SetDirectory(std::make_shared<const federation::Directory>(std::move(*directory)));
    directory_text = std::move(text);
    log::Info("directory reloaded", {{"serial", static_cast<long long>(serial)}});
    events->Publish("directory.loaded", "{\"serial\":" + std::to_string(serial) + "}");
}

void NodeService::Impl::RegisterMetrics() {
    delivery_latency = &metrics.AddHistogram(
        "concord_delivery_latency_seconds",
        "Time from submission to a verified receipt, per delivered message",
        {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600}
    );
    for (std::size_t i = 0; i < std::size(kHttpRefusalReasons); ++i) {
        http_refusals[i] = &metrics.AddCounter(
            "concord_http_refusals_total",
            "HTTP requests refused by a limit",
            {{"reason", std::string(kHttpRefusalReasons[i])}}
        );
    }
    using Field = const std::atomic<std::uint64_t> federation::NodeCounters::*;
    struct CounterMetric {
        const char* name;
        const char* help;
        Field field;
    };
    static constexpr CounterMetric kCounters[] = {
        {"concord_messages_submitted",
         "Outgoing messages committed to the outbox",
         &federation::NodeCounters::submitted},
        {"concord_messages_received",
         "Incoming messages accepted",
         &federation::NodeCounters::received},
        {"concord_messages_duplicate",
         "Envelopes received again (answered with the first receipt)",
         &federation::NodeCounters::duplicates},
        {"concord_messages_delivered",
         "Outgoing messages with a verified receipt",
         &federation::NodeCounters::delivered},
        {"concord_delivery_attempts",
         "Delivery attempts",
         &federation::NodeCounters::delivery_attempts},
        {"concord_delivery_failures",
         "Failed delivery attempts (retried or given up)",
         &federation::NodeCounters::delivery_failures},
        {"concord_messages_non_delivered",
         "Messages given up with a signed non-delivery record",
         &federation::NodeCounters::non_delivered},
        {"concord_checkpoints_cosigned",
         "Peer checkpoints cosigned by this node's witness",
         &federation::NodeCounters::cosigned},
        {"concord_alerts", "Alerts raised (fork, non-delivery)", &federation::NodeCounters::alerts},
    };
    for (const CounterMetric& c : kCounters) {
        metrics.AddGaugeFunction(c.name, c.help, [this, field = c.field] {
            return static_cast<double>((node->counters().*field).load());
        });
    }
    for (int i = 0; i < 8; ++i) {
        const auto reason = federation::RefusalCode(static_cast<federation::Refusal>(i));
        metrics.AddGaugeFunction(
            "concord_envelopes_refused",
            "Incoming envelopes refused, by reason",
            [this, i] { return static_cast<double>(node->counters().refused[i].load()); },
            {{"reason", std::string(reason)}}
        );
    }
    metrics.AddGaugeFunction("concord_ledger_size", "Entries in the audit log", [this] {
        auto size = node->LedgerSize();
        return size ? static_cast<double>(*size) : -1.0;
    });
    for (int lane = 0; lane < 2; ++lane) {
        metrics.AddGaugeFunction(
            "concord_outbox_depth",
            "Messages waiting for delivery, by lane",
            [this, lane] {
                auto depth = node->OutboxDepth();
                return depth ? static_cast<double>(lane == 0 ? depth->first : depth->second) : -1.0;
            },
            {{"lane", lane == 0 ? "emergency" : "normal"}}
        );
    }
}

}  // namespace concord::server
