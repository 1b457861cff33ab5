#include "concord/server/init.hpp"

#include <cerrno>

#include <boost/json/serialize.hpp>

#include "concord/core/file.hpp"
#include "concord/crypto/base64.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/key_file.hpp"
#include "concord/crypto/password.hpp"
#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/signed_json.hpp"
#include "concord/ledger/log.hpp"
#include "concord/net/tls.hpp"
#include "concord/store/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>

namespace concord::server {
namespace {

constexpr std::string_view kKeyLabelPrefix = "concord-node-v1:";

std::string TomlString(std::string_view s) {
    // Basic TOML string: escape backslash and quote; control characters are not expected in
    // paths and ids (checked by the callers).
    std::string out = "\"";
    for (char c : s) {
        if (c == '\\' || c == '"') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

std::string ConfigText(const InitOptions& o, const std::string& token_hash) {
    std::string keys;
    for (const auto& k : o.directory_keys) {
        keys += (keys.empty() ? "" : ", ") + TomlString(k);
    }
    std::string text;
    text += "# Concord node configuration (docs/operations.md lists every key).\n";
    text += "[node]\nid = " + TomlString(o.node_id) + "\nkey_file = \"node.key\"\n";
    if (o.write_passphrase_file) {
        text += "passphrase_file = \"passphrase\"\n";
    }
    text += "store = \"sqlite:node.db\"\n\n";
    text += "[http]\nlisten = " + TomlString(o.listen) + "\n";
    text += "tls_cert = \"tls.crt\"\ntls_key = \"tls.key\"\n";
    text += std::string("allow_plain_http = ") + (o.allow_plain_http ? "true" : "false") + "\n\n";
    text += "[api]\nlisten = " + TomlString(o.api_listen) + "\n";
    text += "token_sha256 = " + TomlString(token_hash) + "\n";
    text += "# metrics = true    # serve /metrics (Prometheus) on api.listen\n\n";
    text += "[directory]\nfile = " + TomlString(o.directory_file.string()) + "\n";
    text += "trusted_keys = [" + keys + "]\n";
    return text;
}

Result<void> Write(const std::filesystem::path& path, std::string_view data, unsigned mode) {
    return WriteFileAtomically(path, AsBytes(data), mode, ExistingFile::kRefuse);
}

// "127.0.0.1:<port + 100>" for a federation listen "ADDRESS:PORT" (port 0 stays 0).
Result<std::string> DefaultApiListen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    const std::string digits = colon == std::string::npos ? "" : listen.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "listen: expected ADDRESS:PORT");
    }
    const int port = std::stoi(digits);
    if (port > 65535 - 100) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "listen port " + digits + " leaves no default API port; give the API listen address"
        );
    }
    return "127.0.0.1:" + std::to_string(port == 0 ? 0 : port + 100);
}

// Creates `path` empty with mode 0600 (the mode SQLite then gives its -wal and -shm files).
Result<void> CreatePrivateFile(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.Get() < 0) {
        return FileErrnoError(path, "create", errno);
    }
    return {};
}

}  // namespace

std::string HashApiToken(std::string_view token) {
    const auto hash = crypto::Sha256(AsBytes(token));
    return HexEncode(ByteSpan(hash.data(), hash.size()));
}

Result<federation::NodeKeys> LoadNodeKeys(
    const std::filesystem::path& key_file, std::string_view passphrase
) {
    CONCORD_ASSIGN_OR_RETURN(auto contents, crypto::KeyFile::Read(key_file, passphrase));
    if (contents.label.rfind(kKeyLabelPrefix, 0) != 0 || contents.secret.Size() != 64) {
        return MakeError(
            ErrorCode::kInvalidArgument, key_file.string() + " does not hold a Concord node key"
        );
    }
    const ByteSpan secret = contents.secret.Span();
    CONCORD_ASSIGN_OR_RETURN(auto signing, crypto::SigningKey::FromSeed(secret.subspan(0, 32)));
    CONCORD_ASSIGN_OR_RETURN(auto box, crypto::BoxKeyPair::FromSecret(secret.subspan(32, 32)));
    return federation::NodeKeys{std::move(signing), std::move(box)};
}

Result<InitResult> InitNode(const InitOptions& o) {
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(o.node_id));
    if (o.party.empty() || o.roles.empty() || o.authority.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "a node needs a party, a role and an authority"
        );
    }
    for (const auto& role : o.roles) {
        if (std::find(std::begin(federation::kRoles), std::end(federation::kRoles), role) ==
            std::end(federation::kRoles)) {
            return MakeError(ErrorCode::kInvalidArgument, "unknown role '" + role + "'");
        }
    }
    if (o.passphrase.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "a passphrase for node.key is required");
    }
    if (o.directory_keys.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument, "at least one trusted directory key is required"
        );
    }
    for (const auto& key : o.directory_keys) {
        auto bytes = crypto::Base64Decode(key);
        if (!bytes || !crypto::PublicKey::FromBytes(*bytes)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "directory key '" + key + "' is not a base64 Ed25519 public key"
            );
        }
    }
    InitOptions options = o;
    if (options.api_listen.empty()) {
        CONCORD_ASSIGN_OR_RETURN(options.api_listen, DefaultApiListen(o.listen));
    }
    std::error_code ec;
    std::filesystem::create_directories(o.dir, ec);
    if (ec) {
        return MakeError(
            ErrorCode::kUnavailable, "cannot create " + o.dir.string() + ": " + ec.message()
        );
    }
    if (std::filesystem::exists(o.dir / "config.toml")) {
        return MakeError(ErrorCode::kAlreadyExists, o.dir.string() + " holds a node already");
    }
    // The node folder holds the store and the secrets: its owner only, whatever the umask.
    if (::chmod(o.dir.c_str(), 0700) != 0) {
        return FileErrnoError(o.dir, "chmod 700", errno);
    }
    if (options.directory_file.empty()) {
        options.directory_file = std::filesystem::absolute(o.dir).parent_path() / "directory.json";
    }
    const std::string host = o.listen.substr(0, o.listen.rfind(':'));

    // Keys: one 64-byte secret, Ed25519 seed then X25519 secret.
    crypto::SigningKey signing = crypto::SigningKey::Generate();
    crypto::BoxKeyPair box = crypto::BoxKeyPair::Generate();
    crypto::SecretBytes secret(64);
    std::copy(signing.Seed().Span().begin(), signing.Seed().Span().end(), secret.Data());
    std::copy(box.Secret().Span().begin(), box.Secret().Span().end(), secret.Data() + 32);
    const crypto::Argon2Params params =
        o.fast_key_derivation ? crypto::MinimumArgon2Params() : crypto::Argon2Params{};
    CONCORD_RETURN_IF_ERROR(crypto::KeyFile::Write(
        o.dir / "node.key", std::string(kKeyLabelPrefix) + o.node_id, secret, o.passphrase, params
    ));
    if (o.write_passphrase_file) {
        CONCORD_RETURN_IF_ERROR(Write(o.dir / "passphrase", o.passphrase, 0600));
    }

    CONCORD_ASSIGN_OR_RETURN(
        net::TlsIdentity tls,
        net::GenerateSelfSignedCertificate(
            o.node_id, {host, "localhost"}, std::chrono::hours(24 * 825)
        )
    );
    CONCORD_RETURN_IF_ERROR(Write(o.dir / "tls.crt", tls.cert_pem, 0644));
    CONCORD_RETURN_IF_ERROR(Write(o.dir / "tls.key", tls.key_pem, 0600));

    const Bytes token_bytes = crypto::RandomBytes(32);
    InitResult result;
    result.api_token = HexEncode(token_bytes);
    CONCORD_RETURN_IF_ERROR(Write(o.dir / "api-token", result.api_token + "\n", 0600));
    result.config_file = o.dir / "config.toml";
    CONCORD_RETURN_IF_ERROR(
        Write(result.config_file, ConfigText(options, HashApiToken(result.api_token)), 0644)
    );

    federation::NodeEntry& e = result.entry;
    e.id = o.node_id;
    e.party = o.party;
    e.authority = o.authority;
    e.roles = o.roles;
    e.endpoint = o.endpoint.empty()
                     ? std::string(o.allow_plain_http ? "http://" : "https://") + o.listen
                     : o.endpoint;
    e.signing_key = signing.PublicKey();
    e.box_key = box.PublicKey();
    e.tls_sha256 = tls.sha256_fingerprint;
    e.languages = o.languages;
    CONCORD_RETURN_IF_ERROR(Write(
        o.dir / "node-info.json",
        federation::CanonicalText(federation::NodeEntryToJson(e)) + "\n",
        0644
    ));

    // The store with every schema and an empty audit log.
    CONCORD_RETURN_IF_ERROR(CreatePrivateFile(o.dir / "node.db"));
    CONCORD_ASSIGN_OR_RETURN(
        auto store, store::Store::Open("sqlite:" + (o.dir / "node.db").string())
    );
    CONCORD_RETURN_IF_ERROR(ledger::Log::Open(*store));
    auto migrations = federation::Node::Migrations();
    CONCORD_RETURN_IF_ERROR(store->Migrate(migrations));
    return result;
}

}  // namespace concord::server
