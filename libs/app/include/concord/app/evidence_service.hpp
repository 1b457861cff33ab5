#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/app/actor.hpp"
#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_package.hpp"
#include "concord/app/evidence_stream.hpp"
#include "concord/app/policy.hpp"
#include "concord/app/retention_policy.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/mutex.hpp"
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

/// How a package names its case between the two nodes (the manifest's `case`): unset members
/// use the local case id itself (a node on its own, tests).
struct CaseLinks {
    /// The name both nodes know the local case `case_id` by (CaseService::SharedReference).
    std::function<Result<std::string>(std::string_view case_id)> reference;
    /// The local case that `reference` names, shared with the node `peer`; kNotFound otherwise
    /// (CaseService::FromSharedReference).
    std::function<Result<std::string>(std::string_view reference, std::string_view peer)> local;
    /// What the retention rules look at in the local case `case_id`
    /// (CaseService::RetentionFactsOf); unset: no rule matches and the default applies.
    std::function<Result<RetentionFacts>(std::string_view case_id)> facts;
};

/// Reads the next bytes of an encrypted file arriving from the sender into `out`; 0 at its end.
using EncryptedSource = std::function<Result<std::size_t>(std::span<std::uint8_t> out)>;

/// A file being uploaded in parts (EvidenceService::AddFilePart): what the node kept of it.
struct UploadStatus {
    std::string package;
    std::string name;
    std::string media_type;
    std::uint64_t size{0};  ///< plaintext bytes of the whole file, as declared when it started
    /// Plaintext bytes kept, always at a chunk boundary: the next part starts here.
    std::uint64_t received{0};
    /// The hex SHA-256 of those bytes (UploadStatusOf only; empty elsewhere), so a client can
    /// check that the part kept is the start of the file it is about to go on with.
    std::string received_sha256;
    std::int64_t started_ms{0};
    std::string started_by;  ///< actor label
};

/// One evidence package as the node keeps it.
struct EvidencePackage {
    std::string package;
    std::string case_id;
    std::string to;  ///< the recipient node
    /// At the sender: "draft" (files may be added), "sealed" (manifest signed, being sent),
    /// "delivered" (the recipient's signed receipt verified). At the recipient: "receiving"
    /// (files arriving), "received" (every file arrived and checked; receipt signed). At
    /// either: "shredded" (its retention ended: key, manifest and file names erased).
    std::string state;
    std::int64_t created_ms{0};
    std::string created_by;  ///< actor label
    std::uint32_t chunk_bytes{kDefaultEvidenceChunkBytes};
    std::vector<EvidenceFile> files;
    std::string manifest;  ///< the signed manifest text once sealed; empty for a draft
    std::string from;      ///< the sending node (this node for its own packages)
    std::string receipt;   ///< the recipient's signed receipt once delivered / received
    /// Time the package's case spent under a legal hold since the package was created (holds
    /// stop the retention clock).
    std::int64_t held_ms{0};
    /// When the package was shredded (state "shredded"); 0 before.
    std::int64_t shredded_ms{0};
    /// Its retention period and the rule that gave it, as the retention register shows them
    /// (RetentionEntry), and when the sweep shreds it: created + retention + held. While a hold
    /// is in force (`hold_since_ms`, 0 if none) the clock stands still.
    std::int64_t retention_ms{0};
    std::string retention_rule;
    std::int64_t retention_end_ms{0};
    std::int64_t hold_since_ms{0};
    /// The conditions on the use of its data: set by the sender, in its signed manifest.
    UseConditions conditions;
    /// At the sender: the reference of the consent under which data received with
    /// `onward_consent` goes to a third node in this package; empty when none was needed.
    std::string consent_reference;
    /// The uploads in parts under way into a draft, by name. `received` is what the length of
    /// the kept bytes says, not authenticated and without `received_sha256` (UploadStatusOf
    /// reads them back): enough to show that a file can go on.
    std::vector<UploadStatus> uploads;
};

/// What the sender attaches to a new package (EvidenceService::CreatePackage).
struct PackageTerms {
    UseConditions conditions;
    /// The reference of the consent (e.g. the sending authority's letter) that lets data the
    /// case received under `onward_consent` go to a third node: 1 to 500 bytes of UTF-8 when
    /// needed, else empty.
    std::string consent_reference;
};

/// Retention of evidence when a node sets none: five years and a day (docs/operations.md
/// "Retention and legal holds").
inline constexpr std::int64_t kDefaultEvidenceRetentionMs = std::int64_t{1827} * 24 * 3600 * 1000;
/// How long an upload in parts waits for its next part when a node sets nothing: seven days.
inline constexpr std::int64_t kDefaultUploadExpiryMs = std::int64_t{7} * 24 * 3600 * 1000;

/// A legal hold on the evidence of a case (EvidenceService::PlaceHold). While one is in force no
/// package of the case is shredded and its retention clock stands still.
struct LegalHold {
    std::string hold;  ///< its id
    std::string case_id;
    std::string reason;
    std::string placed_by;  ///< actor label
    std::int64_t placed_ms{0};
    std::string lifted_by;      ///< actor label; empty while the hold is in force
    std::int64_t lifted_ms{0};  ///< 0 while the hold is in force
};

/// One package as the retention register shows it (EvidenceService::RetentionRegister): what a
/// data-protection officer needs to watch retention, and nothing of the content: no file name,
/// manifest, use condition or hold reason.
struct RetentionEntry {
    std::string package;
    std::string case_id;
    std::string from;   ///< the sending node (this node for its own packages)
    std::string to;     ///< the recipient node
    std::string state;  ///< as EvidencePackage::state
    std::int64_t created_ms{0};
    std::int64_t held_ms{0};  ///< time its case spent under lifted holds since it was created
    /// Its retention period and the rule that gave it (RetentionRule::Describe), fixed when it
    /// was created (RetentionPolicy); with no rule (empty), the node's default as set now.
    std::int64_t retention_ms{0};
    std::string retention_rule;
    /// When the sweep shreds it: created + retention + held. While a hold is in force the clock
    /// stands still and this end moves by the time held once the hold is lifted.
    std::int64_t retention_end_ms{0};
    std::int64_t hold_since_ms{0};  ///< a hold is in force on its case since then; 0 if none
    std::int64_t shredded_ms{0};    ///< 0 unless shredded
    std::size_t files{0};
    std::uint64_t bytes{0};  ///< plaintext bytes of its files
};

/// Which packages the retention register lists.
enum class RetentionView {
    kKept,      ///< not shredded, the soonest retention end first
    kShredded,  ///< shredded, the latest first
};

/// A sealed package on its way to its recipient (EvidenceService::Outgoing).
struct OutgoingPackage {
    std::string package;
    std::string case_id;
    std::string to;
    std::string manifest;  ///< the signed manifest text
    std::uint32_t chunk_bytes{kDefaultEvidenceChunkBytes};
    std::vector<EvidenceFile> files;
};

/// How far a package has arrived at its recipient (one entry per file of the manifest).
struct IncomingFile {
    std::string name;
    std::uint64_t sealed_size{0};  ///< bytes of the encrypted file
    std::uint64_t received{0};     ///< bytes kept, at a chunk boundary (== sealed_size once whole)
    bool complete{false};          ///< arrived whole, checked and stored
};
struct IncomingStatus {
    std::string package;
    std::string state;  ///< "receiving" or "received"
    std::vector<IncomingFile> files;
    std::string receipt;  ///< the signed receipt once "received"
};
/// What EvidenceService::Receive did: `accepted` is false when the body did not start where the
/// recipient's verified bytes end (`status` says where: send from there).
struct ReceiveOutcome {
    bool accepted{false};
    IncomingStatus status;
};

/// What EvidenceService::AddFilePart did: `file` once the whole file arrived and was recorded;
/// otherwise where the upload stands. `accepted` is false when the part did not start where the
/// kept bytes end (nothing was read: send from `status.received`).
struct UploadOutcome {
    bool accepted{false};
    std::optional<EvidenceFile> file;
    UploadStatus status;
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
        CaseLinks cases;
        /// Largest file a peer may send (plaintext bytes).
        std::uint64_t max_file_bytes{kMaxEvidenceFileBytes};
        /// How long a package is kept after it was created (plus the time its case spent under
        /// a legal hold) before Expire shreds it, unless a rule of `retention_rules` gives its
        /// case another period (RetentionPolicy); at least one day.
        std::int64_t retention_ms{kDefaultEvidenceRetentionMs};
        std::vector<RetentionRule> retention_rules;
        /// How long an upload in parts waits for its next part before ExpireUploads drops what
        /// was kept of it; at least one second.
        std::int64_t upload_expiry_ms{kDefaultUploadExpiryMs};
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

    /// A new draft package of `case_id` for the node `to` (kCaseEdit on the case), with the use
    /// conditions of `terms`. Returns its id. Data travels on with its conditions: the package
    /// also takes every condition of the packages the case received from nodes other than
    /// `to`; if one of them asked for consent to onward transfer, `terms.consent_reference` must
    /// name that consent (kPermissionDenied without it), and it is recorded. kInvalidArgument
    /// for a bad node id, this node itself, or bad terms.
    Result<std::string> CreatePackage(
        const Actor& actor,
        std::string_view case_id,
        std::string_view to,
        std::int64_t now_ms,
        const PackageTerms& terms = {}
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

    // ---- Uploads in parts (evidence_upload.cpp; docs/cases.md "Evidence"): a file cut off by
    // a broken connection goes on from the last whole chunk the node kept.

    /// Adds the file `name` of `size` plaintext bytes and type `media_type` to the draft
    /// `package` (kCaseEdit on its case), in parts that may come across interruptions: `source`
    /// yields the file's bytes from `offset` on. Offset 0 starts the upload (again, if one was
    /// under way); any other offset must be where the kept bytes end (UploadStatusOf), else
    /// nothing is read and `accepted` is false. Each whole chunk is encrypted and kept as it
    /// arrives (in a partial blob; what was kept is authenticated again before a part goes on),
    /// so a part that ends early or breaks off loses at most one chunk. Once `size` bytes have
    /// arrived the file is recorded as AddFile records it, with `evidence.file_added`.
    /// kInvalidArgument as AddFile, for a size above the node's limit, a source that yields
    /// more than `size`, or a `size` or `media_type` other than the upload started with;
    /// kUnavailable while another part of the same file is arriving.
    Result<UploadOutcome> AddFilePart(
        const Actor& actor,
        std::string_view package,
        std::string name,
        std::string media_type,
        std::uint64_t size,
        std::uint64_t offset,
        const PlaintextSource& source,
        std::int64_t now_ms
    );

    /// The upload of `name` into `package` under way (kCaseEdit on its case), with the
    /// SHA-256 of the bytes kept: what was kept is read back and authenticated (linear in its
    /// size; a tail that does not check is not counted). kNotFound if there is none (never
    /// started, finished, or dropped when the package was sealed or shredded).
    Result<UploadStatus> UploadStatusOf(
        const Actor& actor, std::string_view package, std::string_view name
    );

    /// Drops, oldest first and at most `limit`, every upload under way whose last part began
    /// `Options::upload_expiry_ms` or more before `now_ms` (an abandoned upload): in one
    /// transaction each its row goes and `evidence.upload_expired` is recorded (package, case,
    /// name, size, encrypted bytes kept, when it started and was last continued); then its partial
    /// blob is removed. An upload whose part is arriving now is left alone. Then removes the
    /// partial blobs of uploads that no row names (left by a crash between such a commit and the
    /// removal). Returns how many uploads went.
    Result<std::size_t> ExpireUploads(std::int64_t now_ms, std::size_t limit);

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

    // ---- Transfer to the recipient (evidence_transfer.cpp; docs/formats/evidence.md
    // "Transfer"). The node's evidence sender pushes sealed packages; the recipient's
    // federation routes call Offer, IncomingStatusOf and Receive.

    /// Sealed packages not yet delivered, oldest first, at most `limit`.
    Result<std::vector<OutgoingPackage>> Outgoing(std::size_t limit);

    /// Records the recipient's signed receipt for `package` (state "sealed" → "delivered") and
    /// the audit leaf `evidence.delivered`, once it verifies against `directory` and names this
    /// package, this manifest, this node and the recipient. kUnauthenticated / kInvalidArgument
    /// for a receipt that does not; delivering twice changes nothing.
    Result<void> RecordDelivered(
        std::string_view package,
        std::string_view receipt_text,
        const federation::Directory& directory,
        std::int64_t now_ms
    );

    /// The recipient's side: a signed manifest offered by its sender. Verified against
    /// `directory` (VerifyManifest), addressed to this node, its key opened, its case found
    /// (CaseLinks::local, shared with the sender); then the package is recorded as "receiving"
    /// with the audit leaf `evidence.offered`. Offering the same manifest again returns the
    /// status; another manifest for the same package id is kAlreadyExists. kUnauthenticated /
    /// kInvalidArgument (ManifestRefused::ToError), kPermissionDenied for a package addressed to
    /// another node, kNotFound for an unknown case.
    Result<IncomingStatus> Offer(
        const federation::Directory& directory, std::string_view manifest_text, std::int64_t now_ms
    );

    /// How far the incoming `package` has arrived. kNotFound if it was never offered.
    Result<IncomingStatus> IncomingStatusOf(std::string_view package);

    /// The recipient's side: encrypted bytes of file `index` of the incoming `package`, from
    /// byte `offset` of the encrypted file, which must be where the verified bytes kept so far
    /// end (else nothing is read and `accepted` is false). Each chunk is authenticated before
    /// it is kept; a chunk that fails is refused (kUnauthenticated) and nothing of it is kept.
    /// When the last chunk arrives and the file's hashes match the manifest, the file is stored
    /// and `evidence.file_received` recorded; when every file is there, the package becomes
    /// "received", `evidence.received` is recorded and the receipt signed. A body that ends
    /// early keeps every whole chunk that arrived (a later call resumes from there).
    Result<ReceiveOutcome> Receive(
        std::string_view package,
        std::size_t index,
        std::uint64_t offset,
        const EncryptedSource& source,
        std::int64_t now_ms
    );

    /// The receipt of `package` and, at its recipient, the proof that the receipt's audit leaf is
    /// in this node's log (kCaseRead on its case). Not a read of personal data: none of it holds
    /// content. kNotFound for an unknown package.
    Result<EvidenceCustody> Custody(const Actor& actor, std::string_view package);

    // ---- Retention and legal holds (evidence_retention.cpp; docs/operations.md "Retention and
    // legal holds"). Shredding destroys a package's key and removes its files and partial
    // files, its manifest and its file names; sizes and hashes stay, and so does the audit log.

    /// Places a legal hold on the evidence of `case_id` (kCaseEdit on the case) for `reason`
    /// (1 to 500 characters, kept at this node and never in the audit log) and records
    /// `evidence.hold_placed`. kAlreadyExists if a hold is in force already. Returns its id.
    Result<std::string> PlaceHold(
        const Actor& actor, std::string_view case_id, std::string reason, std::int64_t now_ms
    );

    /// Lifts the hold in force on `case_id` (kCaseEdit on the case): each package of the case
    /// not yet shredded has its retention end moved by the time it spent under the hold, and
    /// `evidence.hold_lifted` is recorded. kNotFound if no hold is in force. Returns its id.
    Result<std::string> LiftHold(const Actor& actor, std::string_view case_id, std::int64_t now_ms);

    /// The holds of `case_id`, in force or lifted, oldest first (kCaseRead on the case).
    Result<std::vector<LegalHold>> HoldsOf(const Actor& actor, std::string_view case_id);

    /// The retention register (kAuditRead: the data-protection officer and the auditor see it
    /// without any right on the cases): at most `limit` packages of `view`, with their retention
    /// ends and holds. Not a read of personal data: it holds none.
    Result<std::vector<RetentionEntry>> RetentionRegister(
        const Actor& actor, RetentionView view, std::size_t limit
    );

    /// Shreds, oldest retention end first and at most `limit`, every package whose retention
    /// ended by `now_ms` and whose case has no hold in force: in one transaction per package its
    /// key, manifest and file names are erased, its state becomes "shredded" and
    /// `evidence.shredded` is recorded with each file's hashes; then its blobs are removed.
    /// Returns how many were shredded. A file of a shredded package is gone (kNotFound).
    Result<std::size_t> Expire(std::int64_t now_ms, std::size_t limit);

private:
    EvidenceService(
        store::Store& store,
        BlobStore& blobs,
        const crypto::SigningKey& node_key,
        const crypto::BoxKeyPair& node_box,
        Options options,
        CaseAccess access,
        UserCertifier certifier,
        RetentionPolicy retention
    );
    /// The retention period of a new package of the local case `case_id` (Options::cases.facts).
    Result<RetentionPolicy::Decision> RetentionOf(std::string_view case_id) const;
    /// A package row with its files and its key sealed under the node's data key.
    struct Stored {
        EvidencePackage package;
        Bytes sealed_key;
    };
    Result<Stored> Load(store::Transaction& tx, std::string_view package) const;
    /// Load in a read-only transaction of its own.
    Result<Stored> LoadAlone(std::string_view package) const;
    /// The status of an incoming package from its stored row and its partial blobs.
    Result<IncomingStatus> StatusOf(const Stored& stored);
    /// Stores the checked file `index` and, when it completes the package, its receipt.
    Result<void> RecordFileReceived(
        const Stored& stored, const ParsedManifest& manifest, std::size_t index, std::int64_t now_ms
    );
    /// Load in a read-only transaction of its own, then the case check of `action` for `actor`.
    Result<Stored> LoadFor(const Actor& actor, std::string_view package, Action action) const;
    Result<crypto::SecretBytes> PackageKey(const EvidencePackage& p, ByteSpan sealed) const;
    /// Shreds `package` unless it is shredded already or its case is under a hold (false).
    Result<bool> Shred(std::string_view package, std::int64_t now_ms);
    Result<void> Audit(store::Transaction& tx, boost::json::object leaf, const Actor& actor);
    /// kInternal before Attach.
    Result<void> Attached() const;
    /// Drops the uploads under way into `package` (its rows, in `tx`); returns their partial
    /// blob names, to remove once `tx` committed.
    Result<std::vector<std::string>> DropUploads(store::Transaction& tx, std::string_view package);
    /// Removes the partial blobs `names` (left to the next attempt if it fails: logged).
    void RemovePartials(const std::vector<std::string>& names, std::string_view package);

    store::Store& store_;
    BlobStore& blobs_;
    crypto::SigningKey node_key_;
    const crypto::BoxKeyPair& node_box_;
    Options options_;
    CaseAccess access_;
    UserKeys user_keys_;
    UserCertifier certifier_;
    RetentionPolicy retention_;
    crypto::SecretBytes data_key_;
    federation::Node* node_{nullptr};
    void ReleaseReceiving(const std::string& name) CONCORD_EXCLUDES(receiving_mu_) {
        MutexLock lock(receiving_mu_);
        receiving_.erase(name);
    }
    /// Being the one writer of a partial blob, while it lives.
    class Claim {
    public:
        Claim(EvidenceService* service, std::string name)
            : service_(service), name_(std::move(name)) {}
        Claim(Claim&& other) noexcept
            : service_(std::exchange(other.service_, nullptr)), name_(std::move(other.name_)) {}
        Claim(const Claim&) = delete;
        Claim& operator=(const Claim&) = delete;
        Claim& operator=(Claim&&) = delete;
        ~Claim() {
            if (service_ != nullptr) {
                service_->ReleaseReceiving(name_);
            }
        }

    private:
        EvidenceService* service_;
        std::string name_;
    };
    /// Claims the partial blob `name` for one writer; empty if another writer holds it.
    std::optional<Claim> TryClaim(const std::string& name) CONCORD_EXCLUDES(receiving_mu_) {
        MutexLock lock(receiving_mu_);
        if (!receiving_.insert(name).second) {
            return std::nullopt;
        }
        return std::optional<Claim>(std::in_place, this, name);
    }
    // Files being received or uploaded (partial blob names): one writer each.
    Mutex receiving_mu_;
    std::set<std::string> receiving_ CONCORD_GUARDED_BY(receiving_mu_);
};

}  // namespace concord::app
