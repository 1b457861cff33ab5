#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace concord {

/// A new UUIDv7 (RFC 9562 §5.7) in its 36-character lower-case text form: 48 bits of Unix
/// milliseconds, then random bits from the kernel's CSPRNG. Ids made later by the same process
/// sort after earlier ones (a monotonic counter fills rand_a within one millisecond).
std::string NewUuidV7();

/// As NewUuidV7, for a given time (tests and tools).
std::string NewUuidV7At(std::int64_t unix_millis);

/// True if `text` is a lower-case UUID text of version 7 and the RFC 9562 variant.
bool IsUuidV7(std::string_view text);

/// The Unix milliseconds of a UUIDv7 (which must satisfy IsUuidV7).
std::int64_t UuidV7Millis(std::string_view text);

}  // namespace concord
