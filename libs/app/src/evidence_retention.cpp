// Retention, legal holds and shredding of evidence packages (docs/operations.md "Retention and
// legal holds", docs/formats/evidence.md "Shredding").
#include <algorithm>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "concord/app/evidence_service.hpp"
#include "concord/core/id.hpp"
#include "concord/core/log.hpp"
#include "concord/core/time.hpp"
#include "concord/core/utf8.hpp"
#include "concord/federation/node.hpp"

#include "evidence_tables.hpp"

namespace concord::app {
namespace {

constexpr std::size_t kMaxHoldReasonBytes = 500;

constexpr std::string_view kInsertHold =
    "INSERT INTO app_evidence_holds (hold, case_id, reason, placed_by, placed_ms) VALUES ($1, $2, "
    "$3, $4, $5)";
constexpr std::string_view kHoldInForce =
    "SELECT hold, placed_ms FROM app_evidence_holds WHERE case_id = $1 AND lifted_ms IS NULL";
constexpr std::string_view kLiftHold =
    "UPDATE app_evidence_holds SET lifted_ms = $2, lifted_by = $3 WHERE hold = $1 AND lifted_ms "
    "IS NULL";
constexpr std::string_view kSelectHolds =
    "SELECT hold, case_id, reason, placed_by, placed_ms, lifted_by, lifted_ms FROM "
    "app_evidence_holds WHERE case_id = $1 ORDER BY placed_ms, hold";
// Touches every package row of a case: a hold being placed and a package being shredded meet on
// the package's row, so one of them waits for the other (READ COMMITTED in PostgreSQL).
constexpr std::string_view kTouchCasePackages =
    "UPDATE app_evidence_packages SET held_ms = held_ms WHERE case_id = $1";
// The clock of a package stood still from the later of the hold's start and the package's
// creation until the hold was lifted.
constexpr std::string_view kAddHeldTime =
    "UPDATE app_evidence_packages SET held_ms = held_ms + ($2 - CASE WHEN created_ms > $3 THEN "
    "created_ms ELSE $3 END) WHERE case_id = $1 AND shredded_ms IS NULL AND created_ms < $2";
// A package's retention end is created + its period + the time held; its period is NULL for
// packages from before periods were recorded, which keep the node's default ($3).
constexpr std::string_view kSelectDue =
    "SELECT package FROM app_evidence_packages WHERE shredded_ms IS NULL AND created_ms + "
    "COALESCE(retention_ms, $3) + held_ms <= $1 AND case_id NOT IN (SELECT case_id FROM "
    "app_evidence_holds WHERE lifted_ms IS NULL) ORDER BY created_ms + COALESCE(retention_ms, $3) "
    "+ held_ms, package LIMIT $2";
constexpr std::string_view kMarkShredded =
    "UPDATE app_evidence_packages SET shredded_ms = $2 WHERE package = $1 AND shredded_ms IS NULL";
constexpr std::string_view kErasePackage =
    "UPDATE app_evidence_packages SET state = 'shredded', sealed_key = $2, manifest = NULL WHERE "
    "package = $1";
constexpr std::string_view kEraseFileNames =
    "UPDATE app_evidence_files SET name = 'file-' || CAST(seq AS TEXT) WHERE package = $1";

// The retention register: package metadata, the hold in force on its case, its files' count and
// size; no name, manifest or reason.
constexpr std::string_view kRegisterColumns =
    "SELECT p.package, p.case_id, p.sender, p.recipient, p.state, p.created_ms, p.held_ms, "
    "p.retention_ms, p.retention_rule, p.shredded_ms, (SELECT h.placed_ms FROM app_evidence_holds "
    "h WHERE h.case_id = p.case_id "
    "AND h.lifted_ms IS NULL) AS hold_since, (SELECT COUNT(*) FROM app_evidence_files f WHERE "
    "f.package = p.package) AS files, (SELECT CAST(COALESCE(SUM(f.size), 0) AS BIGINT) FROM "
    "app_evidence_files f WHERE f.package = p.package) AS bytes FROM app_evidence_packages p ";
constexpr std::string_view kRegisterKept =
    "WHERE p.shredded_ms IS NULL ORDER BY p.created_ms + COALESCE(p.retention_ms, $2) + "
    "p.held_ms, p.package LIMIT $1";
constexpr std::string_view kRegisterShredded =
    "WHERE p.shredded_ms IS NOT NULL ORDER BY p.shredded_ms DESC, p.package LIMIT $1";

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

/// What Expire removes from the blob store once a package's shredding has committed.
struct BlobsOf {
    std::vector<std::string> addresses;
    std::vector<std::string> partials;
};

}  // namespace

Result<std::string> EvidenceService::PlaceHold(
    const Actor& actor, std::string_view case_id, std::string reason, std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(access_(actor, Action::kCaseEdit, case_id));
    if (reason.empty() || reason.size() > kMaxHoldReasonBytes || !IsValidUtf8(reason)) {
        return Invalid("a legal hold needs a reason of 1 to 500 bytes of UTF-8");
    }
    CONCORD_RETURN_IF_ERROR(Attached());
    const std::string hold = NewUuidV7At(now_ms);
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    auto inserted = tx->Execute(
        kInsertHold, {hold, std::string(case_id), std::move(reason), actor.Label(), now_ms}
    );
    if (!inserted) {
        if (inserted.error().code == ErrorCode::kAlreadyExists) {
            return MakeError(
                ErrorCode::kAlreadyExists,
                "case " + std::string(case_id) + " is under a legal hold already",
                "hold_in_force"
            );
        }
        return inserted.error();
    }
    CONCORD_RETURN_IF_ERROR(tx->Execute(kTouchCasePackages, {std::string(case_id)}));
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx,
        boost::json::object{
            {"event", "evidence.hold_placed"},
            {"case", case_id},
            {"hold", hold},
            {"at", FormatTimestamp(now_ms)}},
        actor
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return hold;
}

Result<std::string> EvidenceService::LiftHold(
    const Actor& actor, std::string_view case_id, std::int64_t now_ms
) {
    CONCORD_RETURN_IF_ERROR(access_(actor, Action::kCaseEdit, case_id));
    CONCORD_RETURN_IF_ERROR(Attached());
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kHoldInForce, {std::string(case_id)}));
    if (rows.empty()) {
        return MakeError(
            ErrorCode::kNotFound,
            "case " + std::string(case_id) + " has no legal hold in force",
            "no_hold_in_force"
        );
    }
    const std::string hold = rows.front().Text("hold");
    const std::int64_t placed_ms = rows.front().Int("placed_ms");
    // A clock set back never makes the hold end before it began.
    const std::int64_t lifted_ms = std::max(now_ms, placed_ms);
    CONCORD_RETURN_IF_ERROR(tx->Execute(kLiftHold, {hold, lifted_ms, actor.Label()}));
    CONCORD_RETURN_IF_ERROR(tx->Execute(kAddHeldTime, {std::string(case_id), lifted_ms, placed_ms})
    );
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx,
        boost::json::object{
            {"event", "evidence.hold_lifted"},
            {"case", case_id},
            {"hold", hold},
            {"held_ms", lifted_ms - placed_ms},
            {"at", FormatTimestamp(now_ms)}},
        actor
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    return hold;
}

Result<std::vector<LegalHold>> EvidenceService::HoldsOf(
    const Actor& actor, std::string_view case_id
) {
    CONCORD_RETURN_IF_ERROR(access_(actor, Action::kCaseRead, case_id));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(auto rows, tx->Query(kSelectHolds, {std::string(case_id)}));
    tx->Rollback();
    std::vector<LegalHold> out;
    out.reserve(rows.size());
    for (const store::Row& r : rows) {
        LegalHold h;
        h.hold = r.Text("hold");
        h.case_id = r.Text("case_id");
        h.reason = r.Text("reason");
        h.placed_by = r.Text("placed_by");
        h.placed_ms = r.Int("placed_ms");
        h.lifted_by = r.IsNull("lifted_by") ? std::string() : r.Text("lifted_by");
        h.lifted_ms = r.IsNull("lifted_ms") ? 0 : r.Int("lifted_ms");
        out.push_back(std::move(h));
    }
    return out;
}

Result<std::vector<RetentionEntry>> EvidenceService::RetentionRegister(
    const Actor& actor, RetentionView view, std::size_t limit
) {
    CONCORD_RETURN_IF_ERROR(Decide(actor, Action::kAuditRead));
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    CONCORD_ASSIGN_OR_RETURN(
        auto rows,
        tx->Query(
            std::string(kRegisterColumns) +
                std::string(view == RetentionView::kKept ? kRegisterKept : kRegisterShredded),
            view == RetentionView::kKept
                ? std::vector<
                      store::Value>{static_cast<std::int64_t>(limit), retention_.DefaultMs()}
                : std::vector<store::Value>{static_cast<std::int64_t>(limit)}
        )
    );
    tx->Rollback();
    std::vector<RetentionEntry> out;
    out.reserve(rows.size());
    for (const store::Row& r : rows) {
        RetentionEntry e;
        e.package = r.Text("package");
        e.case_id = r.Text("case_id");
        e.from = r.IsNull("sender") ? options_.node_id : r.Text("sender");
        e.to = r.Text("recipient");
        e.state = r.Text("state");
        e.created_ms = r.Int("created_ms");
        e.held_ms = r.Int("held_ms");
        RetentionPolicy::Decision retention = detail::StoredRetention(r, retention_.DefaultMs());
        e.retention_ms = retention.period_ms;
        e.retention_rule = std::move(retention.rule);
        e.retention_end_ms = e.created_ms + e.retention_ms + e.held_ms;
        e.hold_since_ms = r.IsNull("hold_since") ? 0 : r.Int("hold_since");
        e.shredded_ms = r.IsNull("shredded_ms") ? 0 : r.Int("shredded_ms");
        e.files = static_cast<std::size_t>(r.Int("files"));
        e.bytes = static_cast<std::uint64_t>(r.Int("bytes"));
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::size_t> EvidenceService::Expire(std::int64_t now_ms, std::size_t limit) {
    CONCORD_RETURN_IF_ERROR(Attached());
    std::vector<std::string> due;
    {
        CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
        CONCORD_ASSIGN_OR_RETURN(
            auto rows,
            tx->Query(
                kSelectDue, {now_ms, static_cast<std::int64_t>(limit), retention_.DefaultMs()}
            )
        );
        tx->Rollback();
        for (const store::Row& r : rows) {
            due.push_back(r.Text("package"));
        }
    }
    std::size_t shredded = 0;
    for (const std::string& package : due) {
        CONCORD_ASSIGN_OR_RETURN(bool done, Shred(package, now_ms));
        shredded += done ? 1 : 0;
    }
    return shredded;
}

Result<bool> EvidenceService::Shred(std::string_view package, std::int64_t now_ms) {
    CONCORD_ASSIGN_OR_RETURN(auto tx, store_.Begin());
    // The package's row first (see kTouchCasePackages), then the holds.
    CONCORD_ASSIGN_OR_RETURN(
        std::int64_t marked, tx->Execute(kMarkShredded, {std::string(package), now_ms})
    );
    if (marked == 0) {
        return false;
    }
    CONCORD_ASSIGN_OR_RETURN(Stored stored, Load(*tx, package));
    const EvidencePackage& p = stored.package;
    CONCORD_ASSIGN_OR_RETURN(auto holds, tx->Query(kHoldInForce, {p.case_id}));
    if (!holds.empty()) {
        tx->Rollback();
        return false;
    }
    BlobsOf blobs;
    boost::json::array files;
    for (const EvidenceFile& f : p.files) {
        blobs.addresses.push_back(f.sealed.encrypted_sha256);
        files.push_back(boost::json::object{
            {"size", static_cast<std::int64_t>(f.sealed.size)},
            {"sha256", f.sealed.sha256},
            {"encrypted_sha256", f.sealed.encrypted_sha256}});
    }
    if (p.state == "receiving") {
        // Files still arriving are partial blobs, one per file of the manifest.
        if (auto manifest = ParseManifest(p.manifest); manifest) {
            for (std::size_t i = 0; i < manifest->manifest.files.size(); ++i) {
                blobs.partials.push_back(detail::EvidencePartialName(p.package, i));
            }
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::vector<std::string> uploads, DropUploads(*tx, p.package));
    blobs.partials.insert(blobs.partials.end(), uploads.begin(), uploads.end());
    CONCORD_RETURN_IF_ERROR(tx->Execute(kErasePackage, {p.package, Bytes{}}));
    CONCORD_RETURN_IF_ERROR(tx->Execute(kEraseFileNames, {p.package}));
    CONCORD_RETURN_IF_ERROR(Audit(
        *tx,
        boost::json::object{
            {"event", "evidence.shredded"},
            {"package", p.package},
            {"case", p.case_id},
            {"reason", "retention"},
            {"files", std::move(files)},
            {"at", FormatTimestamp(now_ms)}},
        Actor::Node()
    ));
    CONCORD_RETURN_IF_ERROR(tx->Commit());
    // The key is gone: what follows only frees the space. A blob left behind by a crash here is
    // ciphertext nobody can open any more.
    for (const std::string& address : blobs.addresses) {
        if (auto removed = blobs_.Remove(address); !removed) {
            log::Warning(
                "shredded evidence file not removed",
                {{"package", p.package}, {"error", removed.error().ToString()}}
            );
        }
    }
    RemovePartials(blobs.partials, p.package);
    return true;
}

}  // namespace concord::app
