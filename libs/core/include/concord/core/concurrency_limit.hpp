#pragma once

#include <atomic>
#include <optional>

namespace concord {

/// At most a fixed number of holders at a time, and no waiting: a caller that finds every slot
/// taken is told so at once and answers "busy". For work that is expensive by design (an Argon2id
/// password check costs tens of MiB and a good fraction of a second), so that a flood of such
/// requests is refused instead of queueing up memory and threads.
///
/// Thread-safe; the limit must outlive its slots.
class ConcurrencyLimit {
public:
    /// A held slot, given back when destroyed.
    class Slot {
    public:
        Slot(Slot&& other) noexcept : limit_(other.limit_) { other.limit_ = nullptr; }
        Slot& operator=(Slot&&) = delete;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() {
            if (limit_ != nullptr) {
                limit_->in_use_.fetch_sub(1, std::memory_order_acq_rel);
            }
        }

    private:
        friend class ConcurrencyLimit;
        explicit Slot(ConcurrencyLimit* limit) : limit_(limit) {}
        ConcurrencyLimit* limit_;
    };

    /// `slots` ≥ 1 holders at a time.
    explicit ConcurrencyLimit(int slots) : slots_(slots < 1 ? 1 : slots) {}

    /// A slot, or nullopt when all are taken.
    std::optional<Slot> TryEnter() {
        int used = in_use_.load(std::memory_order_acquire);
        while (used < slots_) {
            if (in_use_.compare_exchange_weak(used, used + 1, std::memory_order_acq_rel)) {
                return Slot(this);
            }
        }
        return std::nullopt;
    }

    /// Slots held now.
    int InUse() const { return in_use_.load(std::memory_order_acquire); }
    /// The limit.
    int Slots() const { return slots_; }

private:
    const int slots_;
    std::atomic<int> in_use_{0};
};

}  // namespace concord
