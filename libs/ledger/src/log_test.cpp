#include "concord/ledger/log.hpp"

#include <random>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"

#include "store_fixture.hpp"

namespace concord::ledger {
namespace {

class LogTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        if (store_ == nullptr) {
            return;
        }
        auto log = Log::Open(*store_);
        ASSERT_TRUE(log) << log.error().ToString();
        log_ = std::move(*log);
    }

    // Appends `count` leaves in transactions of `batch`, mirroring them into `mirror`.
    void AppendLeaves(int count, int batch, Frontier& mirror) {
        for (int done = 0; done < count;) {
            auto tx = store_->Begin();
            ASSERT_TRUE(tx);
            std::vector<Bytes> leaves;
            for (int i = 0; i < batch && done < count; ++i, ++done) {
                leaves.push_back(ToBytes("event " + std::to_string(mirror.Size())));
                mirror.Append(LeafHash(leaves.back()));
            }
            auto appended = log_->Append(**tx, leaves);
            ASSERT_TRUE(appended) << appended.error().ToString();
            EXPECT_EQ(appended->size, mirror.Size());
            EXPECT_EQ(appended->root, mirror.Root());
            ASSERT_TRUE((*tx)->Commit());
        }
    }

    std::unique_ptr<Log> log_;
};

TEST_P(LogTest, AppendsInBatchesAndSinglyGiveTheReferenceRoot) {
    Frontier mirror;
    AppendLeaves(300, 64, mirror);
    AppendLeaves(37, 1, mirror);
    AppendLeaves(100, 7, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    auto size = log_->Size(**tx);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, 437u);
    auto root = log_->Root(**tx, 437);
    ASSERT_TRUE(root);
    EXPECT_EQ(*root, mirror.Root());
    auto leaf = log_->Leaf(**tx, 12);
    ASSERT_TRUE(leaf);
    EXPECT_EQ(ToString(*leaf), "event 12");
    EXPECT_EQ(log_->Leaf(**tx, 437).error().code, ErrorCode::kNotFound);
}

TEST_P(LogTest, ProofsFromTheStoreVerify) {
    Frontier mirror;
    std::vector<Hash256> roots{EmptyRoot()};
    for (int i = 0; i < 90; ++i) {
        AppendLeaves(1, 1, mirror);
        roots.push_back(mirror.Root());
    }
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    for (std::uint64_t size : {1u, 2u, 7u, 8u, 33u, 64u, 90u}) {
        auto root = log_->Root(**tx, size);
        ASSERT_TRUE(root);
        EXPECT_EQ(*root, roots[size]);
        for (std::uint64_t index = 0; index < size; ++index) {
            auto proof = log_->InclusionProof(**tx, index, size);
            ASSERT_TRUE(proof);
            auto leaf = log_->Leaf(**tx, index);
            ASSERT_TRUE(leaf);
            EXPECT_TRUE(VerifyInclusion(index, size, LeafHash(*leaf), *proof, roots[size]));
        }
        for (std::uint64_t size1 = 1; size1 <= size; ++size1) {
            auto proof = log_->ConsistencyProof(**tx, size1, size);
            ASSERT_TRUE(proof);
            EXPECT_TRUE(VerifyConsistency(size1, size, *proof, roots[size1], roots[size]));
        }
    }
    EXPECT_FALSE(log_->InclusionProof(**tx, 0, 91));
}

TEST_P(LogTest, StoredProofsReadLogarithmicallyManyNodes) {
    Frontier mirror;
    AppendLeaves(3000, 500, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    NodeReader inner = log_->Nodes(**tx);
    int reads = 0;
    NodeReader counting = [&](std::uint32_t level, std::uint64_t index) {
        ++reads;
        return inner(level, index);
    };
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 50; ++trial) {
        std::uint64_t size = 1 + rng() % 3000;
        reads = 0;
        ASSERT_TRUE(MakeInclusionProof(counting, rng() % size, size));
        EXPECT_LE(reads, 2 * 12 + 2);
    }
}

TEST_P(LogTest, RolledBackAppendsLeaveNoTrace) {
    Frontier mirror;
    AppendLeaves(10, 10, mirror);
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        Bytes leaf = ToBytes("never committed");
        ASSERT_TRUE(log_->Append(**tx, leaf));
        (*tx)->Rollback();
    }
    AppendLeaves(5, 1, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    EXPECT_EQ(*log_->Size(**tx), 15u);
    EXPECT_EQ(*log_->Root(**tx, 15), mirror.Root());
    EXPECT_TRUE(log_->VerifyAll(**tx, {}));
}

TEST_P(LogTest, ContinuesAfterReopen) {
    Frontier mirror;
    AppendLeaves(21, 4, mirror);
    log_ = std::make_unique<Log>();  // a fresh process would start with no cached frontier
    AppendLeaves(22, 3, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    EXPECT_EQ(*log_->Root(**tx, 43), mirror.Root());
}

TEST_P(LogTest, ACheckpointOfAGivenSizeSignsThatSizeAndNoLargerOne) {
    NoteSigner signer("node-a.example/log", crypto::SigningKey::Generate());
    Frontier mirror;
    AppendLeaves(17, 5, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    auto made = log_->MakeCheckpoint(**tx, signer, "node-a.example/log", 9);
    ASSERT_TRUE(made) << made.error().ToString();
    auto verified = VerifyNote(*made, std::vector<NoteVerifier>{signer.Verifier()});
    ASSERT_TRUE(verified);
    auto cp = ParseCheckpoint(verified->note.text);
    ASSERT_TRUE(cp);
    EXPECT_EQ(cp->size, 9u);
    EXPECT_EQ(cp->root, *log_->Root(**tx, 9));
    auto beyond = log_->MakeCheckpoint(**tx, signer, "node-a.example/log", 18);
    ASSERT_FALSE(beyond);
    EXPECT_EQ(beyond.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(LogTest, CheckpointsAreSignedStoredAndVerified) {
    NoteSigner signer("node-a.example/log", crypto::SigningKey::Generate());
    std::vector<NoteVerifier> keys{signer.Verifier()};
    Frontier mirror;
    AppendLeaves(17, 5, mirror);
    std::string note;
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        auto made = log_->MakeCheckpoint(**tx, signer, "node-a.example/log");
        ASSERT_TRUE(made);
        note = *made;
        auto again = log_->MakeCheckpoint(**tx, signer, "node-a.example/log");
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, note);
        ASSERT_TRUE((*tx)->Commit());
    }
    auto verified = VerifyNote(note, keys);
    ASSERT_TRUE(verified);
    auto cp = ParseCheckpoint(verified->note.text);
    ASSERT_TRUE(cp);
    EXPECT_EQ(cp->size, 17u);
    EXPECT_EQ(cp->root, mirror.Root());
    AppendLeaves(3, 3, mirror);
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    auto latest = log_->LatestCheckpoint(**tx);
    ASSERT_TRUE(latest && latest->has_value());
    EXPECT_EQ(**latest, note);
    auto all = log_->VerifyAll(**tx, keys);
    ASSERT_TRUE(all) << all.error().ToString();
    EXPECT_EQ(all->size, 20u);
    EXPECT_EQ(all->root, mirror.Root());
    EXPECT_EQ(all->checkpoints, 1u);
    EXPECT_EQ(all->latest_checkpoint, 17u);
    NoteSigner stranger("node-a.example/log", crypto::SigningKey::Generate());
    std::vector<NoteVerifier> wrong{stranger.Verifier()};
    auto refused = log_->VerifyAll(**tx, wrong);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
}

TEST_P(LogTest, VerifyAllFindsTamperedData) {
    Frontier mirror;
    AppendLeaves(40, 40, mirror);
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute(
            "UPDATE ledger_entries SET data = $1 WHERE idx = 17", {store::Value(ToBytes("forged"))}
        ));
        auto result = log_->VerifyAll(**tx, {});
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, ErrorCode::kCorruption);
        EXPECT_NE(result.error().message.find("17"), std::string::npos);
        (*tx)->Rollback();
    }
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        // Entry 31 completes nodes up to level 5; damage the level-3 node.
        auto rows = (*tx)->Query("SELECT hashes FROM ledger_entries WHERE idx = 31");
        ASSERT_TRUE(rows && rows->size() == 1);
        Bytes hashes = (*rows)[0].Blob(0);
        ASSERT_EQ(hashes.size(), 32u * 6);
        hashes[32 * 3] ^= 1;
        ASSERT_TRUE((*tx)->Execute(
            "UPDATE ledger_entries SET hashes = $1 WHERE idx = 31", {store::Value(hashes)}
        ));
        auto result = log_->VerifyAll(**tx, {});
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, ErrorCode::kCorruption);
        (*tx)->Rollback();
    }
    {
        auto tx = store_->Begin();
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Execute("DELETE FROM ledger_entries WHERE idx = 39"));
        EXPECT_FALSE(log_->VerifyAll(**tx, {}));
        (*tx)->Rollback();
    }
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    EXPECT_TRUE(log_->VerifyAll(**tx, {}));
}

TEST_P(LogTest, EmptyAppendIsRefused) {
    auto tx = store_->Begin();
    ASSERT_TRUE(tx);
    auto result = log_->Append(**tx, std::span<const Bytes>());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest, testing::AllBackends(), testing::BackendName);

}  // namespace
}  // namespace concord::ledger
