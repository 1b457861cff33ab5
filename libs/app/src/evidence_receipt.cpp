#include "concord/app/evidence_receipt.hpp"

#include <algorithm>

#include <boost/json/object.hpp>

#include "concord/app/blob_store.hpp"
#include "concord/core/id.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/signed_json.hpp"

namespace concord::app {
namespace {

constexpr std::size_t kMaxReceiptBytes = 4096;
// The members of a signed receipt, in no particular order; nothing else is allowed.
constexpr std::string_view kMembers[] = {
    "v",
    "kind",
    "package",
    "manifest_sha256",
    "from",
    "to",
    "received",
    "ledger_index",
    "key",
    "sig"};

Error Malformed(std::string why) {
    return MakeError(ErrorCode::kInvalidArgument, "evidence receipt: " + std::move(why));
}

Result<void> CheckReceipt(const EvidenceReceipt& r) {
    if (!IsUuidV7(r.package)) {
        return Malformed("package is not a UUIDv7");
    }
    if (!IsBlobAddress(r.manifest_sha256)) {
        return Malformed("manifest_sha256 is not 64 lower-case hex digits");
    }
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(r.from));
    CONCORD_RETURN_IF_ERROR(federation::CheckNodeId(r.to));
    if (r.received_ms < 0 || r.ledger_index > (std::uint64_t{1} << 53) - 1) {
        return Malformed("received or ledger_index out of range");
    }
    return {};
}

}  // namespace

Result<std::string> SignEvidenceReceipt(
    const EvidenceReceipt& receipt, const crypto::SigningKey& node_key
) {
    CONCORD_RETURN_IF_ERROR(CheckReceipt(receipt));
    return federation::SignObject(
        boost::json::object{
            {"v", 1},
            {"kind", "evidence_receipt"},
            {"package", receipt.package},
            {"manifest_sha256", receipt.manifest_sha256},
            {"from", receipt.from},
            {"to", receipt.to},
            {"received", FormatTimestamp(receipt.received_ms)},
            {"ledger_index", static_cast<std::int64_t>(receipt.ledger_index)}},
        kEvidenceReceiptDomain,
        node_key
    );
}

Result<EvidenceReceipt> VerifyEvidenceReceipt(
    const federation::Directory& directory, std::string_view text
) {
    if (text.size() > kMaxReceiptBytes) {
        return Malformed("longer than " + std::to_string(kMaxReceiptBytes) + " bytes");
    }
    CONCORD_ASSIGN_OR_RETURN(boost::json::object o, federation::ParseObject(text));
    for (const auto& member : o) {
        if (std::find(std::begin(kMembers), std::end(kMembers), member.key()) ==
            std::end(kMembers)) {
            return Malformed("unknown member '" + std::string(member.key()) + "'");
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::int64_t v, federation::GetInt(o, "v"));
    CONCORD_ASSIGN_OR_RETURN(std::string kind, federation::GetString(o, "kind"));
    if (v != 1 || kind != "evidence_receipt") {
        return Malformed("not a version 1 evidence_receipt");
    }
    EvidenceReceipt r;
    CONCORD_ASSIGN_OR_RETURN(r.package, federation::GetString(o, "package"));
    CONCORD_ASSIGN_OR_RETURN(r.manifest_sha256, federation::GetString(o, "manifest_sha256"));
    CONCORD_ASSIGN_OR_RETURN(r.from, federation::GetString(o, "from"));
    CONCORD_ASSIGN_OR_RETURN(r.to, federation::GetString(o, "to"));
    CONCORD_ASSIGN_OR_RETURN(std::string received, federation::GetString(o, "received"));
    auto at = ParseTimestamp(received);
    if (!at || FormatTimestamp(*at) != received) {
        return Malformed("received is not an RFC 3339 UTC time with milliseconds");
    }
    r.received_ms = *at;
    CONCORD_ASSIGN_OR_RETURN(std::int64_t index, federation::GetInt(o, "ledger_index"));
    if (index < 0) {
        return Malformed("ledger_index is negative");
    }
    r.ledger_index = static_cast<std::uint64_t>(index);
    CONCORD_RETURN_IF_ERROR(CheckReceipt(r));
    const federation::NodeEntry* signer = directory.FindNode(r.to);
    if (signer == nullptr || signer->revoked) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "evidence receipt: its signer '" + r.to + "' is not in the directory (or revoked)"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(crypto::PublicKey key, federation::SignerKey(o));
    if (!(key == signer->signing_key)) {
        return MakeError(
            ErrorCode::kUnauthenticated,
            "evidence receipt: not signed with the directory key of '" + r.to + "'"
        );
    }
    CONCORD_RETURN_IF_ERROR(
        federation::VerifyObjectWithKey(o, kEvidenceReceiptDomain, signer->signing_key)
    );
    return r;
}

}  // namespace concord::app
