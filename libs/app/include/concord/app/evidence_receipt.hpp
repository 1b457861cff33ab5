#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"

namespace concord::app {

/// Signature domain of an evidence receipt (docs/formats/evidence.md "Receipt").
inline constexpr std::string_view kEvidenceReceiptDomain = "concord-evidence-receipt-v1";

/// What the recipient of an evidence package signs once every file of it arrived whole and
/// checked: the package, the SHA-256 of the exact manifest text it received, both nodes, when,
/// and the index of its own audit leaf `evidence.received` (which a ledger proof can show).
struct EvidenceReceipt {
    std::string package;
    std::string manifest_sha256;  ///< lower-case hex SHA-256 of the signed manifest text
    std::string from;             ///< the sending node
    std::string to;               ///< the recipient, who signs
    std::int64_t received_ms{0};
    std::uint64_t ledger_index{0};
};

/// The canonical signed text of `receipt`, signed with the recipient node's key.
/// kInvalidArgument for a member out of its bounds.
Result<std::string> SignEvidenceReceipt(
    const EvidenceReceipt& receipt, const crypto::SigningKey& node_key
);

/// Parses a signed receipt (every member present, typed and bounded, nothing else) and checks
/// that it is signed by the directory key of its `to` node, which is listed and not revoked.
/// kInvalidArgument for a malformed receipt; kUnauthenticated for a bad or foreign signature.
Result<EvidenceReceipt> VerifyEvidenceReceipt(
    const federation::Directory& directory, std::string_view text
);

}  // namespace concord::app
