#include "certificate_chain.hpp"

#include "concord/core/time.hpp"

namespace concord::app::internal {
namespace {

tl::unexpected<ChainRefusal> Break(ChainBreak link, std::string message) {
    return tl::unexpected(ChainRefusal{link, std::move(message)});
}

}  // namespace

tl::expected<const federation::NodeEntry*, ChainRefusal> CheckCertificateChain(
    const federation::Directory& directory,
    std::string_view node_id,
    const ParsedUserCertificate& certificate,
    std::initializer_list<TimeToCheck> times
) {
    const std::string sender(node_id);
    const federation::NodeEntry* node = directory.FindNode(node_id);
    if (node == nullptr) {
        return Break(ChainBreak::kUnknownNode, "node '" + sender + "' is not in the directory");
    }
    if (node->revoked) {
        return Break(ChainBreak::kNodeRevoked, "node '" + sender + "' is revoked in the directory");
    }
    const UserCertificate& c = certificate.certificate;
    if (c.node != sender) {
        return Break(
            ChainBreak::kWrongIssuer,
            "the certificate was issued by node '" + c.node + "', not by the sender '" + sender +
                "'"
        );
    }
    if (auto signed_by = VerifyUserCertificateSignature(certificate, node->signing_key);
        !signed_by) {
        return Break(
            ChainBreak::kBadCertificateSignature,
            "the certificate does not verify under node '" + sender +
                "''s directory key: " + signed_by.error().message
        );
    }
    if (c.party != node->party) {
        return Break(
            ChainBreak::kWrongParty,
            "the certificate names party '" + c.party + "'; the directory lists node '" + sender +
                "' for '" + node->party + "'"
        );
    }
    if (c.not_after_ms - c.not_before_ms > kMaxCertificateValidity.count()) {
        return Break(
            ChainBreak::kCertificateNotValid,
            "the certificate's validity period is longer than 7 days"
        );
    }
    for (const TimeToCheck& t : times) {
        if (!c.ValidAt(t.when_ms)) {
            return Break(
                ChainBreak::kCertificateNotValid,
                std::string("certificate ") + std::to_string(c.serial) + " is " +
                    (t.when_ms < c.not_before_ms ? "not yet valid" : "expired") + " at " + t.what +
                    " " + FormatTimestamp(t.when_ms) + " (valid " +
                    FormatTimestamp(c.not_before_ms) + " to " + FormatTimestamp(c.not_after_ms) +
                    ")"
            );
        }
    }
    return node;
}

}  // namespace concord::app::internal
