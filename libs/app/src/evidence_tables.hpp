#pragma once

// What the evidence service's source files share about its tables and key sealing
// (docs/formats/evidence.md "At the sending node").
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "concord/app/actor.hpp"
#include "concord/app/blob_store.hpp"
#include "concord/app/evidence_manifest.hpp"
#include "concord/app/evidence_service.hpp"
#include "concord/app/retention_policy.hpp"
#include "concord/core/bytes.hpp"
#include "concord/store/store.hpp"

namespace concord::app::detail {

/// Records `file` as file number `seq` of `package`.
inline Result<void> InsertEvidenceFile(
    store::Transaction& tx, std::string_view package, std::size_t seq, const EvidenceFile& file
) {
    CONCORD_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO app_evidence_files (package, seq, name, media_type, size, sha256, "
        "encrypted_sha256, added_by, added_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {std::string(package),
         static_cast<std::int64_t>(seq),
         file.name,
         file.media_type,
         static_cast<std::int64_t>(file.sealed.size),
         file.sealed.sha256,
         file.sealed.encrypted_sha256,
         file.added_by,
         file.added_ms}
    ));
    return {};
}

/// The audit leaf `event` about `file` of `package` in case `case_id`: its name, size and both
/// hashes (chain of custody; never its content).
inline boost::json::object EvidenceFileLeaf(
    std::string_view event,
    std::string_view package,
    std::string_view case_id,
    const EvidenceFile& file
) {
    return boost::json::object{
        {"event", event},
        {"package", package},
        {"case", case_id},
        {"name", file.name},
        {"size", static_cast<std::int64_t>(file.sealed.size)},
        {"sha256", file.sealed.sha256},
        {"encrypted_sha256", file.sealed.encrypted_sha256}};
}

/// The conditions column of a package: their JSON, or NULL when there are none.
inline store::Value ConditionsValue(const UseConditions& conditions) {
    if (!conditions.Any()) {
        return store::Null{};
    }
    return boost::json::serialize(UseConditionsJson(conditions));
}

/// The conditions column read back; kCorruption if it is not what ConditionsValue writes.
inline Result<UseConditions> StoredConditions(std::string_view text) {
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(text, ec);
    auto conditions = ec ? Result<UseConditions>(MakeError(ErrorCode::kInvalidArgument, ""))
                         : ParseUseConditions(value);
    if (!conditions) {
        return MakeError(ErrorCode::kCorruption, "stored evidence conditions are damaged");
    }
    return conditions;
}

/// The stored period of a package: the rule's, fixed at creation; NULL when the node's default
/// applied, so that a change of `evidence.retention` reaches it.
inline store::Value RetentionPeriodValue(const RetentionPolicy::Decision& retention) {
    return retention.rule.empty() ? store::Value(store::Null{}) : store::Value(retention.period_ms);
}

/// The retention_rule column of a package: the rule's description, or NULL for the default.
inline store::Value RetentionRuleValue(const RetentionPolicy::Decision& retention) {
    return retention.rule.empty() ? store::Value(store::Null{}) : store::Value(retention.rule);
}

/// A package's period and rule read back from its retention_ms and retention_rule columns: a
/// NULL period is the node's default as set now (`default_ms`).
inline RetentionPolicy::Decision StoredRetention(const store::Row& row, std::int64_t default_ms) {
    RetentionPolicy::Decision retention;
    retention.period_ms = row.IsNull("retention_ms") ? default_ms : row.Int("retention_ms");
    retention.rule = row.IsNull("retention_rule") ? std::string() : row.Text("retention_rule");
    return retention;
}

/// The `retention` member of a package's first audit leaf: its period and the rule, if any.
inline boost::json::object RetentionLeaf(const RetentionPolicy::Decision& retention) {
    boost::json::object o{{"period_ms", retention.period_ms}};
    if (!retention.rule.empty()) {
        o["rule"] = retention.rule;
    }
    return o;
}

/// The partial blob of file `index` of an incoming package.
/// The login an actor's files are recorded under: the person's, or "node" for the node itself
/// (a login in the format's sense).
inline std::string AddedBy(const Actor& actor) {
    return actor.kind == Actor::Kind::kUser ? actor.user_id : "node";
}

/// The table of uploads under way (evidence_upload.cpp), for the migration list.
std::string UploadSchema(std::string_view integer);
/// Version 6: when each upload's last part began (`touched_ms`), for ExpireUploads.
std::string UploadTouchSchema(std::string_view integer);

/// The uploads in parts under way into `package` (EvidencePackage::uploads), their kept bytes
/// counted from the length of their partial blobs in `blobs`.
Result<std::vector<UploadStatus>> UploadsUnderWay(
    store::Transaction& tx, BlobStore& blobs, std::string_view package, std::uint32_t chunk_bytes
);

inline std::string EvidencePartialName(std::string_view package, std::size_t index) {
    return std::string(package) + "-" + std::to_string(index);
}

/// Associated data of a package key sealed under the node's data key.
inline Bytes EvidenceKeyAssociatedData(std::string_view package) {
    std::string ad("concord-evidence-package-key-v1");
    ad += '\n';
    ad += package;
    return ToBytes(ad);
}

}  // namespace concord::app::detail
