#pragma once

#include <condition_variable>

#include "concord/core/mutex.hpp"

namespace concord::store::detail {

/// An exclusive lock that may be released by a different thread than the one that acquired it
/// (a std::mutex may not), so an open transaction can hold it for its whole lifetime even if it is
/// handed to another thread. Acquire blocks until the gate is free.
class CONCORD_CAPABILITY("gate") Gate {
public:
    void Acquire() CONCORD_ACQUIRE() {
        MutexLock lock(mu_);
        cv_.wait(mu_, [this] {
            mu_.AssertHeld();
            return !held_;
        });
        held_ = true;
    }
    void Release() CONCORD_RELEASE() {
        {
            MutexLock lock(mu_);
            held_ = false;
        }
        cv_.notify_one();
    }
    /// Tells the analysis that the caller holds the gate (it is held by the open transaction that
    /// calls this, across function boundaries the analysis cannot follow).
    void AssertHeld() const CONCORD_ASSERT_CAPABILITY(this) {}

private:
    Mutex mu_;
    std::condition_variable_any cv_;
    bool held_ CONCORD_GUARDED_BY(mu_) = false;
};

}  // namespace concord::store::detail
