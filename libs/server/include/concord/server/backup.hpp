#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "concord/core/result.hpp"
#include "concord/server/config.hpp"

namespace concord::server {

/// What BackUpNode wrote.
struct BackupReport {
    std::uint64_t ledger_size{0};  ///< the audit log held at least this many entries
    std::string ledger_root;       ///< hex root of the log at that size
    std::size_t packages{0};       ///< evidence packages whose blobs the backup holds
    std::size_t blobs{0};
    std::uint64_t blob_bytes{0};
    /// Packages shredded while the backup was taken: their blobs are not in it, and a node
    /// restored from it shreds them again at its start.
    std::size_t shredded_meanwhile{0};
};

/// Writes a backup of the node of `config` into the new folder `out` (created 0700), while the
/// node runs (docs/operations.md "Backups"): a consistent copy of the store, the encrypted blob
/// of every evidence package not shredded, node.key (sealed under its passphrase), the TLS
/// certificate and key, and `backup.json`, which lists every file with its size and SHA-256,
/// signed by the node's key in `backup.sig`. The passphrase of node.key is read as the node
/// reads it. A blob that does not match its address stops the backup (kCorruption). On any
/// failure `out` is removed.
Result<BackupReport> BackUpNode(const Config& config, const std::filesystem::path& out);

/// What RestoreNode restored and checked.
struct RestoreReport {
    std::uint64_t ledger_size{0};
    std::uint64_t checkpoints{0};  ///< signed checkpoints verified
    std::size_t packages{0};       ///< packages whose every blob was found and checked
    std::size_t files{0};
    std::size_t arriving_files{0};  ///< files of incoming packages still arriving (no blob yet)
    std::size_t shredded_meanwhile{0};
};

/// Restores the backup in `from` into the fresh node of `config`: its store must hold no table
/// and its blob folder no blob, and its key files, where they exist, must be the backup's.
/// Before it writes anything it checks `backup.json` against `backup.sig` and the backup's
/// node.key (opened with the passphrase, as the node opens it), that key against the node's
/// entry in the signed directory, and every file's size and SHA-256. Then it loads the store,
/// copies the blobs and the keys, verifies the whole audit log against its signed checkpoints
/// and the log head the backup recorded, and checks that every package not shredded has its
/// blobs. kUnauthenticated or kCorruption for a backup that does not check; kAlreadyExists for
/// a target that is not fresh (nothing is written then).
Result<RestoreReport> RestoreNode(const Config& config, const std::filesystem::path& from);

}  // namespace concord::server
