#include "concord/server/config.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "concord/core/time.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/net/url.hpp"

#include <toml++/toml.h>

namespace concord::server {
namespace {

// The largest file size an evidence manifest can state (2^53 - 1, app::kMaxEvidenceFileBytes;
// config_test checks that the two agree). Kept here so the config reader, which the config fuzz
// target builds alone, needs no other module.
constexpr std::uint64_t kMaxEvidenceFileBytes = (std::uint64_t{1} << 53) - 1;

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::string FormatNumber(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

// The largest whole unit that divides `d` exactly: "250ms", "5m", "365d".
std::string FormatDuration(milliseconds d) {
    const std::pair<std::int64_t, const char*> units[] = {
        {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
    for (const auto& [scale, unit] : units) {
        if (d.count() != 0 && d.count() % scale == 0) {
            return std::to_string(d.count() / scale) + unit;
        }
    }
    return std::to_string(d.count()) + "ms";
}

// Reads the sections of one config table, remembering which keys were used so that an unknown
// (misspelt) key is refused rather than ignored.
class Reader {
public:
    Reader(const toml::table& root, std::filesystem::path file)
        : root_(root), file_(std::move(file)), base_(file_.parent_path()) {}

    Error Problem(std::string_view key, std::string_view reason) const {
        return MakeError(
            ErrorCode::kInvalidArgument,
            file_.string() + ": key '" + std::string(key) + "': " + std::string(reason)
        );
    }

    const toml::node* Find(std::string_view key) {
        used_.insert(std::string(key));
        return root_.at_path(key).node();
    }

    Result<void> String(std::string_view key, std::string& out, bool required) {
        const toml::node* n = Find(key);
        if (n == nullptr) {
            return required ? Result<void>(Problem(key, "is required")) : Result<void>();
        }
        const auto* s = n->as_string();
        if (s == nullptr) {
            return Problem(key, "must be a string");
        }
        out = s->get();
        if (required && out.empty()) {
            return Problem(key, "must not be empty");
        }
        return {};
    }

    Result<void> Path(std::string_view key, std::filesystem::path& out, bool required) {
        std::string text;
        CONCORD_RETURN_IF_ERROR(String(key, text, required));
        if (!text.empty()) {
            out = Resolve(text);
        }
        return {};
    }

    Result<void> Bool(std::string_view key, bool& out) {
        const toml::node* n = Find(key);
        if (n == nullptr) {
            return {};
        }
        const auto* b = n->as_boolean();
        if (b == nullptr) {
            return Problem(key, "must be true or false");
        }
        out = b->get();
        return {};
    }

    template <class T>
    Result<void> Integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
        const toml::node* n = Find(key);
        if (n == nullptr) {
            return {};
        }
        const auto* i = n->as_integer();
        if (i == nullptr) {
            return Problem(key, "must be an integer");
        }
        if (i->get() < min || i->get() > max) {
            return Problem(
                key, "must be between " + std::to_string(min) + " and " + std::to_string(max)
            );
        }
        out = static_cast<T>(i->get());
        return {};
    }

    Result<void> Number(std::string_view key, double& out, double min, double max) {
        const toml::node* n = Find(key);
        if (n == nullptr) {
            return {};
        }
        std::optional<double> v = n->value<double>();
        // NaN fails both comparisons; TOML's inf fails the upper bound.
        if (!v || !(*v >= min && *v <= max)) {
            return Problem(
                key, "must be a number from " + FormatNumber(min) + " to " + FormatNumber(max)
            );
        }
        out = *v;
        return {};
    }

    /// A duration ("250ms", "10s", ...) from `min` to `max`, both inclusive.
    Result<void> Duration(
        std::string_view key,
        std::chrono::milliseconds& out,
        std::chrono::milliseconds min,
        std::chrono::milliseconds max
    ) {
        std::string text;
        CONCORD_RETURN_IF_ERROR(String(key, text, false));
        if (text.empty()) {
            return {};
        }
        auto d = ParseDuration(text);
        if (!d) {
            return Problem(key, d.error().message);
        }
        if (*d < min || *d > max) {
            return Problem(
                key, "must be from " + FormatDuration(min) + " to " + FormatDuration(max)
            );
        }
        out = *d;
        return {};
    }

    Result<void> Strings(std::string_view key, std::vector<std::string>& out) {
        const toml::node* n = Find(key);
        if (n == nullptr) {
            return {};
        }
        const auto* array = n->as_array();
        if (array == nullptr) {
            return Problem(key, "must be an array of strings");
        }
        for (const auto& item : *array) {
            const auto* s = item.as_string();
            if (s == nullptr) {
                return Problem(key, "must be an array of strings");
            }
            out.push_back(s->get());
        }
        return {};
    }

    /// Refuses keys that no Read call asked for.
    Result<void> NoUnknownKeys() {
        for (const auto& [section, value] : root_) {
            const auto* table = value.as_table();
            const std::string name(section.str());
            if (table == nullptr) {
                return Problem(name, "unknown key (settings belong to a [section])");
            }
            for (const auto& [key, unused] : *table) {
                const std::string full = name + "." + std::string(key.str());
                if (!used_.contains(full)) {
                    return Problem(full, "unknown key");
                }
            }
        }
        return {};
    }

    std::filesystem::path Resolve(const std::string& text) const {
        std::filesystem::path p(text);
        return p.is_absolute() ? p : base_ / p;
    }

private:
    const toml::table& root_;
    std::filesystem::path file_;
    std::filesystem::path base_;
    std::set<std::string> used_;
};

// Reads "ADDRESS:PORT" (IPv6 in brackets) from `key`.
Result<void> ParseListen(
    Reader& r, std::string_view key, std::string& address_out, std::uint16_t& port_out
) {
    std::string listen;
    CONCORD_RETURN_IF_ERROR(r.String(key, listen, true));
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
        return r.Problem(key, "expected ADDRESS:PORT, e.g. 127.0.0.1:7101");
    }
    std::string address = listen.substr(0, colon);
    if (address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    const std::string digits = listen.substr(colon + 1);
    int port = -1;
    if (digits.size() <= 5 && digits.find_first_not_of("0123456789") == std::string::npos) {
        port = std::stoi(digits);
    }
    if (port < 0 || port > 65535) {
        return r.Problem(key, "port must be 0 to 65535");
    }
    address_out = address;
    port_out = static_cast<std::uint16_t>(port);
    return {};
}

bool IsLoopback(const std::string& address) {
    return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

// [preservation]: the hook is an executable started without a shell, or a loopback URL.
Result<void> ReadPreservation(Reader& r, Config& c) {
    CONCORD_RETURN_IF_ERROR(r.Strings("preservation.hook", c.preservation_hook));
    if (!c.preservation_hook.empty()) {
        if (c.preservation_hook.front().empty()) {
            return r.Problem("preservation.hook", "the first element must name the executable");
        }
        c.preservation_hook.front() = r.Resolve(c.preservation_hook.front()).string();
    }
    CONCORD_RETURN_IF_ERROR(r.Duration(
        "preservation.hook_timeout", c.preservation_hook_timeout, milliseconds(100), hours(1)
    ));
    CONCORD_RETURN_IF_ERROR(r.String("preservation.hook_url", c.preservation_hook_url, false));
    const std::string& url = c.preservation_hook_url;
    if (!url.empty() && !url.starts_with("http://127.0.0.1:") &&
        !url.starts_with("http://[::1]:")) {
        return r.Problem(
            "preservation.hook_url", "must be http://127.0.0.1:PORT/... or http://[::1]:PORT/..."
        );
    }
    if (!url.empty() && !c.preservation_hook.empty()) {
        return r.Problem(
            "preservation.hook_url", "set preservation.hook or preservation.hook_url, not both"
        );
    }
    return {};
}

// evidence.retention_rules: an array of tables of instrument, party, category and period.
Result<void> ReadRetentionRules(Reader& r, Config& c) {
    constexpr std::string_view kKey = "evidence.retention_rules";
    const toml::node* n = r.Find(kKey);
    if (n == nullptr) {
        return {};
    }
    const auto* array = n->as_array();
    if (array == nullptr) {
        return r.Problem(kKey, "must be an array of tables");
    }
    std::vector<app::RetentionRule> rules;
    for (const toml::node& item : *array) {
        const auto* table = item.as_table();
        const std::string which = "rule " + std::to_string(rules.size() + 1);
        if (table == nullptr) {
            return r.Problem(kKey, which + " is not a table");
        }
        app::RetentionRule rule;
        std::string period;
        for (const auto& [name, value] : *table) {
            const auto* text = value.as_string();
            std::string* out = name == "instrument" ? &rule.instrument
                               : name == "party"    ? &rule.party
                               : name == "category" ? &rule.category
                               : name == "period"   ? &period
                                                    : nullptr;
            if (out == nullptr) {
                return r.Problem(
                    kKey,
                    which + ": unknown key '" + std::string(name.str()) +
                        "' (instrument, party, category, period)"
                );
            }
            if (text == nullptr || text->get().empty()) {
                return r.Problem(
                    kKey, which + ": " + std::string(name.str()) + " must be a non-empty string"
                );
            }
            *out = text->get();
        }
        if (period.empty()) {
            return r.Problem(kKey, which + ": period is required");
        }
        auto d = ParseDuration(period);
        if (!d) {
            return r.Problem(kKey, which + ": period: " + d.error().message);
        }
        rule.period_ms = d->count();
        rules.push_back(std::move(rule));
    }
    auto policy = app::RetentionPolicy::Create(c.evidence_retention.count(), rules);
    if (!policy) {
        return r.Problem(kKey, policy.error().message);
    }
    c.evidence_retention_rules = std::move(rules);
    return {};
}

// `SECTION.secretariat_node`: a node id, not this node's, and not on a secretariat's node.
Result<void> CheckSecretariatNode(
    const Reader& r,
    const std::string& section,
    bool secretariat,
    const std::string& secretariat_node,
    const std::string& node_id
) {
    if (secretariat_node.empty()) {
        return {};
    }
    const std::string key = section + ".secretariat_node";
    if (secretariat) {
        return r.Problem(
            key, "a secretariat's node (" + section + ".secretariat = true) sends to no secretariat"
        );
    }
    if (secretariat_node == node_id) {
        return r.Problem(key, "names this node itself");
    }
    if (auto valid = federation::CheckNodeId(secretariat_node); !valid) {
        return r.Problem(key, valid.error().message);
    }
    return {};
}

Result<void> ReadAll(Reader& r, Config& c) {
    CONCORD_RETURN_IF_ERROR(r.String("node.id", c.node_id, true));
    CONCORD_RETURN_IF_ERROR(r.Path("node.key_file", c.key_file, true));
    CONCORD_RETURN_IF_ERROR(r.Path("node.passphrase_file", c.passphrase_file, false));
    CONCORD_RETURN_IF_ERROR(r.String("node.store", c.store_url, true));
    if (c.store_url.rfind("sqlite:", 0) == 0) {
        c.store_url = "sqlite:" + r.Resolve(c.store_url.substr(7)).string();
    }

    CONCORD_RETURN_IF_ERROR(ParseListen(r, "http.listen", c.listen_address, c.listen_port));
    CONCORD_RETURN_IF_ERROR(r.Bool("http.allow_plain_http", c.allow_plain_http));
    CONCORD_RETURN_IF_ERROR(r.Path("http.tls_cert", c.tls_cert, !c.allow_plain_http));
    CONCORD_RETURN_IF_ERROR(r.Path("http.tls_key", c.tls_key, !c.allow_plain_http));
    if (c.allow_plain_http && !IsLoopback(c.listen_address)) {
        return r.Problem("http.allow_plain_http", "plain HTTP is allowed on loopback only");
    }
    CONCORD_RETURN_IF_ERROR(r.Integer("http.max_body_bytes", c.max_body_bytes, 1024, 1 << 30));
    CONCORD_RETURN_IF_ERROR(r.Integer("http.max_header_bytes", c.max_header_bytes, 1024, 1 << 20));
    CONCORD_RETURN_IF_ERROR(r.Integer("http.max_connections", c.max_connections, 1, 1 << 20));
    CONCORD_RETURN_IF_ERROR(
        r.Integer("http.max_connections_per_address", c.max_connections_per_address, 1, 1 << 20)
    );
    CONCORD_RETURN_IF_ERROR(r.Number("http.rate_per_second", c.rate_per_second, 0.001, 1e9));
    CONCORD_RETURN_IF_ERROR(r.Number("http.rate_burst", c.rate_burst, 1, 1e9));
    CONCORD_RETURN_IF_ERROR(
        r.Duration("http.header_timeout", c.header_timeout, milliseconds(100), minutes(5))
    );
    CONCORD_RETURN_IF_ERROR(r.Duration("http.idle_timeout", c.idle_timeout, seconds(1), hours(1)));
    CONCORD_RETURN_IF_ERROR(r.Integer("http.io_threads", c.io_threads, 1, 64));
    CONCORD_RETURN_IF_ERROR(r.Integer("http.handler_threads", c.handler_threads, 1, 256));
    CONCORD_RETURN_IF_ERROR(
        r.Duration("http.shutdown_drain", c.shutdown_drain, milliseconds(0), minutes(5))
    );

    CONCORD_RETURN_IF_ERROR(ParseListen(r, "api.listen", c.api_listen_address, c.api_listen_port));
    if (c.allow_plain_http && !IsLoopback(c.api_listen_address)) {
        return r.Problem("api.listen", "plain HTTP (http.allow_plain_http) is loopback only");
    }
    if (c.api_listen_port != 0 && c.api_listen_port == c.listen_port &&
        (c.api_listen_address == c.listen_address || c.api_listen_address == "0.0.0.0" ||
         c.listen_address == "0.0.0.0")) {
        return r.Problem("api.listen", "must differ from http.listen");
    }
    CONCORD_RETURN_IF_ERROR(r.String("api.token_sha256", c.api_token_sha256, true));
    if (c.api_token_sha256.size() != 64 ||
        c.api_token_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return r.Problem("api.token_sha256", "must be 64 lower-case hex digits");
    }
    CONCORD_RETURN_IF_ERROR(r.Integer("api.handler_threads", c.api_handler_threads, 1, 256));
    CONCORD_RETURN_IF_ERROR(r.Bool("api.metrics", c.metrics));

    CONCORD_RETURN_IF_ERROR(r.Path("directory.file", c.directory_file, true));
    CONCORD_RETURN_IF_ERROR(r.Strings("directory.trusted_keys", c.directory_trusted_keys));
    if (c.directory_trusted_keys.empty()) {
        return r.Problem("directory.trusted_keys", "at least one directory key is required");
    }
    for (const auto& key : c.directory_trusted_keys) {
        auto bytes = crypto::Base64Decode(key);
        if (!bytes || !crypto::PublicKey::FromBytes(*bytes)) {
            return r.Problem(
                "directory.trusted_keys", "'" + key + "' is not a base64 Ed25519 public key"
            );
        }
    }
    CONCORD_RETURN_IF_ERROR(r.Duration(
        "directory.reload_interval", c.directory_reload_interval, milliseconds(10), hours(1)
    ));

    CONCORD_RETURN_IF_ERROR(
        r.Duration("delivery.horizon", c.delivery_horizon, seconds(1), days(365))
    );
    CONCORD_RETURN_IF_ERROR(
        r.Duration("delivery.initial_backoff", c.initial_backoff, milliseconds(1), hours(1))
    );
    CONCORD_RETURN_IF_ERROR(
        r.Duration("delivery.max_backoff", c.max_backoff, milliseconds(1), days(1))
    );
    CONCORD_RETURN_IF_ERROR(r.Integer("delivery.workers", c.delivery_workers, 1, 256));
    CONCORD_RETURN_IF_ERROR(r.Bool("delivery.proofs", c.delivery_proofs));
    if (c.max_backoff < c.initial_backoff) {
        return r.Problem(
            "delivery.max_backoff", "must not be shorter than delivery.initial_backoff"
        );
    }

    CONCORD_RETURN_IF_ERROR(r.Duration("inbox.max_age", c.max_age, seconds(1), days(400)));
    CONCORD_RETURN_IF_ERROR(
        r.Duration("inbox.max_future_skew", c.max_future_skew, milliseconds(1), hours(1))
    );
    if (c.max_age < c.delivery_horizon) {
        return r.Problem(
            "inbox.max_age",
            "must be at least delivery.horizon, or retried envelopes would be refused as stale"
        );
    }
    CONCORD_RETURN_IF_ERROR(
        r.Duration("witness.interval", c.witness_interval, milliseconds(100), days(1))
    );
    CONCORD_RETURN_IF_ERROR(r.Path("legal.instruments_dir", c.instruments_dir, false));
    CONCORD_RETURN_IF_ERROR(r.Path("evidence.blob_dir", c.evidence_blob_dir, false));
    if (c.evidence_blob_dir.empty()) {
        c.evidence_blob_dir = r.Resolve("blobs");
    }
    CONCORD_RETURN_IF_ERROR(r.Integer(
        "evidence.max_file_bytes",
        c.evidence_max_file_bytes,
        1,
        static_cast<std::int64_t>(kMaxEvidenceFileBytes)
    ));
    CONCORD_RETURN_IF_ERROR(r.Integer("evidence.transfers", c.evidence_transfers, 1, 64));
    CONCORD_RETURN_IF_ERROR(
        r.Duration("evidence.retention", c.evidence_retention, days(1), days(36525))
    );
    CONCORD_RETURN_IF_ERROR(ReadRetentionRules(r, c));
    CONCORD_RETURN_IF_ERROR(r.Duration(
        "evidence.upload_expiry", c.evidence_upload_expiry, std::chrono::minutes(1), days(365)
    ));
    CONCORD_RETURN_IF_ERROR(r.Integer("statistics.threshold", c.statistics_threshold, 1, 1000));
    CONCORD_RETURN_IF_ERROR(r.Bool("statistics.secretariat", c.statistics_secretariat));
    CONCORD_RETURN_IF_ERROR(
        r.String("statistics.secretariat_node", c.statistics_secretariat_node, false)
    );
    CONCORD_RETURN_IF_ERROR(CheckSecretariatNode(
        r, "statistics", c.statistics_secretariat, c.statistics_secretariat_node, c.node_id
    ));
    CONCORD_RETURN_IF_ERROR(r.Path("web.root", c.web_root, false));
    CONCORD_RETURN_IF_ERROR(r.Bool("assistance.secretariat", c.assistance_secretariat));
    CONCORD_RETURN_IF_ERROR(
        r.String("assistance.secretariat_node", c.assistance_secretariat_node, false)
    );
    CONCORD_RETURN_IF_ERROR(CheckSecretariatNode(
        r, "assistance", c.assistance_secretariat, c.assistance_secretariat_node, c.node_id
    ));
    CONCORD_RETURN_IF_ERROR(
        r.Integer("people.argon2_memory_kib", c.argon2_memory_kib, 8, std::int64_t{4} * 1024 * 1024)
    );
    CONCORD_RETURN_IF_ERROR(r.Integer("people.argon2_passes", c.argon2_passes, 1, 16));
    CONCORD_RETURN_IF_ERROR(r.Integer("people.max_failed_logins", c.max_failed_logins, 1, 100));
    CONCORD_RETURN_IF_ERROR(
        r.Integer("people.max_concurrent_password_checks", c.max_concurrent_password_checks, 1, 64)
    );
    CONCORD_RETURN_IF_ERROR(r.Duration("people.lockout", c.lockout, seconds(1), days(7)));
    CONCORD_RETURN_IF_ERROR(
        r.Duration("people.session_idle", c.session_idle, seconds(10), hours(24))
    );
    CONCORD_RETURN_IF_ERROR(
        r.Duration("people.session_absolute", c.session_absolute, minutes(1), days(30))
    );
    CONCORD_RETURN_IF_ERROR(
        r.Duration("people.token_max_lifetime", c.token_max_lifetime, minutes(1), days(3660))
    );
    CONCORD_RETURN_IF_ERROR(ReadPreservation(r, c));
    CONCORD_RETURN_IF_ERROR(r.String("log.level", c.log_level, false));
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warning" &&
        c.log_level != "error") {
        return r.Problem("log.level", "must be debug, info, warning or error");
    }
    CONCORD_RETURN_IF_ERROR(r.Duration("duty.escalation", c.duty_escalation, minutes(1), days(1)));
    CONCORD_RETURN_IF_ERROR(r.String("duty.webhook_url", c.duty_webhook_url, false));
    CONCORD_RETURN_IF_ERROR(r.String("duty.webhook_tls_sha256", c.duty_webhook_tls_sha256, false));
    if (!c.duty_webhook_url.empty()) {
        auto url = net::ParseUrl(c.duty_webhook_url);
        if (!url) {
            return r.Problem("duty.webhook_url", url.error().message);
        }
        if (url->tls && c.duty_webhook_tls_sha256.empty()) {
            return r.Problem("duty.webhook_tls_sha256", "required for an https webhook");
        }
        if (!url->tls && !IsLoopback(url->host)) {
            return r.Problem("duty.webhook_url", "plain http is allowed on loopback only");
        }
    }
    return r.NoUnknownKeys();
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::filesystem::path& file) {
    toml::table table;
    try {
        table = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                std::to_string(e.source().begin.column) + ": " + std::string(e.description())
        );
    }
    Config c;
    c.file = file;
    Reader reader(table, file);
    CONCORD_RETURN_IF_ERROR(ReadAll(reader, c));
    return c;
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return MakeError(ErrorCode::kNotFound, file.string() + ": cannot open the config file");
    }
    std::stringstream text;
    text << in.rdbuf();
    return ParseConfig(text.str(), std::filesystem::absolute(file));
}

Result<std::string> NodePassphrase(const Config& config) {
    if (!config.passphrase_file.empty()) {
        std::ifstream in(config.passphrase_file, std::ios::binary);
        if (!in) {
            return MakeError(
                ErrorCode::kNotFound, config.passphrase_file.string() + ": cannot read"
            );
        }
        std::stringstream text;
        text << in.rdbuf();
        std::string pass = text.str();
        while (!pass.empty() && (pass.back() == '\n' || pass.back() == '\r')) {
            pass.pop_back();
        }
        return pass;
    }
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in this process calls setenv
    if (const char* env = std::getenv("CONCORD_PASSPHRASE"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
    return MakeError(
        ErrorCode::kInvalidArgument,
        "no passphrase for node.key: set node.passphrase_file or CONCORD_PASSPHRASE"
    );
}

}  // namespace concord::server
