#pragma once

/// CONCORD_ASSERT(cond): always on; aborts with the location when `cond` is false. For invariants
/// whose violation makes continuing unsafe (crypto, ledger). Never use it to check input.
#define CONCORD_ASSERT(cond)                                                      \
    do {                                                                          \
        if (!(cond)) [[unlikely]] {                                               \
            ::concord::detail::AssertFailed(#cond, __FILE__, __LINE__, __func__); \
        }                                                                         \
    } while (false)

/// CONCORD_DCHECK(cond): like CONCORD_ASSERT in debug builds, nothing in release builds.
#ifdef NDEBUG
#define CONCORD_DCHECK(cond) \
    do {                     \
    } while (false && (cond))
#else
#define CONCORD_DCHECK(cond) CONCORD_ASSERT(cond)
#endif

namespace concord::detail {
[[noreturn]] void AssertFailed(const char* expr, const char* file, int line, const char* func);
}  // namespace concord::detail
