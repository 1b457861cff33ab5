#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::federation {

/// Signed JSON objects (docs/formats/envelope.md §Signatures).
///
/// A signed object carries two extra members: "key" (base64 of the signer's Ed25519 public key)
/// and "sig" (base64 of the signature). The signature covers
///     domain ‖ "\n" ‖ JCS(object without "sig")
/// where JCS is RFC 8785 canonical JSON and `domain` names the kind of object (e.g.
/// "concord-envelope-v1"), so a signature over one kind can never be taken for another.

/// Adds "key" and "sig" to `object` and returns the canonical text of the signed object.
/// kInvalidArgument if `object` already has "sig" or cannot be canonicalised.
Result<std::string> SignObject(
    boost::json::object object, std::string_view domain, const crypto::SigningKey& key
);

/// The public key named by a signed object's "key" member.
/// kInvalidArgument if it is missing or not a valid Ed25519 public key.
Result<crypto::PublicKey> SignerKey(const boost::json::object& signed_object);

/// Checks the signature of `signed_object` against its "key" member.
/// kInvalidArgument if "key"/"sig" are missing or malformed; kUnauthenticated if it does not
/// verify.
Result<void> VerifyObject(const boost::json::object& signed_object, std::string_view domain);

/// As VerifyObject, with the "key" member already parsed by SignerKey: `key` must be what
/// SignerKey returned for this object. Saves re-validating the point (a scalar multiplication,
/// about as costly as the verification itself).
Result<void> VerifyObjectWithKey(
    const boost::json::object& signed_object, std::string_view domain, const crypto::PublicKey& key
);

/// Parses `text` as JSON whose top-level value is an object, refusing what RFC 8785 refuses
/// (duplicate names, invalid UTF-8, lone surrogates, out-of-range numbers, too deep).
/// kInvalidArgument with the reason and byte offset.
Result<boost::json::object> ParseObject(std::string_view text);

/// RFC 8785 canonical text of a JSON value.
std::string CanonicalText(const boost::json::value& value);

/// SHA-256 of the canonical text of `value`.
crypto::Hash256 CanonicalHash(const boost::json::value& value);

/// Member accessors for strict parsing; errors name the member ("field 'to': expected a string").
Result<std::string> GetString(const boost::json::object& o, std::string_view name);
Result<std::int64_t> GetInt(const boost::json::object& o, std::string_view name);
Result<const boost::json::object*> GetObject(const boost::json::object& o, std::string_view name);
Result<const boost::json::array*> GetArray(const boost::json::object& o, std::string_view name);
/// An optional string member: absent or null gives "".
Result<std::string> GetOptionalString(const boost::json::object& o, std::string_view name);

}  // namespace concord::federation
