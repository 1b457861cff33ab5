#include "concord/federation/group_committer.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace concord::federation {
namespace {

// A commit callback that records each batch and can be held (blocked) until released, so that
// the test decides what queues while a batch is committing. No timing assumptions.
class Gate {
public:
    void Hold() {
        std::scoped_lock lock(mu_);
        held_ = true;
    }
    void Release() {
        {
            std::scoped_lock lock(mu_);
            held_ = false;
        }
        cv_.notify_all();
    }
    /// Called by the committer: records the batch, then waits while held.
    void Pass(const std::vector<int>& batch) {
        std::unique_lock lock(mu_);
        batches_.push_back(batch);
        entered_.notify_all();
        cv_.wait(lock, [this] { return !held_; });
    }
    void WaitForBatches(std::size_t n) {
        std::unique_lock lock(mu_);
        entered_.wait(lock, [&] { return batches_.size() >= n; });
    }
    std::vector<std::vector<int>> Batches() {
        std::scoped_lock lock(mu_);
        return batches_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::condition_variable entered_;
    bool held_{false};
    std::vector<std::vector<int>> batches_;
};

using Committer = GroupCommitter<int, std::string>;

Committer::CommitFn Replying(Gate& gate) {
    return [&gate](std::vector<int>& batch) {
        gate.Pass(batch);
        std::vector<std::string> replies;
        for (int item : batch) {
            replies.push_back("done " + std::to_string(item));
        }
        return replies;
    };
}

void WaitUntilQueued(const Committer& committer, std::size_t n) {
    while (committer.Queued() < n) {
        std::this_thread::yield();
    }
}

TEST(GroupCommitter, EachCallerGetsTheReplyForItsOwnItem) {
    Gate gate;
    Committer committer(8, Replying(gate), [] { return std::string("refused"); });
    committer.Start();
    std::vector<std::string> replies(20);
    std::vector<std::thread> callers;
    for (int i = 0; i < 20; ++i) {
        callers.emplace_back([&, i] { replies[static_cast<std::size_t>(i)] = committer.Submit(i); }
        );
    }
    for (auto& t : callers) {
        t.join();
    }
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(replies[static_cast<std::size_t>(i)], "done " + std::to_string(i));
    }
    std::size_t committed = 0;
    for (const auto& batch : gate.Batches()) {
        EXPECT_GE(batch.size(), 1U);
        EXPECT_LE(batch.size(), 8U);
        committed += batch.size();
    }
    EXPECT_EQ(committed, 20U);
}

// What queues while a batch commits goes into the next batch, in arrival order, at most
// max_batch at a time.
TEST(GroupCommitter, QueuedItemsAreCommittedTogetherUpToTheBatchSize) {
    Gate gate;
    Committer committer(3, Replying(gate), [] { return std::string("refused"); });
    committer.Start();
    gate.Hold();
    std::vector<std::thread> callers;
    callers.emplace_back([&] { EXPECT_EQ(committer.Submit(100), "done 100"); });
    gate.WaitForBatches(1);  // 100 is being committed, alone
    for (int i = 0; i < 5; ++i) {
        callers.emplace_back([&, i] { EXPECT_EQ(committer.Submit(i), "done " + std::to_string(i)); }
        );
        WaitUntilQueued(committer, static_cast<std::size_t>(i) + 1);  // keeps the arrival order
    }
    gate.Release();
    for (auto& t : callers) {
        t.join();
    }
    const auto batches = gate.Batches();
    ASSERT_EQ(batches.size(), 3U);
    EXPECT_EQ(batches[0], std::vector<int>{100});
    EXPECT_EQ(batches[1], (std::vector<int>{0, 1, 2}));
    EXPECT_EQ(batches[2], (std::vector<int>{3, 4}));
}

TEST(GroupCommitter, RefusesBeforeStartAndAfterStop) {
    Gate gate;
    Committer committer(4, Replying(gate), [] { return std::string("refused"); });
    EXPECT_EQ(committer.Submit(1), "refused");
    committer.Start();
    EXPECT_EQ(committer.Submit(2), "done 2");
    committer.Stop();
    committer.Stop();  // idempotent
    EXPECT_EQ(committer.Submit(3), "refused");
    committer.Start();  // a stopped committer stays stopped
    EXPECT_EQ(committer.Submit(4), "refused");
    const auto batches = gate.Batches();
    ASSERT_EQ(batches.size(), 1U);
    EXPECT_EQ(batches[0], std::vector<int>{2});
}

// Stop lets the batch in progress finish and answers what is still queued without committing it.
TEST(GroupCommitter, StopAnswersQueuedItemsRefusedWithoutCommittingThem) {
    Gate gate;
    Committer committer(4, Replying(gate), [] { return std::string("refused"); });
    committer.Start();
    gate.Hold();
    std::string first;
    std::vector<std::string> queued(3);
    std::vector<std::thread> callers;
    callers.emplace_back([&] { first = committer.Submit(7); });
    gate.WaitForBatches(1);
    for (int i = 0; i < 3; ++i) {
        callers.emplace_back([&, i] { queued[static_cast<std::size_t>(i)] = committer.Submit(i); });
    }
    WaitUntilQueued(committer, 3);
    std::thread stopper([&] { committer.Stop(); });
    while (!committer.Stopping()) {
        std::this_thread::yield();
    }
    gate.Release();
    stopper.join();
    for (auto& t : callers) {
        t.join();
    }
    EXPECT_EQ(first, "done 7");
    for (const auto& reply : queued) {
        EXPECT_EQ(reply, "refused");
    }
    EXPECT_EQ(gate.Batches().size(), 1U);
    EXPECT_EQ(committer.Queued(), 0U);
}

}  // namespace
}  // namespace concord::federation
