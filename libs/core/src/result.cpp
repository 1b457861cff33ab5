#include "concord/core/result.hpp"

#include <cstdio>
#include <cstdlib>

#include "concord/core/assert.hpp"

namespace concord {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kAlreadyExists:
            return "already_exists";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kPermissionDenied:
            return "permission_denied";
        case ErrorCode::kCorruption:
            return "corruption";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "unknown";
}

std::string Error::ToString() const {
    std::string out(ErrorCodeName(code));
    out += ": ";
    out += message;
    return out;
}

namespace detail {
void AssertFailed(const char* expr, const char* file, int line, const char* func) {
    std::fprintf(stderr, "concord: assertion failed: %s at %s:%d in %s\n", expr, file, line, func);
    std::abort();
}
}  // namespace detail

}  // namespace concord
