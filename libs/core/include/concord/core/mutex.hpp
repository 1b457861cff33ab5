#pragma once

#include <mutex>

// Clang thread-safety annotations, checked by -Wthread-safety (the `clang` preset makes every
// finding an error); they expand to nothing on other compilers. Annotate data with
// CONCORD_GUARDED_BY(mu_) and functions with CONCORD_REQUIRES(mu_) / CONCORD_EXCLUDES(mu_), and
// lock with concord::MutexLock: the analysis does not know std::mutex or std::scoped_lock.
#if defined(__clang__)
#define CONCORD_TSA(x) __attribute__((x))
#else
#define CONCORD_TSA(x)
#endif

#define CONCORD_CAPABILITY(name) CONCORD_TSA(capability(name))
#define CONCORD_GUARDED_BY(x) CONCORD_TSA(guarded_by(x))
#define CONCORD_PT_GUARDED_BY(x) CONCORD_TSA(pt_guarded_by(x))
#define CONCORD_REQUIRES(...) CONCORD_TSA(requires_capability(__VA_ARGS__))
#define CONCORD_EXCLUDES(...) CONCORD_TSA(locks_excluded(__VA_ARGS__))
#define CONCORD_ACQUIRE(...) CONCORD_TSA(acquire_capability(__VA_ARGS__))
#define CONCORD_RELEASE(...) CONCORD_TSA(release_capability(__VA_ARGS__))
#define CONCORD_ASSERT_CAPABILITY(x) CONCORD_TSA(assert_capability(x))
#define CONCORD_SCOPED_CAPABILITY CONCORD_TSA(scoped_lockable)
#define CONCORD_NO_THREAD_SAFETY_ANALYSIS CONCORD_TSA(no_thread_safety_analysis)

namespace concord {

/// A std::mutex the thread-safety analysis knows about. Not recursive.
class CONCORD_CAPABILITY("mutex") Mutex {
public:
    void Lock() CONCORD_ACQUIRE() { mu_.lock(); }
    void Unlock() CONCORD_RELEASE() { mu_.unlock(); }
    /// BasicLockable spelling, so std::condition_variable_any can wait on a held Mutex
    /// (`cv.wait(mu)` with the Mutex itself, inside a MutexLock scope).
    void lock() CONCORD_ACQUIRE() { mu_.lock(); }      // NOLINT(readability-identifier-naming)
    void unlock() CONCORD_RELEASE() { mu_.unlock(); }  // NOLINT(readability-identifier-naming)
    /// Tells the analysis that the caller holds this mutex where it cannot see it, e.g. in a
    /// condition variable's predicate, which runs with the mutex held.
    void AssertHeld() const CONCORD_ASSERT_CAPABILITY(this) {}

private:
    std::mutex mu_;
};

/// Holds a Mutex for the scope.
class CONCORD_SCOPED_CAPABILITY MutexLock {
public:
    explicit MutexLock(Mutex& mu) CONCORD_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
    ~MutexLock() CONCORD_RELEASE() { mu_.Unlock(); }
    MutexLock(const MutexLock&) = delete;
    MutexLock& operator=(const MutexLock&) = delete;

private:
    Mutex& mu_;
};

}  // namespace concord
