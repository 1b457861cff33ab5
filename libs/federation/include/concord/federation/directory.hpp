#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"

namespace concord::federation {

/// Roles an authority can hold in the directory (DESIGN §2).
inline constexpr std::string_view kRoles[] = {
    "central_authority", "point_of_contact_24_7", "competent_authority", "service_provider"};

/// A party's relation to one instrument.
struct InstrumentBinding {
    std::string id;                         ///< instrument id, e.g. "budapest"
    std::string status;                     ///< "signed" | "ratified" | "acceded" | "bound"
    std::string date;                       ///< ISO date of that status, may be empty
    std::vector<std::string> reservations;  ///< articles reserved, e.g. "budapest:29(4)"
    std::vector<std::string> declarations;
};

/// A state (ISO 3166-1 alpha-2 code) or organisation.
struct Party {
    std::string code;
    std::string name;
    std::vector<std::string> languages;
    std::vector<InstrumentBinding> instruments;
};

/// One node: an authority (or provider) of a party, its endpoint and keys.
struct NodeEntry {
    std::string id;  ///< e.g. "aa.central"; [a-z0-9.-], also the origin of its audit log
    std::string party;
    std::string authority;
    std::vector<std::string> roles;
    std::string endpoint;  ///< base URL, e.g. "https://127.0.0.1:7101"
    crypto::PublicKey signing_key;
    crypto::BoxPublicKey box_key{};
    std::string tls_sha256;  ///< hex SHA-256 of the node's TLS certificate (DER)
    std::vector<std::string> languages;
    bool revoked{false};

    [[nodiscard]] bool HasRole(std::string_view role) const;
};

/// Who may send one message type, and at which priority (docs/formats/directory.md §Message
/// policy). A type that no rule names may not be sent at all.
struct MessageRule {
    std::string type;                          ///< envelope "type", e.g. "request"
    std::vector<std::string> roles;            ///< roles that may send it (normal priority)
    std::vector<std::string> emergency_roles;  ///< roles that may send it as emergency
    bool reply_only{false};                    ///< must answer an earlier message (in_reply_to)
};

/// The policy that applies when a directory has no "message_policy" member, as JSON text in the
/// format of that member (docs/formats/directory.md lists it as a table).
extern const std::string_view kDefaultMessagePolicy;

/// A verified directory (format: docs/formats/directory.md).
struct Directory {
    std::uint64_t serial{0};
    std::string issued;
    std::vector<Party> parties;
    std::vector<NodeEntry> nodes;
    std::vector<MessageRule> message_policy;  ///< the directory's, or kDefaultMessagePolicy
    std::string body;                         ///< canonical JSON of the signed body

    /// Whether `sender` may send a message of `type` at `priority` ("normal" | "emergency");
    /// `is_reply` says whether it names the message it answers. kPermissionDenied saying why.
    [[nodiscard]] Result<void> MayNodeSend(
        const NodeEntry& sender, std::string_view type, std::string_view priority, bool is_reply
    ) const;

    /// The node with `id`, revoked or not; nullptr if absent.
    [[nodiscard]] const NodeEntry* FindNode(std::string_view id) const;
    [[nodiscard]] const Party* FindParty(std::string_view code) const;
};

/// Parses and checks an (unsigned) directory body: every field typed, node ids unique and
/// well-formed, roles known, parties referenced by nodes present, keys valid.
/// kInvalidArgument naming the entry and field.
Result<Directory> ParseDirectoryBody(const boost::json::object& body);

/// Signs a directory body: returns {"directory": body, "signatures": [{"key","sig"}...]} as
/// canonical JSON, with one signature per key (domain "concord-directory-v1").
Result<std::string> SignDirectory(
    std::string_view body_json, std::span<const crypto::SigningKey* const> keys
);

/// Verifies a signed directory: at least one signature by a key in `trusted` and no invalid
/// signature, then parses the body. kUnauthenticated if no trusted signature verifies.
Result<Directory> VerifyDirectory(
    std::string_view signed_json, std::span<const crypto::PublicKey> trusted
);

/// Checks a node id: 1..64 characters of [a-z0-9.-], starting with a letter or digit.
Result<void> CheckNodeId(std::string_view id);

/// The directory body JSON of one node (as `concord init` writes to node-info.json).
boost::json::object NodeEntryToJson(const NodeEntry& node);

}  // namespace concord::federation
