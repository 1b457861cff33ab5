#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "concord/app/role.hpp"
#include "concord/app/user_certificate.hpp"
#include "concord/app/user_keys.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/federation/directory.hpp"
#include "concord/store/store.hpp"

namespace concord::app {

/// The signature domain of approvals (docs/formats/approval.md §Approval).
inline constexpr std::string_view kApprovalDomain = "concord-approval-v1";
/// Largest approval text accepted from outside (it holds one certificate).
inline constexpr std::size_t kMaxApprovalBytes = std::size_t{16} * 1024;
/// How far an approval's time may lie after the time it is checked at (clock skew).
inline constexpr std::int64_t kApprovalClockSkewMs = std::int64_t{5} * 60 * 1000;

/// What an approver approves: one request of one case, from one node to another, with one
/// body (docs/formats/approval.md §Canonical request).
struct ApprovalRequest {
    std::string case_id;       ///< the sending node's case id
    std::string request_type;  ///< the instrument's request type, e.g. "preservation"
    std::string from;          ///< sending node id
    std::string to;            ///< recipient node id
    std::string priority;      ///< "normal" | "emergency"
    std::string body_sha256;   ///< lower-case hex SHA-256 of JCS(request body)
};

/// The canonical request: JCS of {"v":1,"kind":"approval_request","case","request_type","from",
/// "to","priority","body_sha256"}. kInvalidArgument naming the member that breaks a rule.
Result<std::string> CanonicalRequest(const ApprovalRequest& request);

/// Lower-case hex SHA-256 of the canonical form of `body_json` (any JSON value).
/// kInvalidArgument if it is not JSON that RFC 8785 accepts.
Result<std::string> BodySha256(std::string_view body_json);

/// Signs an approval of `request` with `user_key` at `time_ms`, carrying `certificate_text` (the
/// approver's certificate for that key). Returns the canonical approval text.
/// kInvalidArgument if the request or certificate breaks a rule, or the certificate is for
/// another key.
Result<std::string> SignApproval(
    const ApprovalRequest& request,
    std::string_view certificate_text,
    const crypto::SigningKey& user_key,
    std::int64_t time_ms
);

/// The approval step at the sending node, in the caller's transaction: takes the approver's key
/// (created on first use), a current certificate for it (issued or renewed as needed) and
/// returns the signed approval text to put into the envelope body. kPermissionDenied if
/// `approver` does not hold the approver role (nothing is issued then).
Result<std::string> Approve(
    store::Transaction& tx,
    const UserKeys& keys,
    const UserCertifier& certifier,
    const CertifiedUser& approver,
    const ApprovalRequest& request,
    std::int64_t now_ms
);

/// An approval as read from outside, structure checked, nothing verified.
struct ParsedApproval {
    ApprovalRequest request;
    std::string canonical_request;  ///< JCS of the "request" member
    std::int64_t time_ms{0};
    ParsedUserCertificate certificate;
    crypto::PublicKey key;  ///< the "key" member: the approver's key as the approval names it
    boost::json::object object;
};

/// Parses an approval of at most kMaxApprovalBytes: every member present, typed and within its
/// bounds, the certificate and request included. kInvalidArgument naming the member.
Result<ParsedApproval> ParseApproval(std::string_view text);

/// The link of the chain directory → node key → user certificate → approval that broke.
enum class ApprovalFailure : std::uint8_t {
    kMalformed,                ///< not an approval (bad JSON, member missing, mistyped, too large)
    kUnknownNode,              ///< the sending node is not in the directory
    kNodeRevoked,              ///< the sending node is listed as revoked
    kWrongIssuer,              ///< the certificate was issued by another node than the sender
    kBadCertificateSignature,  ///< not signed by the issuer's directory key
    kWrongParty,               ///< the certificate's party is not the node's party
    kCertificateNotValid,      ///< expired, not yet valid, or valid for too long
    kNotApprover,              ///< the certificate does not give its holder the approver role
    kWrongKey,                 ///< the approval is signed by another key than the certified one
    kBadSignature,             ///< the approval's signature does not verify
    kRequestMismatch,          ///< the approval approves another request than the one given
    kTimeOutOfRange,           ///< the approval is dated after the time it is checked at
};

/// The approval a case message carries (docs/protocol.md §4.5, member "approval" of
/// "concord_case"): the text of `value` when it is a JSON object whose serialization is at most
/// kMaxApprovalBytes; kInvalidArgument otherwise. Nothing else is checked (ParseApproval and
/// VerifyApproval do that). Linear in the size of `value`.
Result<std::string> CarriedApprovalText(const boost::json::value& value);

/// Stable name of a failure ("malformed", "unknown_node", ...), as CLI and API print it.
std::string_view ApprovalFailureCode(ApprovalFailure failure);

/// Why VerifyApproval refused.
struct ApprovalRefused {
    ApprovalFailure failure{ApprovalFailure::kMalformed};
    std::string message;  ///< names the broken link and what was found
    /// As an Error: kInvalidArgument for kMalformed, kUnauthenticated otherwise; the message
    /// starts with the failure code.
    [[nodiscard]] Error ToError() const;
};

/// What a receiver may show as verified: "approved by NAME, ROLE, AUTHORITY".
struct VerifiedApproval {
    std::string name;
    std::string user;                ///< the approver's login at the issuing node
    std::string role;                ///< "approver"
    std::vector<std::string> roles;  ///< every role the certificate names
    std::string authority;           ///< the issuing node's authority, from the directory
    std::string party;               ///< the issuing node's party
    std::string unit;                ///< the approver's unit, as certified
    std::string node;                ///< the issuing (and sending) node
    std::int64_t certificate_serial{0};
    std::int64_t time_ms{0};  ///< when the approver signed
    ApprovalRequest request;
};

/// "approved by NAME, approver, AUTHORITY (UNIT), node NODE, certificate SERIAL" (without
/// " (UNIT)" when the unit is empty): how a receiver shows a verified approval.
std::string DescribeApproval(const VerifiedApproval& approval);

/// Verifies an approval received from `sender_node_id` against the request the receiver
/// rebuilt from the message (`canonical_request`, the CanonicalRequest text), in chain order:
/// the sender is listed and not revoked; the certificate was issued by the sender, signed with
/// the sender's directory key, names the sender's party, has a period of at most
/// kMaxCertificateValidity that contains both the approval's time and `at_ms` (the message's
/// signed time), and gives the approver role; the approval is signed by the certified key, the
/// signature verifies, it approves exactly `canonical_request`, and its time is not after
/// `at_ms` + kApprovalClockSkewMs. The first broken link is returned.
tl::expected<VerifiedApproval, ApprovalRefused> VerifyApproval(
    const federation::Directory& directory,
    std::string_view sender_node_id,
    std::string_view approval_text,
    std::string_view canonical_request,
    std::int64_t at_ms
);

}  // namespace concord::app
