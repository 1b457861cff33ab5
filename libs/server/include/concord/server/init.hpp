#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/federation/directory.hpp"
#include "concord/federation/node.hpp"

namespace concord::server {

/// What `concord init` needs to create a node.
struct InitOptions {
    std::filesystem::path dir;  ///< created; must not exist or be empty
    std::string node_id;
    std::string party;
    std::vector<std::string> roles;
    std::string authority;
    std::vector<std::string> languages{"en"};
    std::string listen{"127.0.0.1:7101"};  ///< the federation listener (http.listen)
    /// The local API listener (api.listen); default: 127.0.0.1 and the federation port + 100
    /// (port 0 stays 0).
    std::string api_listen;
    std::string endpoint;  ///< base URL peers use; default "https://" + listen
    bool allow_plain_http{false};
    std::string passphrase;  ///< protects node.key
    /// Writes the passphrase to DIR/passphrase (0600) and names it in the config, so the node
    /// starts unattended. For demos and tests; production passes it from a secret store.
    bool write_passphrase_file{false};
    /// Use the smallest Argon2id cost for node.key (demos and tests only).
    bool fast_key_derivation{false};
    std::filesystem::path directory_file;     ///< default DIR/../directory.json
    std::vector<std::string> directory_keys;  ///< trusted directory keys, base64
};

/// What InitNode created.
struct InitResult {
    std::string api_token;        ///< shown once; the config keeps only its SHA-256
    federation::NodeEntry entry;  ///< the node's public directory entry (also node-info.json)
    std::filesystem::path config_file;
};

/// Creates a node in `options.dir` (made 0700): node.key (Ed25519 + X25519,
/// passphrase-protected), tls.crt/tls.key (self-signed, pinned by fingerprint in the directory),
/// config.toml, api-token, node-info.json and node.db with the schema and an empty audit log.
/// Secrets and the store are 0600 whatever the umask.
/// kInvalidArgument for bad options; kAlreadyExists if the directory has a node already.
Result<InitResult> InitNode(const InitOptions& options);

/// Reads node.key. kUnauthenticated on a wrong passphrase (and the other KeyFile errors).
Result<federation::NodeKeys> LoadNodeKeys(
    const std::filesystem::path& key_file, std::string_view passphrase
);

/// SHA-256 hex of an API token, as the config stores it.
std::string HashApiToken(std::string_view token);

}  // namespace concord::server
