#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace concord {

/// Canonical error codes, understood across the codebase. Keep them few.
enum class ErrorCode : std::uint8_t {
    kInvalidArgument,   ///< the input is malformed or violates a documented rule
    kNotFound,          ///< the named object does not exist
    kAlreadyExists,     ///< a unique object exists already (constraint violation)
    kUnauthenticated,   ///< a signature, passphrase or credential did not verify
    kPermissionDenied,  ///< authenticated, but not allowed
    kCorruption,        ///< stored or transmitted data is damaged or inconsistent
    kUnavailable,       ///< a resource (disk, database, peer) cannot be used now
    kInternal,          ///< a broken invariant; a bug
};

/// Returns the stable lower-case name of `code`, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

/// An expected failure: a canonical code and a human-readable message. Messages that may reach
/// a remote client must not contain secrets or internal paths.
struct Error {
    ErrorCode code{ErrorCode::kInternal};
    std::string message;
    /// A stable snake_case name of the refusal, for a client that acts on it rather than shows
    /// the message (e.g. "no_hold_in_force"); empty when the code says enough. It reaches the
    /// client as the error body's `reason`.
    std::string reason{};

    /// "<code name>: <message>".
    [[nodiscard]] std::string ToString() const;
};

/// The value of an operation that can fail in an expected way, or the Error saying why.
///
/// It has the interface of `std::expected` (has_value, value, error, operator*, operator->,
/// and_then, transform), so moving to C++23 is an alias change. It is `[[nodiscard]]`:
/// ignoring a Result is a compile warning (an error in CI).
///
///     Result<Key> TryParseKey(std::string_view text);
///     CONCORD_ASSIGN_OR_RETURN(Key key, TryParseKey(text));
template <class T = void>
class [[nodiscard]] Result : public tl::expected<T, Error> {
public:
    using tl::expected<T, Error>::expected;
    Result(Error e)  // NOLINT(google-explicit-constructor)
        : tl::expected<T, Error>(tl::unexpect, std::move(e)) {}
};

/// Builds an Error; a short way to write `return Error{code, message}` (or with a `reason`).
inline Error MakeError(ErrorCode code, std::string message, std::string reason = {}) {
    return Error{code, std::move(message), std::move(reason)};
}

}  // namespace concord

#define CONCORD_INTERNAL_CONCAT_INNER(a, b) a##b
#define CONCORD_INTERNAL_CONCAT(a, b) CONCORD_INTERNAL_CONCAT_INNER(a, b)

/// Evaluates `expr` (a Result<void> or any Result); returns its error from the enclosing function.
/// Always use braces around it inside if/else: it expands to a statement block.
#define CONCORD_RETURN_IF_ERROR(expr)                                            \
    do {                                                                         \
        auto concord_internal_result = (expr);                                   \
        if (!concord_internal_result.has_value()) {                              \
            return ::concord::Error(std::move(concord_internal_result).error()); \
        }                                                                        \
    } while (false)

/// `CONCORD_ASSIGN_OR_RETURN(T x, Expr())` declares `x` from the value of a Result, or returns its
/// error from the enclosing function. It expands to more than one statement: always use braces
/// around it inside if/else.
#define CONCORD_ASSIGN_OR_RETURN(lhs, expr)                               \
    CONCORD_INTERNAL_ASSIGN_OR_RETURN(                                    \
        CONCORD_INTERNAL_CONCAT(concord_internal_r_, __LINE__), lhs, expr \
    )

// `tmp` and `lhs` are a name and a declaration, which parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CONCORD_INTERNAL_ASSIGN_OR_RETURN(tmp, lhs, expr) \
    auto tmp = (expr);                                    \
    if (!tmp.has_value()) {                               \
        return ::concord::Error(std::move(tmp).error());  \
    }                                                     \
    lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
