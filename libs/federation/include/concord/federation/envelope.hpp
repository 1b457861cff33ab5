#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "concord/core/bytes.hpp"
#include "concord/core/result.hpp"
#include "concord/crypto/box.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::federation {

/// The protocol version this code speaks (envelope "v", path prefix /fed/v1).
inline constexpr std::int64_t kProtocolVersion = 1;

/// Why an incoming envelope was refused. Each has a stable wire code (docs/protocol.md).
enum class Refusal : std::uint8_t {
    kMalformed,           ///< not an envelope: bad JSON, missing or mistyped field
    kUnsupportedVersion,  ///< "v" is not kProtocolVersion
    kTooLarge,            ///< larger than the node accepts
    kUnknownSender,       ///< sender or key not in the directory, or revoked
    kBadSignature,        ///< the signature does not verify
    kWrongRecipient,      ///< "to" is another node
    kReplay,              ///< (sender, id) seen before with a different envelope
    kStale,               ///< "time" outside the accepted window
    kNotPermitted,        ///< the sender's roles may not send this type at this priority
};

/// The number of Refusal values (for per-reason counters).
inline constexpr int kRefusalCount = 9;

/// "malformed", "unsupported_version", ...
std::string_view RefusalCode(Refusal reason);
/// The HTTP status that carries the refusal.
unsigned RefusalHttpStatus(Refusal reason);
/// True if sending the same envelope again cannot succeed (the sender stops retrying).
bool IsPermanentRefusal(std::string_view code);

struct Refused {
    Refusal reason{Refusal::kMalformed};
    std::string message;
};

/// What the sender puts in the signed header.
struct Header {
    std::string id;           ///< UUIDv7
    std::string type;         ///< e.g. "request", "evidence.retrieval"; [a-z0-9._-]{1,64}
    std::string from;         ///< sender node id
    std::string to;           ///< recipient node id
    std::string time;         ///< RFC 3339 UTC, when the envelope was sealed
    std::string in_reply_to;  ///< id of an earlier message, or empty
    std::string priority;     ///< "normal" | "emergency"
};

/// Seals `body_json` (any JSON value) for the recipient: the body is encrypted with
/// crypto::BoxSeal (sender's X25519 key, recipient's X25519 key) with the canonical header as
/// associated data; the whole envelope is signed (domain "concord-envelope-v1").
/// Returns the canonical text of the envelope.
Result<std::string> SealEnvelope(
    const Header& header,
    std::string_view body_json,
    const crypto::SigningKey& signing_key,
    const crypto::BoxKeyPair& sender_box,
    const crypto::BoxPublicKey& recipient_box
);

/// A structurally valid envelope whose signature has not been checked yet.
struct ParsedEnvelope {
    Header header;
    std::int64_t time_millis{0};
    crypto::PublicKey key;  ///< the signer's key as the envelope names it
    Bytes sealed_body;
    boost::json::object object;
    std::string canonical;   ///< canonical text of the whole envelope
    crypto::Hash256 hash{};  ///< SHA-256 of `canonical`: what receipts refer to
};

/// Parses an envelope: JSON, every field present and typed, version. Checks nothing else.
tl::expected<ParsedEnvelope, Refused> ParseEnvelope(std::string_view text);

/// Verifies the envelope's signature with the key it names (the caller has checked that the
/// directory lists that key for header.from).
tl::expected<void, Refused> VerifyEnvelopeSignature(const ParsedEnvelope& envelope);

/// Decrypts the body. kUnauthenticated if it was not sealed by `sender_box` for `recipient`
/// under this header.
Result<std::string> OpenEnvelopeBody(
    const ParsedEnvelope& envelope,
    const crypto::BoxPublicKey& sender_box,
    const crypto::BoxKeyPair& recipient
);

/// A signed evidence record (docs/protocol.md §Evidence): delivery (the receipt), retrieval,
/// non_delivery, submission.
struct Evidence {
    std::string event;  ///< "delivery" | "retrieval" | "non_delivery" | "submission"
    std::string message_id;
    std::string envelope_sha256;                ///< hex
    std::string from;                           ///< the node that signs the record
    std::string to;                             ///< the node it is meant for
    std::string time;                           ///< RFC 3339
    std::optional<std::uint64_t> ledger_index;  ///< the signer's ledger entry of the event
    std::string reason;                         ///< non_delivery only
};

/// Signs `evidence` (domain "concord-evidence-v1"); returns canonical JSON text.
Result<std::string> SignEvidence(const Evidence& evidence, const crypto::SigningKey& key);

/// Parses and verifies an evidence record signed by `expected_signer`.
/// kInvalidArgument malformed; kUnauthenticated wrong key or bad signature.
Result<Evidence> VerifyEvidence(std::string_view text, const crypto::PublicKey& expected_signer);

/// Lower-case hex of a hash.
std::string HashHex(const crypto::Hash256& hash);

}  // namespace concord::federation
