#include "concord/server/service.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <tuple>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/core/file.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/envelope.hpp"
#include "concord/server/init.hpp"
#include "concord/server/people.hpp"

#include "preservation_http_hook.hpp"
#include "service_impl.hpp"
#include <fcntl.h>
#include <sys/stat.h>
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

Result<std::string> ReadText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return MakeError(ErrorCode::kNotFound, path.string() + ": cannot read");
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// CONCORD_FAILPOINT="point[:N]" kills the process with SIGKILL the N-th time (default 1st)
// the node passes `point`; "point:sleep=MS" makes every pass wait MS milliseconds instead (a
// request held in flight). For tests of real processes only.
std::function<void(std::string_view)> FailpointFromEnvironment() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    const char* spec = std::getenv("CONCORD_FAILPOINT");
    if (spec == nullptr || *spec == '\0') {
        return nullptr;
    }
    std::string text(spec);
    std::string argument;
    if (auto colon = text.find(':'); colon != std::string::npos) {
        argument = text.substr(colon + 1);
        text.resize(colon);
    }
    if (argument.rfind("sleep=", 0) == 0) {
        const auto pause = std::chrono::milliseconds(std::max(0, std::atoi(argument.c_str() + 6)));
        return [text, pause](std::string_view point) {
            if (point == text) {
                log::Warning(
                    "failpoint reached: sleeping",
                    {{"point", text}, {"ms", static_cast<long long>(pause.count())}}
                );
                std::this_thread::sleep_for(pause);
            }
        };
    }
    const int countdown = argument.empty() ? 1 : std::max(1, std::atoi(argument.c_str()));
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

// A start-up refusal naming the config file and key: "FILE: key 'KEY': MESSAGE".
Error KeyError(const Config& config, std::string_view key, const Error& error) {
    return Error{
        error.code, config.file.string() + ": key '" + std::string(key) + "': " + error.message};
}

std::string ModeText(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// Refuses `path` (named by config key `key`) when its group or others have any access: a
// secret or store file must be 0600 (or stricter), a folder 0700. A missing file passes (the
// caller reports it when it opens the file).
Result<void> CheckPrivate(
    const Config& config, std::string_view key, const std::filesystem::path& path
) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return {};
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) {
        return {};
    }
    const bool folder = S_ISDIR(st.st_mode);
    return KeyError(
        config,
        key,
        Error{
            ErrorCode::kPermissionDenied,
            path.string() + " has mode " + ModeText(st.st_mode) + "; it must be " +
                (folder ? "0700" : "0600") + " (chmod " + (folder ? "700 " : "600 ") +
                path.string() + ")"}
    );
}

// The seam between the provider's preservation service and the case layer: an order that
// came as a case request is confirmed by the node's steps on that case, up to "responded",
// the confirmation (reference and hash) in the reasons of the last step (docs/cases.md).
Result<std::optional<app::CaseConfirmation>> ConfirmPreservationCase(
    app::CaseService& cases,
    store::Transaction& tx,
    std::string_view order,
    const std::string& confirmation
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto taken,
        cases.TakeStepsIn(
            tx, app::Actor::Node(), order, app::PreservationConfirmationPath(confirmation)
        )
    );
    if (!taken) {
        return std::optional<app::CaseConfirmation>{};
    }
    return std::optional<app::CaseConfirmation>{
        app::CaseConfirmation{taken->last_message_id, std::move(taken->after_commit)}};
}

// The preservation hook of the config (an executable or a local URL, or none) and the service
// that runs it (docs/operations.md "Preservation hook").
// Evidence packages (docs/operations.md "Evidence storage"): the blob folder from the config,
// the tables, and the use cases, which ask the case use cases whether a caller may touch a case.
// A retention rule names an instrument and a party of the catalogue: a misspelt one would
// match no case and leave its packages on the default without a word.
Result<void> CheckRetentionRules(const Config& config, const legal::Catalog& catalog) {
    for (std::size_t i = 0; i < config.evidence_retention_rules.size(); ++i) {
        const app::RetentionRule& rule = config.evidence_retention_rules[i];
        std::string problem;
        if (!rule.instrument.empty() && !catalog.instruments.contains(rule.instrument)) {
            problem = "no instrument '" + rule.instrument + "'";
        } else if (!rule.party.empty() && !catalog.parties.contains(rule.party)) {
            problem = "no party '" + rule.party + "'";
        }
        if (!problem.empty()) {
            return KeyError(
                config,
                "evidence.retention_rules",
                Error{
                    ErrorCode::kInvalidArgument,
                    "retention rule " + std::to_string(i + 1) + ": " + problem + " in " +
                        catalog.dir.string()}
            );
        }
    }
    return {};
}

Result<void> OpenEvidence(
    NodeService::Impl& impl, const federation::NodeKeys& keys, const std::string& party
) {
    const Config& config = impl.config;
    auto blobs = app::DirectoryBlobStore::OpenFolder(config.evidence_blob_dir);
    if (!blobs) {
        return KeyError(config, "evidence.blob_dir", blobs.error());
    }
    impl.blobs = std::move(*blobs);
    if (auto migrated = impl.store->Migrate(app::EvidenceService::Migrations()); !migrated) {
        return KeyError(config, "node.store", migrated.error());
    }
    CONCORD_ASSIGN_OR_RETURN(
        impl.evidence_box, crypto::BoxKeyPair::FromSecret(keys.box.Secret().Span())
    );
    CONCORD_RETURN_IF_ERROR(CheckRetentionRules(config, *impl.catalog));
    app::EvidenceService::Options options;
    options.node_id = config.node_id;
    options.certifier = app::CertifierOptions{config.node_id, party};
    options.max_file_bytes = config.evidence_max_file_bytes;
    options.retention_ms = config.evidence_retention.count();
    app::CaseService* cases = impl.cases.get();
    options.cases.reference = [cases](std::string_view case_id) {
        return cases->SharedReference(case_id);
    };
    options.cases.local = [cases](std::string_view reference, std::string_view peer) {
        return cases->FromSharedReference(reference, peer);
    };
    options.cases.facts = [cases](std::string_view case_id) {
        return cases->RetentionFactsOf(case_id);
    };
    options.retention_rules = config.evidence_retention_rules;
    options.upload_expiry_ms = config.evidence_upload_expiry.count();
    CONCORD_ASSIGN_OR_RETURN(
        impl.evidence,
        app::EvidenceService::Create(
            *impl.store,
            *impl.blobs,
            keys.signing,
            *impl.evidence_box,
            std::move(options),
            [cases](const app::Actor& actor, app::Action action, std::string_view case_id) {
                return cases->Authorize(actor, action, case_id);
            }
        )
    );
    EvidenceSender::Options sender;
    sender.allow_plain_http = config.allow_plain_http;
    sender.initial_backoff = config.initial_backoff;
    sender.max_backoff = config.max_backoff;
    // A package its recipient keeps refusing is the duty desk's to look at (the desk is made
    // before the sender runs).
    sender.on_refused = [raw = &impl](const app::OutgoingPackage& p, const std::string& why) {
        if (raw->duty == nullptr) {
            return;
        }
        auto raised = raw->duty->RaiseAlert(
            "evidence.undelivered",
            p.case_id,
            "evidence package " + p.package + " to " + p.to + " keeps being refused: " + why,
            {{"package", p.package}, {"peer", p.to}, {"reason", why}},
            p.package
        );
        if (!raised) {
            log::Error(
                "evidence refusal alert not raised",
                {{"package", p.package}, {"error", raised.error().ToString()}}
            );
        }
    };
    impl.evidence_sender = std::make_unique<EvidenceSender>(*impl.evidence, *impl.blobs, sender);
    return {};
}

Result<void> StartPreservation(NodeService::Impl& impl) {
    const Config& config = impl.config;
    std::unique_ptr<app::PreservationHook> hook;
    if (!config.preservation_hook.empty()) {
        auto exec = app::ExecHook::Create(app::ExecHookOptions{
            config.preservation_hook, config.preservation_hook_timeout});
        if (!exec) {
            return KeyError(config, "preservation.hook", exec.error());
        }
        hook = std::move(*exec);
    } else if (!config.preservation_hook_url.empty()) {
        auto http = MakeHttpPreservationHook(
            config.preservation_hook_url, config.preservation_hook_timeout
        );
        if (!http) {
            return KeyError(config, "preservation.hook_url", http.error());
        }
        hook = std::move(*http);
    }
    app::PreservationOptions options;
    options.hook_timeout = config.preservation_hook_timeout;
    NodeService::Impl* raw = &impl;
    options.on_event = [raw](std::string_view name, const std::string& json) {
        raw->events->Publish(std::string(name), json);
    };
    options.confirm_case =
        [raw](store::Transaction& tx, std::string_view order, const std::string& confirmation) {
            return ConfirmPreservationCase(*raw->cases, tx, order, confirmation);
        };
    auto service = app::PreservationService::Open(
        *impl.store, *impl.node, *impl.catalog, std::move(hook), std::move(options)
    );
    if (!service) {
        return KeyError(config, "node.store", service.error());
    }
    impl.preservation = std::move(*service);
    return {};
}

}  // namespace

// Opens the store named by node.store. For SQLite the folder must be 0700 and the database
// (and its -wal and -shm files) 0600; a missing database is created 0600. Errors name the key
// and, for SQLite, the path (a PostgreSQL DSN may hold a password, so it is not repeated).
Result<std::unique_ptr<store::Store>> OpenStore(const Config& config) {
    constexpr std::string_view kKey = "node.store";
    if (config.store_url.rfind("sqlite:", 0) != 0) {
        auto store = store::Store::Open(config.store_url);
        if (!store) {
            return KeyError(config, kKey, store.error());
        }
        return std::move(*store);
    }
    const std::filesystem::path file = config.store_url.substr(7);
    const std::filesystem::path folder =
        file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    CONCORD_RETURN_IF_ERROR(CheckPrivate(config, kKey, folder));
    // Created here with 0600 so that SQLite, which gives its -wal and -shm files the mode of
    // the database, never makes a world-readable file whatever the umask.
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return KeyError(config, kKey, FileErrnoError(file, "open", errno));
    }
    ::close(fd);
    for (const char* suffix : {"", "-wal", "-shm"}) {
        CONCORD_RETURN_IF_ERROR(CheckPrivate(config, kKey, file.string() + suffix));
    }
    auto store = store::Store::Open(config.store_url);
    if (!store) {
        return KeyError(
            config, kKey, Error{store.error().code, file.string() + ": " + store.error().message}
        );
    }
    return std::move(*store);
}

Result<federation::Directory> LoadDirectory(const Config& config, std::string* text) {
    CONCORD_ASSIGN_OR_RETURN(std::string signed_text, ReadText(config.directory_file));
    std::vector<crypto::PublicKey> trusted;
    for (const auto& key : config.directory_trusted_keys) {
        // LoadConfig checked each key; a failure here is a Config built by hand.
        CONCORD_ASSIGN_OR_RETURN(Bytes bytes, crypto::Base64Decode(key));
        CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey parsed, crypto::PublicKey::FromBytes(bytes));
        trusted.push_back(parsed);
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

Result<std::unique_ptr<net::Server>> StartListener(NodeService::Impl& impl, Listener which) {
    const Config& config = impl.config;
    const bool api = which == Listener::kApi;
    net::ServerOptions server;
    server.address = api ? config.api_listen_address : config.listen_address;
    server.port = api ? config.api_listen_port : config.listen_port;
    server.tls_cert_pem = impl.tls_cert_pem;
    server.tls_key_pem = impl.tls_key_pem;
    server.allow_plain_http = config.allow_plain_http;
    server.max_body_bytes = config.max_body_bytes;
    server.max_header_bytes = config.max_header_bytes;
    server.max_connections = config.max_connections;
    server.rate_per_second = config.rate_per_second;
    server.rate_burst = config.rate_burst;
    server.header_timeout = config.header_timeout;
    server.idle_timeout = config.idle_timeout;
    server.io_threads = api ? 1 : config.io_threads;
    server.handler_threads = api ? config.api_handler_threads : config.handler_threads;
    server.max_connections_per_address = config.max_connections_per_address;
    if (api) {
        // Evidence uploads and downloads (docs/operations.md "Evidence storage").
        server.stream_threads = config.evidence_transfers;
        server.max_stream_transfers = static_cast<std::size_t>(config.evidence_transfers);
    } else {
        server.handler_pools = {
            {kFederationPool, config.handler_threads},
            {kEmergencyPool, std::max(2, config.handler_threads / 8)}};
    }
    NodeService::Impl* raw = &impl;
    server.on_refusal = [raw](std::string_view reason) {
        std::size_t i = 0;  // the last entry, "other", takes any reason not listed
        while (i + 1 < std::size(kHttpRefusalReasons) && kHttpRefusalReasons[i] != reason) {
            ++i;
        }
        raw->http_refusals[i]->Increment();
    };
    net::Router router;
    if (api) {
        AddApiRoutes(router, impl);
    } else {
        AddFederationRoutes(router, impl);
    }
    auto started = net::Server::Start(server, std::move(router));
    if (!started) {
        return KeyError(config, api ? "api.listen" : "http.listen", started.error());
    }
    return std::move(*started);
}

// The live event of a case's state change (docs/cases.md "Live events"): who, what and when,
// never the request itself.
static std::string CaseChangedEvent(const app::Case& c, const app::StateChange& change) {
    boost::json::object o;
    o["case"] = c.id;
    o["number"] = c.number;
    o["direction"] = app::CaseDirectionName(c.direction);
    o["request_type"] = c.request_type;
    o["priority"] = c.priority;
    o["transition"] = change.transition;
    o["from"] = change.from_state;
    o["to"] = change.to_state;
    o["actor"] = change.actor;
    o["at"] = FormatTimestamp(change.at_ms);
    o["version"] = c.version;
    return boost::json::serialize(o);
}

// The deadline engine and the duty desk over the node (docs/deadlines.md): deadlines that
// passed while the node was down are in the heap after Load and fire once Run starts.
static Result<void> StartDeadlines(
    NodeService::Impl& impl, const federation::Directory& directory
) {
    NodeService::Impl* raw = &impl;
    auto append_leaf = [raw](store::Transaction& tx, const boost::json::object& leaf) {
        return raw->node->AppendEvent(tx, leaf);
    };
    auto on_live = [raw](std::string_view name, const std::string& json) {
        raw->events->Publish(std::string(name), json);
    };
    impl.duty_webhook = MakeDutyWebhook(impl.config);
    app::DeadlineHooks hooks;
    hooks.append_leaf = append_leaf;
    hooks.on_live = on_live;
    hooks.escalation_recipients = [](store::Transaction& tx, const app::Deadline& d) {
        return app::DutyDesk::EscalationRecipientsIn(tx, d, NowMillis());
    };
    hooks.webhook = impl.duty_webhook.get();
    impl.deadlines = std::make_unique<app::DeadlineEngine>(*impl.store, hooks);
    impl.case_deadlines =
        std::make_unique<app::CaseDeadlines>(*impl.deadline_rules, *impl.deadlines);
    impl.case_obligations = std::make_unique<app::CaseObligations>(
        *impl.obligation_rules, *impl.deadline_rules, impl.deadlines.get(), append_leaf
    );
    impl.case_hearings = std::make_unique<app::CaseHearings>(append_leaf);
    impl.duty_sender = std::make_unique<app::NodeSender>(*impl.node);
    app::DutyOptions duty;
    duty.escalation_ms = impl.config.duty_escalation.count();
    if (const auto* self = directory.FindNode(impl.config.node_id)) {
        duty.authority = self->authority;
    }
    duty.append_leaf = append_leaf;
    duty.on_live = on_live;
    impl.duty = std::make_unique<app::DutyDesk>(
        *impl.store, *impl.deadlines, *impl.duty_sender, std::move(duty)
    );
    if (auto loaded = impl.deadlines->Load(); !loaded) {
        return KeyError(impl.config, "node.store", loaded.error());
    }
    return {};
}

Result<std::unique_ptr<NodeService>> NodeService::Start(const Config& config) {
    log::Configure(&std::cerr, LevelFromName(config.log_level));
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (!config.passphrase_file.empty()) {
        CONCORD_RETURN_IF_ERROR(CheckPrivate(config, "node.passphrase_file", config.passphrase_file)
        );
    }
    auto passphrase = NodePassphrase(config);
    if (!passphrase) {
        return KeyError(config, "node.passphrase_file", passphrase.error());
    }
    auto keys = LoadNodeKeys(config.key_file, *passphrase);
    if (!keys) {
        return KeyError(config, "node.key_file", keys.error());
    }
    auto loaded_directory = LoadDirectory(config, &impl->directory_text);
    if (!loaded_directory) {
        return KeyError(config, "directory.file", loaded_directory.error());
    }
    federation::Directory directory = std::move(*loaded_directory);
    const federation::NodeEntry* self = directory.FindNode(config.node_id);
    if (self == nullptr) {
        return KeyError(
            config,
            "node.id",
            Error{
                ErrorCode::kInvalidArgument,
                "node '" + config.node_id + "' is not in the directory " +
                    config.directory_file.string()}
        );
    }
    if (!(self->signing_key == keys->signing.PublicKey())) {
        return KeyError(
            config,
            "node.key_file",
            Error{
                ErrorCode::kInvalidArgument,
                "the directory " + config.directory_file.string() +
                    " lists another signing key for '" + config.node_id + "' than " +
                    config.key_file.string()}
        );
    }
    const std::filesystem::path instruments =
        config.instruments_dir.empty() ? legal::DefaultInstrumentsDir() : config.instruments_dir;
    auto catalog = legal::LoadCatalog(instruments);
    if (!catalog) {
        return KeyError(
            config,
            "legal.instruments_dir",
            Error{catalog.error().code, instruments.string() + ": " + catalog.error().message}
        );
    }
    impl->catalog = std::move(*catalog);
    auto lifecycle = legal::Lifecycle::Load(instruments / "lifecycle.toml", &*impl->catalog);
    if (!lifecycle) {
        return KeyError(config, "legal.instruments_dir", lifecycle.error());
    }
    impl->lifecycle = std::move(*lifecycle);
    auto deadline_rules = legal::LoadDeadlineRules(instruments / "deadlines.toml");
    if (!deadline_rules) {
        return KeyError(config, "legal.instruments_dir", deadline_rules.error());
    }
    if (auto checked = legal::CheckDeadlineRules(*deadline_rules, *impl->catalog); !checked) {
        return KeyError(config, "legal.instruments_dir", checked.error());
    }
    impl->deadline_rules = std::move(*deadline_rules);
    auto obligation_rules = legal::LoadObligationRules(instruments / "obligations.toml");
    if (!obligation_rules) {
        return KeyError(config, "legal.instruments_dir", obligation_rules.error());
    }
    if (auto checked = legal::CheckObligationRules(*obligation_rules, *impl->catalog); !checked) {
        return KeyError(config, "legal.instruments_dir", checked.error());
    }
    impl->obligation_rules = std::move(*obligation_rules);
    if (!config.tls_cert.empty()) {
        CONCORD_RETURN_IF_ERROR(CheckPrivate(config, "http.tls_key", config.tls_key));
        for (auto [key, path, out] :
             {std::tuple{"http.tls_cert", &config.tls_cert, &impl->tls_cert_pem},
              std::tuple{"http.tls_key", &config.tls_key, &impl->tls_key_pem}}) {
            auto text = ReadText(*path);
            if (!text) {
                return KeyError(config, key, text.error());
            }
            *out = std::move(*text);
        }
    }
    CONCORD_ASSIGN_OR_RETURN(impl->store, OpenStore(config));
    if (auto migrated = impl->store->Migrate(ApiMigrations()); !migrated) {
        return KeyError(config, "node.store", migrated.error());
    }
    if (auto migrated = impl->store->Migrate(app::PeopleMigrations()); !migrated) {
        return KeyError(config, "node.store", migrated.error());
    }
    // TOTP secrets are sealed with a key derived from the signing seed (moved into the node).
    const crypto::SecretBytes seed = crypto::SecretBytes::CopyFrom(keys->signing.Seed().Span());
    if (auto migrated = impl->store->Migrate(app::CaseService::Migrations()); !migrated) {
        return KeyError(config, "node.store", migrated.error());
    }
    app::CaseHooks case_hooks;
    // The legal deadlines of a case follow its state (docs/deadlines.md); `case_deadlines` is
    // set by StartDeadlines before the node takes messages.
    case_hooks.on_state_change =
        [raw = impl.get()](
            store::Transaction& tx, const app::Case& c, const app::StateChange& change
        ) -> Result<void> {
        if (raw->case_deadlines == nullptr) {
            return MakeError(ErrorCode::kUnavailable, "the deadline engine is not started");
        }
        CONCORD_RETURN_IF_ERROR(raw->case_deadlines->OnStateChange(tx, c, change));
        CONCORD_RETURN_IF_ERROR(raw->case_obligations->OnStateChange(tx, c, change));
        CONCORD_RETURN_IF_ERROR(raw->case_hearings->OnStateChange(tx, c, change));
        // The live event goes out once the step is durable, never for a step rolled back.
        tx.OnCommit([raw, json = CaseChangedEvent(c, change)] {
            raw->events->Publish("case.changed", json);
        });
        return {};
    };
    impl->cases = std::make_unique<app::CaseService>(
        *impl->store, *impl->catalog, *impl->lifecycle, std::move(case_hooks)
    );
    // Approvals are signed by the approver's own key, certified by this node (docs/cases.md).
    CONCORD_RETURN_IF_ERROR(impl->cases->SignApprovals(
        keys->signing, app::CertifierOptions{config.node_id, self->party}
    ));
    CONCORD_RETURN_IF_ERROR(OpenEvidence(*impl, *keys, self->party));
    for (const auto& migrations :
         {app::DeadlineEngine::Migrations(),
          app::DutyDesk::Migrations(),
          app::StatisticsService::Migrations(),
          app::StatisticsPublisher::Migrations(),
          app::StatisticsCollector::Migrations(),
          app::AssetRegister::Migrations(),
          app::TechnicalAssistance::Migrations()}) {
        if (auto migrated = impl->store->Migrate(migrations); !migrated) {
            return KeyError(config, "node.store", migrated.error());
        }
    }
    impl->statistics = std::make_unique<app::StatisticsService>(*impl->store);
    impl->eu_statistics = std::make_unique<app::EuArt28Reporter>(*impl->store, *impl->statistics);
    impl->hearing_statistics =
        std::make_unique<app::HearingStatistics>(*impl->store, *impl->statistics);
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
        if (name == "message.delivered") {
            // The request's receipt moves its case from sent to delivered.
            boost::system::error_code ec;
            boost::json::value event = boost::json::parse(json, ec);
            if (!ec && event.is_object() && event.as_object().contains("id")) {
                if (auto done = raw->cases->OnDelivered(event.as_object().at("id").as_string());
                    !done) {
                    log::Error("case delivery not recorded", {{"error", done.error().ToString()}});
                }
            }
        }
        raw->events->Publish(std::string(name), json);
    };
    options.on_delivered = [raw](double seconds) { raw->delivery_latency->Observe(seconds); };
    // What an arrival means, recorded in the intake transaction before the receipt is signed:
    // the case it opens or moves (docs/cases.md), and for an emergency the duty desk's alert
    // (docs/deadlines.md).
    // A provider's preservation service records a preservation order to run its hook after the
    // commit (docs/operations.md "Preservation hook"). `preservation` is set before the node
    // starts taking messages and read by its intake thread after.
    options.on_received =
        [raw](store::Transaction& tx, const federation::ReceivedMessage& m) -> Result<void> {
        CONCORD_RETURN_IF_ERROR(raw->cases->OnReceived(tx, m));
        CONCORD_ASSIGN_OR_RETURN(auto alert, raw->duty->OnReceivedIn(tx, m));
        (void)alert;
        if (raw->preservation) {
            CONCORD_RETURN_IF_ERROR(raw->preservation->OnReceived(tx, m));
        }
        if (raw->assistance) {
            CONCORD_RETURN_IF_ERROR(raw->assistance->OnReceived(tx, m));
        }
        if (raw->collector) {
            CONCORD_RETURN_IF_ERROR(raw->collector->OnReceived(tx, m));
        }
        return {};
    };
    options.failpoint = FailpointFromEnvironment();
    auto shared_directory = std::make_shared<const federation::Directory>(std::move(directory));
    CONCORD_ASSIGN_OR_RETURN(
        impl->node,
        federation::Node::Open(
            *impl->store, std::move(*keys), shared_directory, *impl->transport, options
        )
    );
    if (auto loaded = impl->node->SetDirectory(
            shared_directory, federation::HashHex(crypto::Sha256(AsBytes(impl->directory_text)))
        );
        !loaded) {
        return MakeError(
            loaded.error().code, config.directory_file.string() + ": " + loaded.error().message
        );
    }
    CONCORD_RETURN_IF_ERROR(StartDeadlines(*impl, *shared_directory));
    log::Info(
        "directory loaded",
        {{"serial", static_cast<long long>(shared_directory->serial)},
         {"sha256", federation::HashHex(crypto::Sha256(AsBytes(impl->directory_text)))}}
    );
    federation::Node* node = impl->node.get();
    app::AuditAppender audit = [node](store::Transaction& tx, const boost::json::object& leaf) {
        auto appended = node->AppendEvent(tx, leaf);
        return appended ? Result<void>() : Result<void>(appended.error());
    };
    CONCORD_ASSIGN_OR_RETURN(
        impl->users, app::Users::Create(*impl->store, seed, audit, PeopleOptionsFrom(config))
    );
    CONCORD_ASSIGN_OR_RETURN(impl->sessions, app::Sessions::Create(*impl->users));
    impl->tokens = std::make_unique<app::ApiTokens>(*impl->users);
    impl->cases->Attach(impl->node.get());
    impl->evidence->Attach(impl->node.get());
    impl->publisher = std::make_unique<app::StatisticsPublisher>(
        *impl->store, *impl->statistics, *impl->node, self->party
    );
    impl->collector = std::make_unique<app::StatisticsCollector>(
        *impl->store,
        *impl->publisher,
        *impl->node,
        self->party,
        app::StatisticsCollector::Options{
            config.statistics_secretariat, config.statistics_secretariat_node}
    );
    impl->assets = std::make_unique<app::AssetRegister>(
        *impl->store,
        [cases = impl->cases.get()](
            const app::Actor& actor, app::Action action, std::string_view case_id
        ) { return cases->Authorize(actor, action, case_id); },
        [node](store::Transaction& tx, const boost::json::object& leaf) {
            return node->AppendEvent(tx, leaf);
        },
        impl->deadlines.get(),
        [] { return NowMillis(); }
    );
    impl->assistance = std::make_unique<app::TechnicalAssistance>(
        *impl->store,
        [node](store::Transaction& tx, const boost::json::object& leaf) {
            return node->AppendEvent(tx, leaf);
        },
        self->party,
        config.assistance_secretariat,
        [] { return NowMillis(); }
    );
    impl->assistance->Attach(impl->node.get(), config.assistance_secretariat_node);
    CONCORD_RETURN_IF_ERROR(StartPreservation(*impl));
    impl->node->Start();
    impl->deadlines->Run();
    impl->preservation->Start();
    // A node that was down past a package's retention end shreds it before it serves anyone:
    // batch after batch until none is left.
    while (impl->ExpireEvidence() == Impl::kRetentionBatch) {
    }

    // The local API listener starts first: once the federation listener answers /healthz, the
    // whole node is up (health checks and peers see one listener, local clients the other).
    auto api_listener = StartListener(*impl, Listener::kApi);
    if (!api_listener) {
        impl->node->Stop();
        return api_listener.error();
    }
    impl->api_server = std::move(*api_listener);
    auto federation_listener = StartListener(*impl, Listener::kFederation);
    if (!federation_listener) {
        impl->api_server->Stop();
        impl->node->Stop();
        return federation_listener.error();
    }
    impl->server = std::move(*federation_listener);
    // Directory reloads have their own thread: a reload (a revocation above all) never waits
    // for a peer that is slow to answer the witness.
    impl->reloader = std::thread([raw] { raw->ReloadLoop(); });
    impl->witness = std::thread([raw] { raw->WitnessLoop(); });
    impl->evidence_thread = std::thread([raw] { raw->EvidenceLoop(); });
    log::Info(
        "node started",
        {{"node", config.node_id},
         {"listen", config.listen_address + ":" + std::to_string(impl->server->Port())},
         {"api_listen", config.api_listen_address + ":" + std::to_string(impl->api_server->Port())},
         {"directory_serial", static_cast<long long>(shared_directory->serial)}}
    );
    return std::unique_ptr<NodeService>(new NodeService(std::move(impl)));
}

NodeService::NodeService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

NodeService::~NodeService() {
    Stop();
}

std::uint16_t NodeService::Port() const {
    return impl_->server->Port();
}

std::uint16_t NodeService::ApiPort() const {
    return impl_->api_server->Port();
}

void NodeService::Stop() {
    if (!impl_ || !impl_->server) {
        return;
    }
    // Requests in flight finish and are answered; new ones get 503 until the listeners close.
    impl_->Drain(impl_->config.shutdown_drain);
    impl_->events->Close();
    impl_->api_server->Stop();
    impl_->server->Stop();
    {
        MutexLock lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->evidence_sender->Cancel();
    impl_->cv.notify_all();
    for (std::thread* t : {&impl_->reloader, &impl_->witness, &impl_->evidence_thread}) {
        if (t->joinable()) {
            t->join();
        }
    }
    impl_->preservation->Stop();
    impl_->deadlines->Stop();
    impl_->node->Stop();
    impl_->api_server.reset();
    impl_->server.reset();
    log::Info("node stopped", {{"node", impl_->config.node_id}});
}

bool NodeService::Impl::EnterRequest() {
    MutexLock lock(drain_mu);
    if (draining) {
        return false;
    }
    ++in_flight;
    return true;
}

void NodeService::Impl::LeaveRequest() {
    MutexLock lock(drain_mu);
    if (--in_flight == 0) {
        drain_cv.notify_all();
    }
}

void NodeService::Impl::Drain(std::chrono::milliseconds limit) {
    MutexLock lock(drain_mu);
    draining = true;
    if (!drain_cv.wait_for(drain_mu, limit, [this] {
            drain_mu.AssertHeld();
            return in_flight == 0;
        })) {
        log::Warning(
            "shutdown: requests still running after the drain time; cutting them off",
            {{"in_flight", in_flight}}
        );
    }
}

bool NodeService::Impl::WaitOrStop(std::chrono::milliseconds interval) {
    MutexLock lock(mu);
    return cv.wait_for(mu, interval, [this] {
        mu.AssertHeld();
        return stopping;
    });
}

void NodeService::Impl::ReloadLoop() {
    while (!WaitOrStop(config.directory_reload_interval)) {
        ReloadDirectory();
    }
}

void NodeService::Impl::WitnessLoop() {
    while (!WaitOrStop(config.witness_interval)) {
        if (auto round = node->WitnessPeers(); !round) {
            log::Warning("witnessing failed", {{"error", round.error().ToString()}});
        }
    }
}

void NodeService::Impl::EvidenceLoop() {
    // Start() ran the first sweep.
    auto next_retention_sweep = std::chrono::steady_clock::now() + kRetentionSweepInterval;
    for (;;) {
        bool sweep_now = false;
        {
            MutexLock lock(mu);
            cv.wait_for(mu, std::chrono::seconds(2), [this] {
                mu.AssertHeld();
                return stopping || evidence_wake || retention_wake;
            });
            if (stopping) {
                return;
            }
            evidence_wake = false;
            sweep_now = retention_wake;
            retention_wake = false;
        }
        const auto now = std::chrono::steady_clock::now();
        evidence_sender->RunOnce(*node->Directory(), now);
        if (sweep_now || now >= next_retention_sweep) {
            next_retention_sweep = now + kRetentionSweepInterval;
            ExpireEvidence();
        }
    }
}

std::size_t NodeService::Impl::ExpireEvidence() {
    // Uploads in parts that waited too long for their next part go with the same sweep, whether
    // or not shredding works.
    if (auto dropped = evidence->ExpireUploads(NowMillis(), kRetentionBatch); !dropped) {
        log::Warning("evidence upload sweep failed", {{"error", dropped.error().ToString()}});
    } else if (*dropped > 0) {
        log::Info(
            "abandoned evidence uploads dropped", {{"uploads", static_cast<long long>(*dropped)}}
        );
    }
    auto shredded = evidence->Expire(NowMillis(), kRetentionBatch);
    if (!shredded) {
        log::Warning("evidence retention sweep failed", {{"error", shredded.error().ToString()}});
        return 0;
    }
    if (*shredded > 0) {
        log::Info(
            "evidence packages shredded at the end of their retention",
            {{"packages", static_cast<long long>(*shredded)}}
        );
    }
    return *shredded;
}

void NodeService::Impl::WakeRetentionSweep() {
    {
        MutexLock lock(mu);
        retention_wake = true;
    }
    cv.notify_all();
}

void NodeService::Impl::WakeEvidenceSender() {
    {
        MutexLock lock(mu);
        evidence_wake = true;
    }
    cv.notify_all();
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
    const auto serial = directory->serial;
    if (auto ok = node->SetDirectory(
            std::make_shared<const federation::Directory>(std::move(*directory)),
            federation::HashHex(crypto::Sha256(AsBytes(text)))
        );
        !ok) {
        log::Error("directory not reloaded", {{"error", ok.error().ToString()}});
        if (ok.error().code == ErrorCode::kInvalidArgument) {
            directory_text = std::move(text);  // a rollback: do not log it every second
        }
        return;
    }
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
        {"concord_refusal_logs_suppressed",
         "Envelope refusal log lines not written (rate limit per claimed sender and reason)",
         &federation::NodeCounters::refusal_logs_suppressed},
        {"concord_refusal_events_unrecorded",
         "Envelope refusals without an envelope.refused audit event (rate limit or store error)",
         &federation::NodeCounters::refusal_events_unrecorded},
    };
    for (const CounterMetric& c : kCounters) {
        metrics.AddGaugeFunction(c.name, c.help, [this, field = c.field] {
            return static_cast<double>((node->Counters().*field).load());
        });
    }
    for (int i = 0; i < federation::kRefusalCount; ++i) {
        const auto reason = federation::RefusalCode(static_cast<federation::Refusal>(i));
        metrics.AddGaugeFunction(
            "concord_envelopes_refused",
            "Incoming envelopes refused, by reason",
            [this, i] { return static_cast<double>(node->Counters().refused[i].load()); },
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
