// The transfer of a sealed evidence package to its recipient (docs/formats/evidence.md
// "Transfer"): what the sender records when the recipient's receipt arrives, and the
// recipient's side, where every chunk is authenticated before it is kept and a transfer resumes
// from the last whole chunk it kept.
#include <algorithm>
#include <optional>

#include <boost/json/object.hpp>

#include "concord/app/evidence_receipt.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/core/assert.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/crypto/secret_box.hpp"
#include "concord/crypto/sha256.hpp"
#include "concord/federation/node.hpp"

#include "evidence_chunks.hpp"
#include "evidence_tables.hpp"

namespace concord::app {
namespace {

using detail::ChunkBoundaryBelow;
using detail::ChunkChecker;
using detail::ReadFull;

constexpr std::string_view kSelectOutgoing =
    "SELECT package FROM app_evidence_packages WHERE state = 'sealed' AND sender IS NULL ORDER "
    "BY created_ms, package LIMIT $1";
constexpr std::string_view kDeliver =
    "UPDATE app_evidence_packages SET state = 'delivered', receipt = $2 WHERE package = $1 AND "
    "state = 'sealed'";
constexpr std::string_view kSelectKnown =
    "SELECT manifest, sender FROM app_evidence_packages WHERE package = $1";
constexpr std::string_view kInsertIncoming =
    "INSERT INTO app_evidence_packages (package, case_id, recipient, state, created_ms, "
    "created_by, chunk_bytes, sealed_key, manifest, sender, conditions, retention_ms, "
    "retention_rule) VALUES ($1, $2, $3, 'receiving', $4, $5, $6, $7, $8, $9, $10, $11, $12)";
// Takes the package row's lock on PostgreSQL (SQLite runs one writer at a time anyway), so two
// files completing at once cannot both miss that they completed the package.
constexpr std::string_view kLockPackage =
    "UPDATE app_evidence_packages SET state = state WHERE package = $1";
constexpr std::string_view kReceived =
    "UPDATE app_evidence_packages SET state = 'received', receipt = $2 WHERE package = $1 AND "
    "state = 'receiving'";

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string HexSha256(std::string_view text) {
    return HexEncode(crypto::Sha256(AsBytes(text)));
}

}  // namespace

Result<EvidenceService::Stored> EvidenceService::LoadAlone(std::string_view package) const {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, package));
    tx->Rollback();
    return stored;
}

Result<std::vector<OutgoingPackage>> EvidenceService::Outgoing(std::size_t limit) {
    std::vector<OutgoingPackage> out;
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows, tx->Query(kSelectOutgoing, {static_cast<std::int64_t>(limit)})
    );
    for (const store::Row& r : rows) {
        CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, r.Text("package")));
        EvidencePackage& p = stored.package;
        out.push_back(OutgoingPackage{
            p.package, p.case_id, p.to, std::move(p.manifest), p.chunk_bytes, std::move(p.files)});
    }
    tx->Rollback();
    return out;
}

Result<void> EvidenceService::RecordDelivered(
    std::string_view package,
    std::string_view receipt_text,
    const federation::Directory& directory,
    std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(
        EvidenceReceipt receipt, VerifyEvidenceReceipt(directory, receipt_text)
    );
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, package));
    const EvidencePackage& p = stored.package;
    if (p.from != options_.node_id) {
        return MakeError(ErrorCode::kNotFound, "no outgoing evidence package " + p.package);
    }
    if (p.state == "delivered") {
        return {};
    }
    if (p.state != "sealed") {
        return Invalid("evidence package " + p.package + " is not sealed");
    }
    const std::string manifest_sha256 = HexSha256(p.manifest);
    if (receipt.package != p.package || receipt.from != options_.node_id || receipt.to != p.to ||
        receipt.manifest_sha256 != manifest_sha256) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "evidence receipt does not cover package " + p.package + " as sent to " + p.to
        );
    }
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t changed, tx->Execute(kDeliver, {p.package, std::string(receipt_text)})
    );
    if (changed != 1) {
        return Invalid("evidence package " + p.package + " changed during delivery");
    }
    CONCORD_RETURN_IF_ERROR(node_->AppendEvent(
        *tx,
        boost::json::object{
            {"event", "evidence.delivered"},
            {"package", p.package},
            {"case", p.case_id},
            {"to", p.to},
            {"manifest_sha256", manifest_sha256},
            {"receipt_sha256", HexSha256(receipt_text)},
            {"recipient_ledger_index", static_cast<std::int64_t>(receipt.ledger_index)},
            {"at", FormatTimestamp(now_ms)}}
    ));
    return tx->Commit();
}

Result<IncomingStatus> EvidenceService::Offer(
    const federation::Directory& directory, std::string_view manifest_text, std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(Attached());
    auto verified = VerifyManifest(directory, manifest_text);
    if (!verified) {
        return tl::unexpected(verified.error().ToError());
    }
    const EvidenceManifest& m = verified->parsed.manifest;
    if (m.to != options_.node_id) {
        return MakeError(
            ErrorCode::kPermissionDenied,
            "evidence package " + m.package + " is addressed to " + m.to + ", not to this node"
        );
    }
    for (const EvidenceFile& f : m.files) {
        if (f.sealed.size > options_.max_file_bytes) {
            return Invalid(
                "file '" + f.name + "' is larger than this node accepts (" +
                std::to_string(options_.max_file_bytes) + " bytes)"
            );
        }
    }
    const federation::NodeEntry* sender = directory.FindNode(m.from);
    CONCORD_ASSERT(sender != nullptr);  // VerifyManifest found it
    CONCORD_ASSIGN_OR_RETURN(
        crypto::SecretBytes key,
        OpenPackageKey(m.sealed_key, m.package, m.from, m.to, sender->box_key, node_box_)
    );
    std::string case_id = m.case_id;
    if (options_.cases.local) {
        CONCORD_ASSIGN_OR_RETURN(case_id, options_.cases.local(m.case_id, m.from));
    }
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectKnown, {m.package}));
        tx->Rollback();
        if (!rows.empty()) {
            const store::Row& r = rows.front();
            if (r.IsNull("manifest") || r.IsNull("sender") || r.Text("manifest") != manifest_text) {
                return MakeError(
                    ErrorCode::kAlreadyExists,
                    "evidence package " + m.package + " is known here with another manifest"
                );
            }
            return IncomingStatusOf(m.package);
        }
    }
    CONCORD_ASSIGN_OR_RETURN(
        Bytes sealed,
        crypto::SecretSeal(key.Span(), detail::EvidenceKeyAssociatedData(m.package), data_key_)
    );
    CONCORD_ASSIGN_OR_RETURN(RetentionPolicy::Decision retention, RetentionOf(case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute(
        kInsertIncoming,
        {m.package,
         case_id,
         options_.node_id,
         now_ms,
         "peer:" + m.from,
         static_cast<std::int64_t>(m.chunk_bytes),
         sealed,
         std::string(manifest_text),
         m.from,
         detail::ConditionsValue(m.conditions),
         detail::RetentionPeriodValue(retention),
         detail::RetentionRuleValue(retention)}
    ));
    CONCORD_RETURN_IF_ERROR(node_->AppendEvent(
        *tx,
        boost::json::object{
            {"event", "evidence.offered"},
            {"package", m.package},
            {"case", case_id},
            {"from", m.from},
            {"files", static_cast<std::int64_t>(m.files.size())},
            {"manifest_sha256", HexSha256(manifest_text)},
            {"officer", verified->officer_user},
            {"retention", detail::RetentionLeaf(retention)}}
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return IncomingStatusOf(m.package);
}

Result<IncomingStatus> EvidenceService::IncomingStatusOf(std::string_view package) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadAlone(package));
    return StatusOf(stored);
}

Result<IncomingStatus> EvidenceService::StatusOf(const Stored& stored) {
    const EvidencePackage& p = stored.package;
    if (p.from == options_.node_id) {
        return MakeError(ErrorCode::kNotFound, "no incoming evidence package " + p.package);
    }
    CONCORD_ASSIGN_OR_RETURN(ParsedManifest parsed, ParseManifest(p.manifest));
    IncomingStatus status;
    status.package = p.package;
    status.state = p.state;
    status.receipt = p.receipt;
    const auto& files = parsed.manifest.files;
    for (std::size_t i = 0; i < files.size(); ++i) {
        CONCORD_ASSIGN_OR_RETURN(
            ChunkLayout layout, ChunkLayout::Create(files[i].sealed.size, p.chunk_bytes)
        );
        IncomingFile file{files[i].name, layout.SealedSize(), 0, false};
        file.complete = std::any_of(p.files.begin(), p.files.end(), [&](const EvidenceFile& f) {
            return f.name == file.name;
        });
        if (file.complete) {
            file.received = file.sealed_size;
        } else {
            CONCORD_ASSIGN_OR_RETURN(
                auto partial, blobs_.OpenPartial(detail::EvidencePartialName(p.package, i))
            );
            // Not authenticated here (Receive does that before it appends): where the next
            // call should resume unless the check cuts it shorter.
            file.received = ChunkBoundaryBelow(layout, partial->Size());
        }
        status.files.push_back(std::move(file));
    }
    return status;
}

namespace {

Error ShreddedWhileArriving(const std::string& package, std::size_t index) {
    return MakeError(
        ErrorCode::kNotFound,
        "evidence package " + package + " was shredded while file " + std::to_string(index) +
            " was arriving: nothing of it is kept"
    );
}

}  // namespace

Result<ReceiveOutcome> EvidenceService::Receive(
    std::string_view package,
    std::size_t index,
    std::uint64_t offset,
    const EncryptedSource& source,
    std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadAlone(package));
    CONCORD_ASSIGN_OR_RETURN(IncomingStatus status, StatusOf(stored));
    const EvidencePackage& p = stored.package;
    if (index >= status.files.size()) {
        return MakeError(
            ErrorCode::kNotFound,
            "evidence package " + p.package + " has no file " + std::to_string(index)
        );
    }
    if (status.files[index].complete) {
        return ReceiveOutcome{false, std::move(status)};
    }
    const std::string name = detail::EvidencePartialName(p.package, index);
    const std::optional<Claim> claim = TryClaim(name);
    if (!claim) {
        return MakeError(
            ErrorCode::kUnavailable,
            "file " + std::to_string(index) + " of " + p.package + " is being received already"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(ParsedManifest parsed, ParseManifest(p.manifest));
    const EvidenceFile& expected = parsed.manifest.files[index];
    CONCORD_ASSIGN_OR_RETURN(crypto::SecretBytes key, PackageKey(p, stored.sealed_key));
    CONCORD_ASSIGN_OR_RETURN(
        ChunkLayout layout, ChunkLayout::Create(expected.sealed.size, p.chunk_bytes)
    );
    CONCORD_ASSIGN_OR_RETURN(auto partial, blobs_.OpenPartial(name));
    ChunkChecker checker(key, layout);
    CONCORD_RETURN_IF_ERROR(detail::RecheckPartial(checker, *partial));
    Bytes piece;
    if (offset != checker.Verified()) {
        status.files[index].received = checker.Verified();
        return ReceiveOutcome{false, std::move(status)};
    }
    while (checker.NextBytes() > 0) {
        piece.resize(checker.NextBytes());
        CONCORD_ASSIGN_OR_RETURN(std::size_t n, ReadFull(source, piece));
        if (n != piece.size()) {
            // The body ended (at or within a chunk): keep every whole chunk; resume from there.
            CONCORD_RETURN_IF_ERROR(partial->Sync());
            status.files[index].received = checker.Verified();
            return ReceiveOutcome{true, std::move(status)};
        }
        if (auto accepted = checker.Accept(piece); !accepted) {
            CONCORD_RETURN_IF_ERROR(partial->Sync());
            return MakeError(
                ErrorCode::kUnauthenticated,
                "file " + std::to_string(index) + " of " + p.package + ": " +
                    accepted.error().message + "; nothing of it was kept"
            );
        }
        CONCORD_RETURN_IF_ERROR(partial->Append(piece));
    }
    std::uint8_t extra = 0;
    CONCORD_ASSIGN_OR_RETURN(std::size_t more, source(std::span<std::uint8_t>(&extra, 1)));
    CONCORD_RETURN_IF_ERROR(partial->Sync());
    if (more != 0) {
        return Invalid(
            "file " + std::to_string(index) + " of " + p.package +
            ": the body goes on past the end of the file"
        );
    }
    const auto [plain_sha256, sealed_sha256] = checker.Hashes();
    if (plain_sha256 != expected.sealed.sha256 ||
        sealed_sha256 != expected.sealed.encrypted_sha256) {
        // Authentic chunks that do not hash as the manifest says: the sender's manifest is wrong
        // about its own file. Nothing is kept.
        CONCORD_RETURN_IF_ERROR(blobs_.RemovePartial(name));
        return MakeError(
            ErrorCode::kCorruption,
            "file " + std::to_string(index) + " of " + p.package +
                " does not hash to what its manifest states"
        );
    }
    if (auto committed = partial->CommitAs(expected.sealed.encrypted_sha256); !committed) {
        // Shredded while the file was arriving: the partial file was removed under it.
        auto now = LoadAlone(package);
        return now && now->package.state == "shredded" ? ShreddedWhileArriving(p.package, index)
                                                       : committed.error();
    }
    if (auto recorded = RecordFileReceived(stored, parsed, index, now_ms); !recorded) {
        if (recorded.error().code == ErrorCode::kNotFound) {
            // Shredded while the file was arriving: the ciphertext just kept goes too.
            if (auto removed = blobs_.Remove(expected.sealed.encrypted_sha256); !removed) {
                log::Warning(
                    "evidence file of a shredded package not removed",
                    {{"package", p.package}, {"error", removed.error().ToString()}}
                );
            }
        }
        return recorded.error();
    }
    CONCORD_ASSIGN_OR_RETURN(IncomingStatus done, IncomingStatusOf(package));
    return ReceiveOutcome{true, std::move(done)};
}

Result<void> EvidenceService::RecordFileReceived(
    const Stored& stored, const ParsedManifest& manifest, std::size_t index, std::int64_t now_ms
) {
    const EvidenceManifest& m = manifest.manifest;
    const EvidenceFile& file = m.files[index];
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_RETURN_IF_ERROR(tx->Execute(kLockPackage, {m.package}));
    CONCORD_ASSIGN_OR_RETURN(Stored current, Load(*tx, m.package));
    if (current.package.state == "shredded") {
        return ShreddedWhileArriving(m.package, index);
    }
    for (const EvidenceFile& f : current.package.files) {
        if (f.name == file.name) {
            return {};  // recorded by an earlier call
        }
    }
    const std::string& case_id = stored.package.case_id;
    CONCORD_RETURN_IF_ERROR(detail::InsertEvidenceFile(*tx, m.package, index, file));
    boost::json::object received =
        detail::EvidenceFileLeaf("evidence.file_received", m.package, case_id, file);
    received["from"] = m.from;
    CONCORD_RETURN_IF_ERROR(node_->AppendEvent(*tx, received));
    if (current.package.files.size() + 1 == m.files.size()) {
        const std::string manifest_sha256 = HexSha256(stored.package.manifest);
        CONCORD_ASSIGN_OR_RETURN(
            std::uint64_t leaf,
            node_->AppendEvent(
                *tx,
                boost::json::object{
                    {"event", "evidence.received"},
                    {"package", m.package},
                    {"case", case_id},
                    {"from", m.from},
                    {"files", static_cast<std::int64_t>(m.files.size())},
                    {"manifest_sha256", manifest_sha256}}
            )
        );
        CONCORD_ASSIGN_OR_RETURN(
            std::string receipt,
            SignEvidenceReceipt(
                EvidenceReceipt{m.package, manifest_sha256, m.from, m.to, now_ms, leaf}, node_key_
            )
        );
        CONCORD_RETURN_IF_ERROR(tx->Execute(kReceived, {m.package, receipt}));
    }
    return tx->Commit();
}

Result<EvidenceCustody> EvidenceService::Custody(const Actor& actor, std::string_view package) {
    CONCORD_ASSIGN_OR_RETURN(Stored stored, LoadFor(actor, package, Action::kCaseRead));
    const EvidencePackage& p = stored.package;
    EvidenceCustody custody;
    custody.receipt = p.receipt;
    if (p.receipt.empty() || p.from == options_.node_id) {
        return custody;
    }
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(
        EvidenceReceipt receipt, VerifyEvidenceReceipt(*node_->Directory(), p.receipt)
    );
    CONCORD_ASSIGN_OR_RETURN(custody.ledger_leaf, node_->LedgerLeaf(receipt.ledger_index));
    CONCORD_ASSIGN_OR_RETURN(custody.ledger_proof, node_->LedgerProof(receipt.ledger_index));
    return custody;
}

}  // namespace concord::app
