#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_package.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/app/policy.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/store/store.hpp"

namespace concord::federation {
class Node;
}

namespace concord::app {

/// Whether `actor` may do `action` (kCaseEdit to add evidence, kCaseRead to read it) on the case
/// `case_id`: the case use cases answer it (CaseService::Authorize), so the policy table and the
/// case's relation to the caller decide, as for every case step. kNotFound / kPermissionDenied.
using CaseAccess =
    std::function<Result<void>(const Actor& actor, Action action, std::string_view case_id)>;

/// One evidence package as the node keeps it.
struct EvidencePackage {
    std::string package;
    std::string case_id;
    std::string to;     ///< the recipient node
    std::string state;  ///< "draft" (files may be added) or "sealed" (manifest signed)
    std::int64_t created_ms{0};
    std::string created_by;  ///< actor label
    std::uint32_t chunk_bytes{kDefaultEvidenceChunkBytes};
    std::vector<EvidenceFile> files;
    std::string manifest;  ///< the signed manifest text once sealed; empty for a draft
};

/// One file of a package opened for reading (EvidenceService::OpenFile).
struct EvidenceFileRead {
    EvidenceFile file;
    SealedFileReader reader;  ///< the plaintext, authenticated chunk by chunk as it is read
};

/// The evidence use cases at the sending node (docs/formats/evidence.md, docs/evidence.md):
/// a draft package of a case, files added to it as they are uploaded (encrypted into the blob
/// store with constant memory), sealing (the responsible officer's certified key and the node's
/// key sign the manifest; the package key is sealed to the recipient), and the node's own
/// download of a package. Every step that changes something commits its rows and an audit leaf
/// naming the actor and the file's hash in one transaction (chain of custody): `evidence.created`,
/// `evidence.file_added`, `evidence.sealed`, `evidence.downloaded`.
///
/// The package key is kept sealed under a key derived from the node's signing seed
/// (crypto::SecretSeal, context "evidence", associated data "concord-evidence-package-key-v1" ‖
/// 0x0A ‖ package id), so a copy of the database and blobs without the node's key file reveals no
/// file. Thread-safety: thread-safe (state is in the store and the blob store). Never call it
/// from inside a transaction of the same store.
class EvidenceService {
public:
    /// Tables app_evidence_packages and app_evidence_files (component "app_evidence"), and the
    /// access records (AccessLogMigrations) that every read of a file adds to.
    static std::vector<store::Migration> Migrations();

    struct Options {
        std::string node_id;  ///< this node
        CertifierOptions certifier;
        std::uint32_t chunk_bytes{kDefaultEvidenceChunkBytes};
    };

    /// `store`, `blobs` and `node_box` must outlive the service; the signing key is copied.
    /// kInvalidArgument for unusable options.
    static Result<std::unique_ptr<EvidenceService>> Create(
        store::Store& store,
        BlobStore& blobs,
        const crypto::SigningKey& node_key,
        const crypto::BoxKeyPair& node_box,
        Options options,
        CaseAccess access
    );

    /// The node whose audit log records each step; set before use.
    void Attach(federation::Node* node) { node_ = node; }

    /// A new draft package of `case_id` for the node `to` (kCaseEdit on the case). Returns its id.
    Result<std::string> CreatePackage(
        const Actor& actor, std::string_view case_id, std::string_view to, std::int64_t now_ms
    );

    /// Encrypts what `source` yields into the blob store as the file `name` of the draft
    /// `package` (kCaseEdit on its case), then records it. Nothing is recorded unless the whole
    /// file was stored; a failed source or store leaves the package as it was. kInvalidArgument
    /// for a bad or repeated name or type, or a package that is no longer a draft.
    Result<EvidenceFile> AddFile(
        const Actor& actor,
        std::string_view package,
        std::string name,
        std::string media_type,
        const PlaintextSource& source,
        std::int64_t now_ms
    );

    /// Seals the draft `package`: the actor (a person holding officer, duty_officer or
    /// responder; kPermissionDenied otherwise; kInvalidArgument for the node itself, which has
    /// no personal key) signs the manifest with
    /// their certified key, the node signs it, the package key is sealed to the recipient's box
    /// key from `directory`. Returns the signed manifest text. kInvalidArgument for an empty
    /// package or one already sealed; kNotFound if the recipient is not in the directory.
    Result<std::string> SealPackage(
        const Actor& actor,
        std::string_view package,
        const federation::Directory& directory,
        std::int64_t now_ms
    );

    /// The package (kCaseRead on its case).
    Result<EvidencePackage> Get(const Actor& actor, std::string_view package);

    /// The packages of `case_id`, oldest first, each with its files (kCaseRead on the case).
    Result<std::vector<EvidencePackage>> ListForCase(const Actor& actor, std::string_view case_id);

    /// Opens the file `name` of `package` (draft or sealed; kCaseRead on its case) for reading
    /// in constant memory, after recording `evidence.file_read` naming the actor, the file and
    /// its SHA-256, with its access record (RecordAccess): a read that fails half-way is still
    /// in the log. kNotFound for an unknown
    /// package or file.
    Result<EvidenceFileRead> OpenFile(
        const Actor& actor, std::string_view package, std::string_view name, std::int64_t now_ms
    );

    /// Writes the sealed `package` into the new folder `out` as its recipient would download it
    /// (ExportPackage: every chunk authenticated, every hash checked), after recording
    /// `evidence.downloaded` (kCaseRead on its case).
    Result<void> Download(
        const Actor& actor,
        std::string_view package,
        const std::filesystem::path& out,
        std::int64_t now_ms
    );

private:
    EvidenceService(
        store::Store& store,
        BlobStore& blobs,
        const crypto::SigningKey& node_key,
        const crypto::BoxKeyPair& node_box,
        Options options,
        CaseAccess access,
        UserCertifier certifier
    );
    /// A package row with its files and its key sealed under the node's data key.
    struct Stored {
        EvidencePackage package;
        Bytes sealed_key;
    };
    Result<Stored> Load(store::Transaction& tx, std::string_view package) const;
    /// Load in a read-only transaction of its own, then the case check of `action` for `actor`.
    Result<Stored> LoadFor(const Actor& actor, std::string_view package, Action action) const;
    Result<crypto::SecretBytes> PackageKey(const EvidencePackage& p, ByteSpan sealed) const;
    Result<void> Audit(store::Transaction& tx, boost::json::object leaf, const Actor& actor);
    /// kInternal before Attach.
    Result<void> Attached() const;

    store::Store& store_;
    BlobStore& blobs_;
    crypto::SigningKey node_key_;
    const crypto::BoxKeyPair& node_box_;
    Options options_;
    CaseAccess access_;
    UserKeys user_keys_;
    UserCertifier certifier_;
    crypto::SecretBytes data_key_;
    federation::Node* node_{nullptr};
};

}  // namespace concord::app
