// Uploads in parts (docs/cases.md "Evidence"): a file arriving from a person's browser or CLI is
// encrypted chunk by chunk into a partial blob as it arrives, so a connection that breaks costs at
// most the chunk in flight. The next part authenticates what was kept, takes the stream up where
// it stood (StreamEncryptor::ContinueAfter) and goes on; the whole file is recorded only once it
// is all there, exactly as a file uploaded in one piece.
#include <algorithm>
#include <optional>
#include <vector>

#include "concord/app/evidence_package.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/sha256.hpp"

#include "evidence_chunks.hpp"
#include "evidence_tables.hpp"

namespace concord::app {
namespace {

constexpr std::string_view kSelectUpload =
    "SELECT media_type, size, started_ms, started_by FROM app_evidence_uploads WHERE package = $1 "
    "AND name = $2";
constexpr std::string_view kDeleteUpload =
    "DELETE FROM app_evidence_uploads WHERE package = $1 AND name = $2";
constexpr std::string_view kInsertUpload =
    "INSERT INTO app_evidence_uploads (package, name, media_type, size, started_ms, started_by, "
    "touched_ms) VALUES ($1, $2, $3, $4, $5, $6, $5)";
constexpr std::string_view kTouchUpload =
    "UPDATE app_evidence_uploads SET touched_ms = $3 WHERE package = $1 AND name = $2";
constexpr std::string_view kSelectAbandoned =
    "SELECT package, name FROM app_evidence_uploads WHERE touched_ms <= $1 ORDER BY touched_ms, "
    "package, name LIMIT $2";
constexpr std::string_view kSelectAbandonedOne =
    "SELECT u.size, u.started_ms, u.touched_ms, p.case_id FROM app_evidence_uploads u JOIN "
    "app_evidence_packages p ON p.package = u.package WHERE u.package = $1 AND u.name = $2 AND "
    "u.touched_ms <= $3";
constexpr std::string_view kSelectPackageUploads =
    "SELECT name FROM app_evidence_uploads WHERE package = $1 ORDER BY name";
constexpr std::string_view kSelectUploadsUnderWay =
    "SELECT name, media_type, size, started_ms, started_by FROM app_evidence_uploads WHERE "
    "package = $1 ORDER BY name";
constexpr std::string_view kDeletePackageUploads =
    "DELETE FROM app_evidence_uploads WHERE package = $1";

/// Plaintext bytes read from the source at a time.
constexpr std::size_t kPartPiece = std::size_t{256} << 10;

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

/// The partial blob of the upload of `name` into `package`: a prefix no package id has (they
/// start with a hex digit) and a hash of the name, which may hold any character.
std::string UploadPartialName(std::string_view package, std::string_view name) {
    return "up-" + std::string(package) + "-" +
           HexEncode(crypto::Sha256(AsBytes(name))).substr(0, 40);
}

/// Encrypts the rest of a file into the partial blob that holds its beginning. Open checks again
/// what the blob holds and goes on from its last whole chunk; each chunk is kept as soon as it
/// is whole, except the last, which Finish seals with the final tag once every byte arrived.
/// Memory: one chunk. Not thread-safe.
class PartSealer {
public:
    static Result<PartSealer> Open(
        const crypto::SecretBytes& key, const ChunkLayout& layout, PartialBlob& partial
    ) {
        detail::ChunkChecker checker(key, layout);
        CONCORD_RETURN_IF_ERROR(detail::RecheckPartial(checker, partial));
        const bool complete = checker.NextBytes() == 0;
        detail::ChunkPosition at = std::move(checker).Release();
        std::optional<crypto::StreamEncryptor> encryptor;
        if (at.decryptor && !complete) {
            CONCORD_ASSIGN_OR_RETURN(
                crypto::StreamEncryptor continued,
                crypto::StreamEncryptor::ContinueAfter(*at.decryptor, at.header)
            );
            encryptor.emplace(std::move(continued));
        } else if (!complete) {
            CONCORD_ASSIGN_OR_RETURN(
                crypto::StreamEncryptor fresh, crypto::StreamEncryptor::Create(key)
            );
            const ByteSpan header(fresh.Header());
            CONCORD_RETURN_IF_ERROR(partial.Append(header));
            at.sealed_hash.Update(header);
            at.verified += header.size();
            encryptor.emplace(std::move(fresh));
        }
        return PartSealer(layout, partial, std::move(at), std::move(encryptor), complete);
    }

    /// Plaintext bytes kept: the start of the next part.
    [[nodiscard]] std::uint64_t Received() const {
        return complete_ ? layout_.Size() : at_.next_chunk * layout_.ChunkBytes();
    }

    /// Whether every byte of the file has arrived.
    [[nodiscard]] bool AllArrived() const {
        return complete_ || Received() + pending_.size() == layout_.Size();
    }

    /// Takes the next plaintext bytes. kInvalidArgument past the file's size.
    Result<void> Write(ByteSpan plain) {
        if (plain.size() > layout_.Size() - Received() - pending_.size()) {
            return Invalid(
                "the body goes on past the file's declared size (" +
                std::to_string(layout_.Size()) + " bytes)"
            );
        }
        while (!plain.empty()) {
            const std::size_t room = layout_.PlainBytes(at_.next_chunk) - pending_.size();
            const std::size_t take = std::min(room, plain.size());
            const ByteSpan piece = plain.first(take);
            pending_.insert(pending_.end(), piece.begin(), piece.end());
            plain = plain.subspan(take);
            if (take == room && at_.next_chunk + 1 < layout_.Count()) {
                CONCORD_RETURN_IF_ERROR(Push(false));
            }
        }
        return {};
    }

    /// Makes what was kept durable (the bytes of a chunk not yet whole are dropped).
    Result<void> Keep() { return partial_.Sync(); }

    /// Seals the last chunk once every byte arrived and returns the file's description.
    Result<SealedFile> Finish() {
        if (!complete_) {
            CONCORD_RETURN_IF_ERROR(Push(true));
        }
        CONCORD_RETURN_IF_ERROR(partial_.Sync());
        return SealedFile{
            layout_.Size(),
            HexEncode(at_.plain_hash.Finish()),
            HexEncode(at_.sealed_hash.Finish())};
    }

private:
    PartSealer(
        const ChunkLayout& layout,
        PartialBlob& partial,
        detail::ChunkPosition at,
        std::optional<crypto::StreamEncryptor> encryptor,
        bool complete
    )
        : layout_(layout),
          partial_(partial),
          at_(std::move(at)),
          encryptor_(std::move(encryptor)),
          complete_(complete) {}

    Result<void> Push(bool final) {
        const Bytes sealed = encryptor_->Push(pending_, final);
        CONCORD_RETURN_IF_ERROR(partial_.Append(sealed));
        at_.plain_hash.Update(pending_);
        at_.sealed_hash.Update(sealed);
        at_.verified += sealed.size();
        ++at_.next_chunk;
        pending_.clear();
        complete_ = final;
        return {};
    }

    ChunkLayout layout_;
    PartialBlob& partial_;
    detail::ChunkPosition at_;
    std::optional<crypto::StreamEncryptor> encryptor_;
    bool complete_;
    Bytes pending_;
};

Result<std::optional<UploadStatus>> LoadUpload(
    store::Transaction& tx, std::string_view package, std::string_view name
) {
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx.Query(kSelectUpload, {std::string(package), std::string(name)})
    );
    if (rows.empty()) {
        return std::optional<UploadStatus>();
    }
    const store::Row& r = rows.front();
    return UploadStatus{
        std::string(package),
        std::string(name),
        r.Text("media_type"),
        static_cast<std::uint64_t>(r.Int("size")),
        0,
        "",
        r.Int("started_ms"),
        r.Text("started_by")};
}

}  // namespace

namespace detail {

// Version 5: uploads under way, one row each until the file is recorded (or the package sealed
// or shredded). What was kept of one lives in its partial blob, never in the database.
std::string UploadSchema(std::string_view integer) {
    const std::string i(integer);
    return "CREATE TABLE app_evidence_uploads (package TEXT NOT NULL REFERENCES "
           "app_evidence_packages (package), name TEXT NOT NULL, media_type TEXT NOT NULL, size " +
           i + " NOT NULL, started_ms " + i +
           " NOT NULL, started_by TEXT NOT NULL, PRIMARY KEY (package, name))";
}

// Uploads under way when the column came count from their start.
std::string UploadTouchSchema(std::string_view integer) {
    return "ALTER TABLE app_evidence_uploads ADD COLUMN touched_ms " + std::string(integer) +
           " NOT NULL DEFAULT 0;"
           "UPDATE app_evidence_uploads SET touched_ms = started_ms;"
           "CREATE INDEX app_evidence_uploads_touched ON app_evidence_uploads (touched_ms)";
}

Result<std::vector<UploadStatus>> UploadsUnderWay(
    store::Transaction& tx, BlobStore& blobs, std::string_view package, std::uint32_t chunk_bytes
) {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectUploadsUnderWay, {std::string(package)}));
    std::vector<UploadStatus> out;
    for (const store::Row& r : rows) {
        UploadStatus u{
            std::string(package),
            r.Text("name"),
            r.Text("media_type"),
            static_cast<std::uint64_t>(r.Int("size")),
            0,
            "",
            r.Int("started_ms"),
            r.Text("started_by")};
        CONCORD_ASSIGN_OR_RETURN(ChunkLayout layout, ChunkLayout::Create(u.size, chunk_bytes));
        // Its length only: opening it would create it again when it was just committed.
        CONCORD_ASSIGN_OR_RETURN(
            std::uint64_t kept, blobs.PartialSize(UploadPartialName(package, u.name))
        );
        const std::uint64_t boundary = ChunkBoundaryBelow(layout, kept);
        const std::uint64_t per_chunk = layout.ChunkBytes() + crypto::kStreamChunkOverhead;
        u.received = boundary == layout.SealedSize() ? u.size
                     : boundary == 0                 ? 0
                                     : (boundary - crypto::kStreamHeaderBytes) / per_chunk *
                                           layout.ChunkBytes();
        out.push_back(std::move(u));
    }
    return out;
}

}  // namespace detail

Result<UploadOutcome> EvidenceService::AddFilePart(
    const Actor& actor,
    std::string_view package,
    std::string name,
    std::string media_type,
    std::uint64_t size,
    std::uint64_t offset,
    const PlaintextSource& source,
    std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseEdit));
    const EvidencePackage& p = stored.package;
    if (p.state != "draft") {
        return Invalid("evidence package " + p.package + " is sealed: no file can be added");
    }
    if (size > options_.max_file_bytes) {
        return Invalid(
            "a file is at most " + std::to_string(options_.max_file_bytes) + " bytes at this node"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(ChunkLayout layout, ChunkLayout::Create(size, p.chunk_bytes));
    EvidenceFile file;
    {
        CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
        const PackageBuilder builder =
            PackageBuilder::Resume(blobs_, p.chunk_bytes, std::move(key), p.files);
        CONCORD_ASSIGN_OR_RETURN(
            file,
            builder.CheckNewFile(
                std::move(name), std::move(media_type), detail::AddedBy(actor), now_ms
            )
        );
    }
    const std::string partial_name = UploadPartialName(p.package, file.name);
    const std::optional<Claim> claim = TryClaim(partial_name);
    if (!claim) {
        return MakeError(
            ErrorCode::kUnavailable,
            "another part of '" + file.name + "' is arriving: wait for it to end, then go on"
        );
    }
    UploadStatus status{p.package, file.name, file.media_type, size, 0, "", now_ms, actor.Label()};
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            std::optional<UploadStatus> under_way, LoadUpload(*tx, p.package, file.name)
        );
        if (offset == 0) {
            // A start, or a start again: nothing of an earlier attempt is kept.
            CONCORD_RETURN_IF_ERROR(tx->Execute(kDeleteUpload, {p.package, file.name}));
            CONCORD_RETURN_IF_ERROR(tx->Execute(
                kInsertUpload,
                {p.package,
                 file.name,
                 file.media_type,
                 static_cast<std::int64_t>(size),
                 now_ms,
                 status.started_by}
            ));
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            CONCORD_RETURN_IF_ERROR(blobs_.RemovePartial(partial_name));
        } else if (!under_way) {
            tx->Rollback();
            return UploadOutcome{false, std::nullopt, std::move(status)};  // from byte 0
        } else {
            if (under_way->size != size || under_way->media_type != file.media_type) {
                tx->Rollback();
                return Invalid(
                    "the upload of '" + file.name + "' started as " +
                    std::to_string(under_way->size) + " bytes of " + under_way->media_type +
                    ": go on with the same, or start again from byte 0"
                );
            }
            // A part keeps the upload from expiring (ExpireUploads).
            CONCORD_RETURN_IF_ERROR(tx->Execute(kTouchUpload, {p.package, file.name, now_ms}));
            CONCORD_RETURN_IF_ERROR(tx->Commit());
            status = std::move(*under_way);
        }
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    CONCORD_ASSIGN_OR_RETURN(auto partial, blobs_.OpenPartial(partial_name));
    CONCORD_ASSIGN_OR_RETURN(PartSealer sealer, PartSealer::Open(key, layout, *partial));
    status.received = sealer.Received();
    if (offset != status.received) {
        return UploadOutcome{false, std::nullopt, std::move(status)};
    }
    std::vector<std::uint8_t> piece(kPartPiece);
    for (;;) {
        auto n = source(piece);
        auto written = n ? sealer.Write(ByteSpan(piece.data(), *n)) : Result<void>(n.error());
        if (!written) {
            // A broken connection or a bad body: what was kept stays for the next part.
            if (auto kept = sealer.Keep(); !kept) {
                log::Warning(
                    "evidence upload not synced",
                    {{"package", p.package}, {"error", kept.error().ToString()}}
                );
            }
            return written.error();
        }
        if (*n == 0) {
            break;
        }
    }
    if (!sealer.AllArrived()) {
        CONCORD_RETURN_IF_ERROR(sealer.Keep());
        status.received = sealer.Received();
        return UploadOutcome{true, std::nullopt, std::move(status)};
    }
    CONCORD_ASSIGN_OR_RETURN(file.sealed, sealer.Finish());
    // A package sealed or shredded meanwhile removed the partial blob: the commit fails then.
    CONCORD_RETURN_IF_ERROR(partial->CommitAs(file.sealed.encrypted_sha256));

    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Stored current, Load(*tx, package));
    const EvidencePackage& now = current.package;
    if (now.state != "draft") {
        return Invalid("evidence package " + p.package + " was sealed during the upload");
    }
    for (const EvidenceFile& f : now.files) {
        if (f.name == file.name) {
            return Invalid("file name '" + file.name + "' appears twice");
        }
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t dropped, tx->Execute(kDeleteUpload, {p.package, file.name})
    );
    if (dropped != 1) {
        return Invalid("the upload of '" + file.name + "' was started again meanwhile");
    }
    CONCORD_RETURN_IF_ERROR(detail::InsertEvidenceFile(*tx, p.package, now.files.size(), file));
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx, detail::EvidenceFileLeaf("evidence.file_added", p.package, p.case_id, file), actor
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    status.received = size;
    return UploadOutcome{true, std::move(file), std::move(status)};
}

Result<UploadStatus> EvidenceService::UploadStatusOf(
    const Actor& actor, std::string_view package, std::string_view name
) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseEdit));
    std::optional<UploadStatus> status;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(status, LoadUpload(*tx, stored.package.package, name));
        tx->Rollback();
    }
    if (!status) {
        return MakeError(
            ErrorCode::kNotFound,
            "no upload of '" + std::string(name) + "' is under way in " + stored.package.package
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        ChunkLayout layout, ChunkLayout::Create(status->size, stored.package.chunk_bytes)
    );
    const std::string partial_name = UploadPartialName(status->package, status->name);
    CONCORD_ASSIGN_OR_RETURN(std::uint64_t kept, blobs_.PartialSize(partial_name));
    if (kept == 0) {
        // Nothing kept (or the file was just recorded): nothing to open, and none created.
        status->received_sha256 = HexEncode(crypto::Sha256(ByteSpan()));
        return std::move(*status);
    }
    CONCORD_ASSIGN_OR_RETURN(auto partial, blobs_.OpenPartial(partial_name));
    // What was kept is authenticated and hashed again: the client compares the hash with the
    // start of its file before it sends the rest.
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SecretBytes key, PackageKey(stored.package, stored.sealed_key)
    );
    detail::ChunkChecker checker(key, layout);
    CONCORD_RETURN_IF_ERROR(detail::CheckKept(checker, *partial));
    status->received =
        checker.NextBytes() == 0 ? status->size : checker.Chunks() * layout.ChunkBytes();
    status->received_sha256 = checker.Hashes().first;
    return std::move(*status);
}

Result<std::size_t> EvidenceService::ExpireUploads(std::int64_t now_ms, std::size_t limit) {
    CONCORD_RETURN_IF_ERROR(Attached());
    const std::int64_t before = now_ms - options_.upload_expiry_ms;
    std::vector<std::pair<std::string, std::string>> due;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows, tx->Query(kSelectAbandoned, {before, static_cast<std::int64_t>(limit)})
        );
        tx->Rollback();
        for (const store::Row& r : rows) {
            due.emplace_back(r.Text("package"), r.Text("name"));
        }
    }
    std::size_t expired = 0;
    for (const auto& [package, name] : due) {
        const std::string partial_name = UploadPartialName(package, name);
        const std::optional<Claim> claim = TryClaim(partial_name);
        if (!claim) {
            continue;  // a part is arriving now
        }
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows, tx->Query(kSelectAbandonedOne, {package, name, before})
        );
        if (rows.empty()) {
            tx->Rollback();  // continued, finished or dropped meanwhile
            continue;
        }
        const store::Row& r = rows[0];
        CONCORD_ASSIGN_OR_RETURN(std::uint64_t kept, blobs_.PartialSize(partial_name));
        CONCORD_RETURN_IF_ERROR(tx->Execute(kDeleteUpload, {package, name}));
        boost::json::object leaf{
            {"event", "evidence.upload_expired"},
            {"package", package},
            {"case", r.Text("case_id")},
            {"name", name},
            {"size", r.Int("size")},
            {"kept_encrypted_bytes", kept},
            {"started", FormatTimestamp(r.Int("started_ms"))},
            {"last_part", FormatTimestamp(r.Int("touched_ms"))}};
        CONCORD_RETURN_IF_ERROR(Audit(*tx, std::move(leaf), Actor::Node()));
        CONCORD_RETURN_IF_ERROR(tx->Commit());
        RemovePartials({partial_name}, package);
        ++expired;
    }
    // Partial blobs of uploads that no row names any more: left by a crash between the commit
    // that dropped an upload (expired, or its package dropped) and the removal of its blob.
    CONCORD_ASSIGN_OR_RETURN(const std::vector<std::string> partials, blobs_.PartialNames());
    for (const std::string& partial : partials) {
        constexpr std::string_view kPrefix = "up-";
        constexpr std::size_t kHashPart = 41;  // "-" and 40 hex digits (UploadPartialName)
        if (!partial.starts_with(kPrefix) || partial.size() <= kPrefix.size() + kHashPart) {
            continue;  // a file being received from a peer, or not an upload's
        }
        const std::string package =
            partial.substr(kPrefix.size(), partial.size() - kPrefix.size() - kHashPart);
        const std::optional<Claim> claim = TryClaim(partial);
        if (!claim) {
            continue;  // a part is arriving now
        }
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectPackageUploads, {package}));
        tx->Rollback();
        if (std::any_of(rows.begin(), rows.end(), [&](const store::Row& r) {
                return UploadPartialName(package, r.Text("name")) == partial;
            })) {
            continue;
        }
        CONCORD_RETURN_IF_ERROR(blobs_.RemovePartial(partial));
        log::Warning(
            "an upload's partial blob that no upload names was removed", {{"partial", partial}}
        );
    }
    return expired;
}

Result<std::vector<std::string>> EvidenceService::DropUploads(
    store::Transaction& tx, std::string_view package
) {
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx.Query(kSelectPackageUploads, {std::string(package)}));
    std::vector<std::string> names;
    for (const store::Row& r : rows) {
        names.push_back(UploadPartialName(package, r.Text("name")));
    }
    CONCORD_RETURN_IF_ERROR(tx.Execute(kDeletePackageUploads, {std::string(package)}));
    return names;
}

void EvidenceService::RemovePartials(
    const std::vector<std::string>& names, std::string_view package
) {
    for (const std::string& name : names) {
        if (auto removed = blobs_.RemovePartial(name); !removed) {
            log::Warning(
                "partial evidence file not removed",
                {{"package", std::string(package)}, {"error", removed.error().ToString()}}
            );
        }
    }
}

}  // namespace concord::app
