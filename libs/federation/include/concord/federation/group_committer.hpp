#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "concord/core/assert.hpp"
#include "concord/core/mutex.hpp"

namespace concord::federation {

/// Group commit: callers on any thread hand in items and wait for their reply; one committer
/// thread takes what is queued, up to `max_batch` items in arrival order, and passes the batch to
/// `commit`, which returns one reply per item (the same order). A batch is whatever queued while
/// the previous one was committing, so under load one transaction carries many items and when idle
/// an item is committed on its own at once.
///
/// An item handed in before Start or after Stop, and every item still queued when Stop runs, is
/// answered `refused()` without being committed. A committer is started at most once.
///
/// Thread-safety: Submit from any number of threads; Start and Stop from one owner.
template <typename Item, typename Reply>
class GroupCommitter {
public:
    /// Commits `batch` (1 to max_batch items) and returns exactly one reply per item.
    using CommitFn = std::function<std::vector<Reply>(std::vector<Item>& batch)>;
    using RefusedFn = std::function<Reply()>;

    GroupCommitter(std::size_t max_batch, CommitFn commit, RefusedFn refused)
        : max_batch_(max_batch < 1 ? 1 : max_batch),
          commit_(std::move(commit)),
          refused_(std::move(refused)) {}

    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;
    ~GroupCommitter() { Stop(); }

    /// Starts the committer thread (once; later calls do nothing).
    void Start() {
        MutexLock lock(mu_);
        if (started_ || stopping_) {
            return;
        }
        started_ = true;
        thread_ = std::thread([this] { Loop(); });
    }

    /// Stops and joins the committer after the batch in progress; answers what is still queued
    /// with refused(). Idempotent.
    void Stop() {
        {
            MutexLock lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
        std::deque<std::unique_ptr<Slot>> left;
        {
            MutexLock lock(mu_);
            left.swap(queue_);
        }
        for (auto& slot : left) {
            slot->done.set_value(refused_());
        }
    }

    /// Queues `item` and blocks until its batch is committed; returns its reply.
    Reply Submit(Item item) {
        auto slot = std::make_unique<Slot>();
        slot->item = std::move(item);
        std::future<Reply> reply = slot->done.get_future();
        {
            MutexLock lock(mu_);
            if (!started_ || stopping_) {
                return refused_();
            }
            queue_.push_back(std::move(slot));
            // Notified under the lock: once the lock is released this caller touches nothing of
            // the committer again, so an owner may Stop and destroy it while callers still wait
            // for their replies (their futures own the shared state).
            cv_.notify_one();
        }
        return reply.get();
    }

    /// Items waiting for the committer (not counting the batch being committed).
    [[nodiscard]] std::size_t Queued() const {
        MutexLock lock(mu_);
        return queue_.size();
    }

    /// Whether Stop has begun.
    [[nodiscard]] bool Stopping() const {
        MutexLock lock(mu_);
        return stopping_;
    }

private:
    struct Slot {
        Item item;
        std::promise<Reply> done;
    };

    void Loop() {
        for (;;) {
            std::vector<std::unique_ptr<Slot>> slots;
            {
                MutexLock lock(mu_);
                cv_.wait(mu_, [this] {
                    mu_.AssertHeld();
                    return stopping_ || !queue_.empty();
                });
                if (stopping_) {
                    return;
                }
                while (!queue_.empty() && slots.size() < max_batch_) {
                    slots.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
            std::vector<Item> batch;
            batch.reserve(slots.size());
            for (auto& slot : slots) {
                batch.push_back(std::move(slot->item));
            }
            std::vector<Reply> replies = commit_(batch);
            CONCORD_ASSERT(replies.size() == slots.size());
            for (std::size_t i = 0; i < slots.size(); ++i) {
                slots[i]->done.set_value(std::move(replies[i]));
            }
        }
    }

    const std::size_t max_batch_;
    const CommitFn commit_;
    const RefusedFn refused_;

    mutable Mutex mu_;
    std::condition_variable_any cv_;
    std::deque<std::unique_ptr<Slot>> queue_ CONCORD_GUARDED_BY(mu_);
    bool started_ CONCORD_GUARDED_BY(mu_) = false;
    bool stopping_ CONCORD_GUARDED_BY(mu_) = false;
    std::thread thread_;
};

}  // namespace concord::federation
