#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_manifest.hpp"
#include "concord/app/evidence_receipt.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/secret_bytes.hpp"
#include "concord/federation/directory.hpp"

namespace concord::app {

/// Reads the next bytes of a file being added into `out`; 0 at its end. An error abandons the
/// file.
using PlaintextSource = std::function<Result<std::size_t>(std::span<std::uint8_t> out)>;

/// Builds one evidence package at the sending node: files are encrypted into the blob store as
/// they are read (constant memory), under a fresh package key; Finish seals that key to the
/// recipient and returns the manifest to sign (SignManifest). Not thread-safe.
class PackageBuilder {
public:
    /// kInvalidArgument for a chunk size outside the allowed range.
    static Result<PackageBuilder> Create(
        BlobStore& blobs, std::uint32_t chunk_bytes = kDefaultEvidenceChunkBytes
    );

    /// A builder that goes on with a package begun earlier: its key and the files already in it
    /// (as a node keeps them between uploads).
    static PackageBuilder Resume(
        BlobStore& blobs,
        std::uint32_t chunk_bytes,
        crypto::SecretBytes key,
        std::vector<EvidenceFile> files
    );

    /// Encrypts the bytes `source` yields as the file `name` of type `media_type`, added by
    /// `added_by` at `added_ms`. kInvalidArgument for a bad or repeated name or media type, or
    /// more than kMaxPackageFiles files (checked before anything is read); the source's or the
    /// store's error otherwise.
    Result<void> AddFile(
        std::string name,
        std::string media_type,
        std::string added_by,
        std::int64_t added_ms,
        const PlaintextSource& source
    );

    /// The checks AddFile makes before it reads anything, on their own (for a file that arrives
    /// in parts): the file as it will be recorded, its hashes still empty. kInvalidArgument as
    /// AddFile.
    Result<EvidenceFile> CheckNewFile(
        std::string name, std::string media_type, std::string added_by, std::int64_t added_ms
    ) const;

    /// The files added so far.
    [[nodiscard]] const std::vector<EvidenceFile>& Files() const { return files_; }

    /// The manifest of `package_id` for case `case_id` from node `from` (whose box key pair is
    /// `sender`) to node `to` (box key `recipient`), created at `created_ms`, with the package
    /// key sealed to the recipient. kInvalidArgument if a rule of the format is broken (e.g. no
    /// files).
    Result<EvidenceManifest> Finish(
        std::string package_id,
        std::string case_id,
        std::string from,
        std::string to,
        std::int64_t created_ms,
        const crypto::BoxPublicKey& recipient,
        const crypto::BoxKeyPair& sender
    ) const;

    /// The package key (the sending node keeps it sealed under its own key to read its files).
    [[nodiscard]] const crypto::SecretBytes& Key() const { return key_; }

private:
    PackageBuilder(BlobStore& blobs, std::uint32_t chunk_bytes, crypto::SecretBytes key)
        : blobs_(&blobs), chunk_bytes_(chunk_bytes), key_(std::move(key)) {}
    BlobStore* blobs_;
    std::uint32_t chunk_bytes_;
    crypto::SecretBytes key_;
    std::vector<EvidenceFile> files_;
};

/// A PlaintextSource yielding `bytes` (a small file already in memory, e.g. a form or a note).
PlaintextSource MemorySource(std::string bytes);

/// A PlaintextSource reading the file at `path`. kNotFound / kUnavailable naming the path.
Result<PlaintextSource> FileSource(const std::filesystem::path& path);

/// Hands the plaintext of one file of a manifest to `write`, piece by piece, in order.
using FileFetcher =
    std::function<Result<void>(const EvidenceFile& file, const PlaintextSink& write)>;

/// Writes a package folder as its recipient keeps it: the folder `out` (created, 0700; it must
/// not exist yet) with `manifest.json` (the signed manifest text) and `files/NAME` for every
/// file of the manifest, whose bytes `fetch` gives. A file reaches its name only once its size
/// and SHA-256 match the manifest (written as `.part` in `out`, fsynced, renamed); on any error
/// the folder is removed. kCorruption naming a file that differs; `fetch`'s errors;
/// kAlreadyExists / kUnavailable for the folder.
Result<void> WritePackageFolder(
    const ParsedManifest& manifest,
    std::string_view manifest_text,
    const FileFetcher& fetch,
    const std::filesystem::path& out
);

/// WritePackageFolder with every file decrypted chunk by chunk from `blobs` with
/// `package_key`, each chunk authenticated before it is written. Errors of OpenSealedFile and
/// of WritePackageFolder.
Result<void> ExportPackage(
    BlobStore& blobs,
    const ParsedManifest& manifest,
    std::string_view manifest_text,
    const crypto::SecretBytes& package_key,
    const std::filesystem::path& out
);

/// What proves a package's custody beyond its manifest (EvidenceService::Custody); a downloaded
/// package folder keeps it under custody/ (docs/formats/evidence.md "A downloaded package").
struct EvidenceCustody {
    /// The recipient's signed receipt over the manifest; empty before it exists.
    std::string receipt;
    /// At the recipient: the audit leaf the receipt names (`evidence.received`) and a
    /// tlog-proof of it against a checkpoint of the recipient's log. Empty at the sender, whose
    /// copy of the receipt names an entry of the recipient's log.
    Bytes ledger_leaf;
    std::string ledger_proof;
};

/// Writes `custody` into the package folder `folder` as custody/receipt.json, and
/// custody/received.leaf and custody/received.proof when its ledger part is there. Nothing is
/// written for an empty receipt. kAlreadyExists if custody/ exists.
Result<void> WriteCustody(const std::filesystem::path& folder, const EvidenceCustody& custody);

/// What VerifyExportedPackage found.
struct PackageReport {
    VerifiedManifest manifest;
    std::uint64_t bytes{0};  ///< total plaintext bytes hashed
    /// custody/receipt.json, verified: signed by the recipient, over this manifest.
    std::optional<EvidenceReceipt> receipt;
    /// The summary of the verified ledger proof of custody/received.*; empty without them.
    std::string ledger;
};

/// Checks a downloaded package folder offline (what `concord evidence verify` runs): the signed
/// manifest against `directory` (VerifyManifest), then every file the manifest lists is present
/// under `files/` with its size and SHA-256, and `files/` holds nothing else. Files are read in
/// pieces (constant memory). kUnauthenticated / kInvalidArgument from VerifyManifest (message
/// starts with its failure code); kCorruption naming the first file that differs, is missing,
/// or is not listed; kNotFound if there is no manifest.json. When the folder has custody/
/// (WriteCustody), the receipt must verify against `directory` and name this package, both its
/// nodes and the SHA-256 of manifest.json, and a ledger proof must be of the receipt's entry,
/// an `evidence.received` leaf of this package, under a checkpoint signed by the recipient's
/// directory key (kUnauthenticated / kCorruption otherwise).
Result<PackageReport> VerifyExportedPackage(
    const federation::Directory& directory, const std::filesystem::path& folder
);

}  // namespace concord::app
