#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/retention_policy.hpp"
#include "concord/core/result.hpp"

namespace concord::server {

/// A node's configuration (docs/operations.md §Configuration lists every key).
/// Relative paths are resolved against the directory of the config file.
struct Config {
    std::filesystem::path file;  ///< the config file itself

    // [node]
    std::string node_id;
    std::filesystem::path key_file;
    std::filesystem::path passphrase_file;  ///< empty: environment CONCORD_PASSPHRASE
    std::string store_url;                  ///< "sqlite:PATH" or a PostgreSQL DSN

    // [http]: the federation listener (/fed/v1 and /healthz only)
    std::string listen_address{"127.0.0.1"};
    std::uint16_t listen_port{0};
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
    bool allow_plain_http{false};
    std::size_t max_body_bytes{1 << 20};
    std::size_t max_header_bytes{16 << 10};
    std::size_t max_connections{512};
    std::size_t max_connections_per_address{64};
    double rate_per_second{500};
    double rate_burst{1000};
    std::chrono::milliseconds header_timeout{5000};
    std::chrono::milliseconds idle_timeout{60000};
    int io_threads{2};
    int handler_threads{32};
    /// On SIGTERM, how long requests in flight may take to finish before connections are cut.
    std::chrono::milliseconds shutdown_drain{10000};

    // [api]: the local API listener (/api/v1, /healthz, /metrics when enabled)
    std::string api_listen_address{"127.0.0.1"};
    std::uint16_t api_listen_port{0};
    std::string api_token_sha256;  ///< hex SHA-256 of the local API bearer token
    int api_handler_threads{8};
    bool metrics{false};  ///< serve /metrics on the API listener (no token)

    // [directory]
    std::filesystem::path directory_file;
    std::vector<std::string> directory_trusted_keys;  ///< base64 Ed25519 public keys
    std::chrono::milliseconds directory_reload_interval{1000};

    // [delivery]
    std::chrono::milliseconds delivery_horizon{std::chrono::hours(24 * 10)};
    std::chrono::milliseconds initial_backoff{250};
    std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
    int delivery_workers{4};
    bool delivery_proofs{true};

    // [inbox]
    std::chrono::milliseconds max_age{std::chrono::hours(24 * 11)};
    std::chrono::milliseconds max_future_skew{std::chrono::minutes(5)};

    // [witness]
    std::chrono::milliseconds witness_interval{10000};

    // [legal]
    std::filesystem::path instruments_dir;  ///< empty: the built-in default

    // [preservation]: a service provider's automatic preservation hook (docs/operations.md)
    /// The hook executable (absolute, or relative to the config file) and its arguments.
    std::vector<std::string> preservation_hook;
    std::chrono::milliseconds preservation_hook_timeout{std::chrono::seconds(30)};
    /// Or a local URL the order is POSTed to (http://127.0.0.1 or http://[::1] only).
    std::string preservation_hook_url;

    // [evidence]: evidence packages (docs/operations.md "Evidence storage")
    /// The content-addressed blob folder of encrypted evidence files; empty in the file:
    /// "blobs" beside the config file.
    std::filesystem::path evidence_blob_dir;
    /// The largest file one upload may carry.
    std::uint64_t evidence_max_file_bytes{std::uint64_t{64} << 30};
    /// Uploads and downloads served at once by the local API (each holds one thread); one more
    /// is answered 503 busy. Message intake and the emergency lane never wait for them.
    int evidence_transfers{2};
    /// How long a package is kept after it was created, plus the time its case spent under a
    /// legal hold, before the node shreds it (docs/operations.md "Retention and legal holds").
    std::chrono::milliseconds evidence_retention{std::chrono::days(1827)};
    /// How long an upload in parts waits for its next part before what was kept is dropped.
    std::chrono::milliseconds evidence_upload_expiry{std::chrono::days(7)};
    /// Other periods for the packages of some cases, by instrument, party and data category
    /// (app::RetentionPolicy); checked together with evidence_retention.
    std::vector<app::RetentionRule> evidence_retention_rules;

    // [statistics] (docs/statistics.md)
    /// Counts below it (and durations from fewer cases) are suppressed in every report.
    std::int64_t statistics_threshold{5};
    /// The node collects the statistics reports States' nodes send it and publishes their
    /// totals (docs/statistics.md "Collection by a secretariat").
    bool statistics_secretariat{false};
    /// On a State's node: the secretariat's node id its reports are sent to on request.
    std::string statistics_secretariat_node;

    // [web]: the browser UI (docs/operations.md "Web UI")
    /// The folder of the built UI (index.html and assets/, as `npm run build` in web/ writes
    /// it); served on the API listener at / and /assets/. Empty: no UI is served.
    std::filesystem::path web_root;
    // [assistance]: technical assistance (docs/assistance.md)
    /// The node is a treaty secretariat's: it sees every party's needs, offers and engagements,
    /// not only its own party's.
    bool assistance_secretariat{false};
    /// On a State's node: the secretariat's node id that its needs, offers, withdrawals and
    /// engagement steps are sent to, and the only node whose engagements it takes. Empty: they
    /// stay on this node.
    std::string assistance_secretariat_node;

    // [log]
    std::string log_level{"info"};

    // [people]: users and sign-in (docs/operations.md "Users and sign-in")
    std::uint64_t argon2_memory_kib{
        std::uint64_t{256} * 1024};         ///< Argon2id memory per password hash
    std::uint64_t argon2_passes{3};         ///< Argon2id passes
    int max_failed_logins{5};               ///< consecutive failures that lock an account
    int max_concurrent_password_checks{2};  ///< sign-ins checked at once; more get 503
    std::chrono::milliseconds lockout{std::chrono::minutes(15)};
    std::chrono::milliseconds session_idle{std::chrono::minutes(15)};
    std::chrono::milliseconds session_absolute{std::chrono::hours(12)};
    std::chrono::milliseconds token_max_lifetime{std::chrono::hours(24 * 366)};
    // [duty]: the 24/7 duty desk (docs/operations.md "Duty desk")
    /// An emergency arrival unacknowledged this long escalates to the backups and the webhook.
    std::chrono::milliseconds duty_escalation{std::chrono::minutes(15)};
    /// Optional URL POSTed a JSON body at every deadline breach; empty: no webhook.
    std::string duty_webhook_url;
    /// Hex SHA-256 of the webhook server's certificate (required for an https URL).
    std::string duty_webhook_tls_sha256;
};

/// Reads and checks a TOML config file. Every problem is reported as
/// "FILE: key 'SECTION.KEY': REASON" (or "FILE:LINE:COLUMN: REASON" for TOML syntax), and the
/// first problem stops loading: a node never starts on a guess.
Result<Config> LoadConfig(const std::filesystem::path& file);

/// The passphrase of node.key: the file `node.passphrase_file` (without its final line break),
/// else the environment variable CONCORD_PASSPHRASE. kNotFound if the file cannot be read;
/// kInvalidArgument if neither gives one.
Result<std::string> NodePassphrase(const Config& config);

/// Parses config text (for tests); `file` names it in errors and anchors relative paths.
Result<Config> ParseConfig(std::string_view text, const std::filesystem::path& file);

}  // namespace concord::server
