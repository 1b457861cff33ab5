#pragma once

// What the evidence service's two source files share about its tables and key sealing
// (docs/formats/evidence.md "At the sending node").
#include <string>
#include <string_view>

#include "concord/core/bytes.hpp"

namespace concord::app::detail {

inline constexpr std::string_view kInsertEvidenceFile =
    "INSERT INTO app_evidence_files (package, seq, name, media_type, size, sha256, "
    "encrypted_sha256, added_by, added_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Associated data of a package key sealed under the node's data key.
inline Bytes EvidenceKeyAssociatedData(std::string_view package) {
    std::string ad("concord-evidence-package-key-v1");
    ad += '\n';
    ad += package;
    return ToBytes(ad);
}

}  // namespace concord::app::detail
