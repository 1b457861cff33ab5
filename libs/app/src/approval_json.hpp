// Strict member checks shared by the parsers of user certificates and approvals.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "concord/core/result.hpp"
#include "concord/crypto/ed25519.hpp"

namespace concord::app::internal {

/// kInvalidArgument naming `what`.
Error Invalid(std::string_view what);

/// Refuses a member not in `allowed`.
Result<void> OnlyMembers(
    const boost::json::object& object, std::initializer_list<std::string_view> allowed
);

/// "v" must be the integer 1 and "kind" exactly `kind`.
Result<void> CheckVersionAndKind(const boost::json::object& object, std::string_view kind);

/// A string member of 1 (0 when `may_be_empty`) to `max_bytes` bytes without control characters.
Result<std::string> GetText(
    const boost::json::object& object,
    std::string_view name,
    std::size_t max_bytes,
    bool may_be_empty = false
);

/// A timestamp member in the one form Concord writes: RFC 3339 UTC with milliseconds.
Result<std::int64_t> GetTimestamp(const boost::json::object& object, std::string_view name);

/// A member holding base64 of an Ed25519 public key.
Result<crypto::PublicKey> GetPublicKey(const boost::json::object& object, std::string_view name);

/// Base64 of a public key.
std::string KeyText(const crypto::PublicKey& key);

}  // namespace concord::app::internal
