#pragma once

#include <condition_variable>
#include <mutex>

// Clang thread-safety annotations (-Wthread-safety); they expand to nothing on other compilers.
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

namespace concord::store::detail {

/// A std::mutex the thread-safety analysis knows about.
class CONCORD_CAPABILITY("mutex") Mutex {
public:
    void Lock() CONCORD_ACQUIRE() { mu_.lock(); }
    void Unlock() CONCORD_RELEASE() { mu_.unlock(); }
    /// BasicLockable spelling, so std::condition_variable_any can wait on a held Mutex.
    void lock() CONCORD_ACQUIRE() { mu_.lock(); }      // NOLINT(readability-identifier-naming)
    void unlock() CONCORD_RELEASE() { mu_.unlock(); }  // NOLINT(readability-identifier-naming)

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

/// An exclusive lock that may be released by a different thread than the one that acquired it
/// (a std::mutex may not), so an open transaction can hold it for its whole lifetime even if it is
/// handed to another thread. Acquire blocks until the gate is free.
class CONCORD_CAPABILITY("gate") Gate {
public:
    void Acquire() CONCORD_ACQUIRE() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return !held_; });
        held_ = true;
    }
    void Release() CONCORD_RELEASE() {
        {
            std::lock_guard lock(mu_);
            held_ = false;
        }
        cv_.notify_one();
    }
    /// Tells the analysis that the caller holds the gate (it is held by the open transaction that
    /// calls this, across function boundaries the analysis cannot follow).
    void AssertHeld() const CONCORD_ASSERT_CAPABILITY(this) {}

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool held_{false};
};

}  // namespace concord::store::detail
