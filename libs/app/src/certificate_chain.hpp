// The chain directory → node signing key → user certificate, checked the same way for every
// object a person signs with a certified key (approvals, evidence manifests).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "concord/app/user_certificate.hpp"
#include "concord/federation/directory.hpp"

namespace concord::app::internal {

/// The link that broke, in the order they are checked.
enum class ChainBreak : std::uint8_t {
    kUnknownNode,              ///< the node is not in the directory
    kNodeRevoked,              ///< the node is listed as revoked
    kWrongIssuer,              ///< the certificate was issued by another node
    kBadCertificateSignature,  ///< not signed by the node's directory key
    kWrongParty,               ///< the certificate's party is not the node's party
    kCertificateNotValid,      ///< too long a period, or not valid at one of the times given
};

struct ChainRefusal {
    ChainBreak link{ChainBreak::kUnknownNode};
    std::string message;
};

/// A time at which the certificate must hold, and what it is (for the message).
struct TimeToCheck {
    const char* what;
    std::int64_t when_ms;
};

/// Checks that `node_id` is listed and not revoked, that `certificate` was issued by it, signed
/// with its directory key, names its party, has a period of at most kMaxCertificateValidity, and
/// holds at every time in `times`. Returns the node's directory entry.
tl::expected<const federation::NodeEntry*, ChainRefusal> CheckCertificateChain(
    const federation::Directory& directory,
    std::string_view node_id,
    const ParsedUserCertificate& certificate,
    std::initializer_list<TimeToCheck> times
);

}  // namespace concord::app::internal
