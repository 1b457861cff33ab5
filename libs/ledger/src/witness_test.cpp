#include "concord/ledger/witness.hpp"

#include <gtest/gtest.h>

#include "concord/ledger/log.hpp"

#include "store_fixture.hpp"

namespace concord::ledger {
namespace {

constexpr std::string_view kOrigin = "node-a.example/log";

// A log (on its own SQLite store) whose checkpoints the witness under test cosigns.
class WitnessTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        if (store_ == nullptr) {
            return;
        }
        auto log_store = store::Store::Open("sqlite:" + (log_dir_.Path() / "log.db").string());
        ASSERT_TRUE(log_store);
        log_store_ = std::move(*log_store);
        auto log = Log::Open(*log_store_);
        ASSERT_TRUE(log);
        log_ = std::move(*log);
        ASSERT_TRUE(OpenWitness());
    }

    bool OpenWitness() {
        auto witness = Witness::Open(
            *store_,
            Cosigner("witness.example/w1", *crypto::SigningKey::FromSeed(Bytes(32, 9))),
            {log_signer_.Verifier()},
            [this] { return now_; }
        );
        if (!witness) {
            ADD_FAILURE() << witness.error().ToString();
            return false;
        }
        witness_ = std::move(*witness);
        return true;
    }

    // Appends `count` leaves (with `tag` in their data) and returns a checkpoint of the new size.
    std::string Grow(int count, const std::string& tag = "") {
        auto tx = log_store_->Begin();
        EXPECT_TRUE(tx);
        std::vector<Bytes> leaves;
        for (int i = 0; i < count; ++i) {
            leaves.push_back(ToBytes(tag + "leaf " + std::to_string(i)));
        }
        EXPECT_TRUE(log_->Append(**tx, leaves));
        auto note = log_->MakeCheckpoint(**tx, log_signer_, kOrigin);
        EXPECT_TRUE(note);
        EXPECT_TRUE((*tx)->Commit());
        return *note;
    }

    std::vector<Hash256> Proof(std::uint64_t from, std::uint64_t to) {
        if (from == 0) {
            return {};
        }
        auto tx = log_store_->Begin();
        auto proof = log_->ConsistencyProof(**tx, from, to);
        EXPECT_TRUE(proof);
        return *proof;
    }

    testing::TempDir log_dir_;
    std::unique_ptr<store::Store> log_store_;
    std::unique_ptr<Log> log_;
    NoteSigner log_signer_{"node-a.example/log", *crypto::SigningKey::FromSeed(Bytes(32, 5))};
    std::unique_ptr<Witness> witness_;
    std::uint64_t now_{1'800'000'000};
};

TEST_P(WitnessTest, CosignsGrowthAfterCheckingConsistency) {
    std::string first = Grow(5);
    auto line = witness_->AddCheckpoint(0, {}, first);
    ASSERT_TRUE(line) << line.error().ToString();
    NoteVerifier wv = witness_->Verifier();
    auto verified = VerifyNote(first + *line, {&wv, 1});
    ASSERT_TRUE(verified) << verified.error().ToString();
    ASSERT_EQ(verified->cosignature_times.size(), 1u);
    EXPECT_EQ(verified->cosignature_times[0].second, now_);

    std::string second = Grow(8);
    auto line2 = witness_->AddCheckpoint(5, Proof(5, 13), second);
    ASSERT_TRUE(line2) << line2.error().ToString();
    auto state = witness_->Latest(kOrigin);
    ASSERT_TRUE(state && state->has_value());
    EXPECT_EQ((*state)->size, 13u);
    EXPECT_EQ((*state)->checkpoint, second);
}

TEST_P(WitnessTest, RefusesWrongOldSizeSmallerTreesForksAndBadProofs) {
    std::string at5 = Grow(5);
    ASSERT_TRUE(witness_->AddCheckpoint(0, {}, at5));
    std::string at9 = Grow(4);
    ASSERT_TRUE(witness_->AddCheckpoint(5, Proof(5, 9), at9));

    auto conflict = witness_->AddCheckpoint(5, Proof(5, 9), at9);
    ASSERT_FALSE(conflict);
    EXPECT_EQ(conflict.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(conflict.error().message.find("9"), std::string::npos);

    auto smaller = witness_->AddCheckpoint(9, {}, at5);
    ASSERT_FALSE(smaller);
    EXPECT_EQ(smaller.error().code, ErrorCode::kInvalidArgument);

    // A fork: the same log key signs a different tree of the same size.
    Checkpoint forked{std::string(kOrigin), 9, LeafHash(AsBytes("other history")), {}};
    const NoteSigner* signers[] = {&log_signer_};
    auto fork_note = SignNote(forked.Body(), signers);
    ASSERT_TRUE(fork_note);
    auto fork = witness_->AddCheckpoint(9, {}, *fork_note);
    ASSERT_FALSE(fork);
    EXPECT_EQ(fork.error().code, ErrorCode::kCorruption);

    // A larger forked tree with a proof from the real history does not verify.
    Checkpoint forked_larger{std::string(kOrigin), 12, LeafHash(AsBytes("other")), {}};
    auto larger_note = SignNote(forked_larger.Body(), signers);
    std::string at12 = Grow(3);
    auto bad_proof = witness_->AddCheckpoint(9, Proof(9, 12), *larger_note);
    ASSERT_FALSE(bad_proof);
    EXPECT_EQ(bad_proof.error().code, ErrorCode::kUnauthenticated);

    // The state did not move.
    auto state = witness_->Latest(kOrigin);
    ASSERT_TRUE(state && state->has_value());
    EXPECT_EQ((*state)->size, 9u);
    EXPECT_TRUE(witness_->AddCheckpoint(9, Proof(9, 12), at12));
}

TEST_P(WitnessTest, RemembersAcrossRestart) {
    std::string at6 = Grow(6);
    ASSERT_TRUE(witness_->AddCheckpoint(0, {}, at6));
    witness_.reset();
    store_.reset();
    auto reopened = OpenStore();
    ASSERT_TRUE(reopened);
    store_ = std::move(*reopened);
    ASSERT_TRUE(OpenWitness());

    auto from_zero = witness_->AddCheckpoint(0, {}, at6);
    ASSERT_FALSE(from_zero);
    EXPECT_EQ(from_zero.error().code, ErrorCode::kAlreadyExists);

    Checkpoint forked{std::string(kOrigin), 6, LeafHash(AsBytes("rewritten")), {}};
    const NoteSigner* signers[] = {&log_signer_};
    auto fork = witness_->AddCheckpoint(6, {}, *SignNote(forked.Body(), signers));
    ASSERT_FALSE(fork);
    EXPECT_EQ(fork.error().code, ErrorCode::kCorruption);

    std::string at10 = Grow(4);
    EXPECT_TRUE(witness_->AddCheckpoint(6, Proof(6, 10), at10));
}

TEST_P(WitnessTest, RefusesUnknownLogsAndBadSignatures) {
    NoteSigner stranger("other.example/log", crypto::SigningKey::Generate());
    Checkpoint cp{"other.example/log", 1, LeafHash(AsBytes("x")), {}};
    const NoteSigner* strangers[] = {&stranger};
    auto unknown = witness_->AddCheckpoint(0, {}, *SignNote(cp.Body(), strangers));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

    NoteSigner impostor(std::string(kOrigin), crypto::SigningKey::Generate());
    Checkpoint cp2{std::string(kOrigin), 1, LeafHash(AsBytes("x")), {}};
    const NoteSigner* impostors[] = {&impostor};
    auto forged = witness_->AddCheckpoint(0, {}, *SignNote(cp2.Body(), impostors));
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, ErrorCode::kUnauthenticated);

    auto malformed = witness_->AddCheckpoint(0, {}, "not a note");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
    auto state = witness_->Latest(kOrigin);
    ASSERT_TRUE(state);
    EXPECT_FALSE(state->has_value());
}

// Issue 13, item 8: a log whose key is named other than its origin (C2SP: SHOULD match, not
// MUST) is witnessed when its origin is given with the key. The origin is that of Go's tree note,
// the key a Go test key (tests/vectors/c2sp/go-sumdb-note).
TEST_P(WitnessTest, FollowsALogWhoseKeyNameDiffersFromItsOrigin) {
    const auto dir = testing::VectorsDir() / "c2sp" / "go-sumdb-note";
    const std::string tree = testing::ReadFile(dir / "tlog-tree-note-golden.txt");
    const std::string origin = tree.substr(0, tree.find('\n'));
    const std::string keys = testing::ReadFile(dir / "keys.txt");
    auto signer = NoteSigner::FromPrivateKeyText(keys.substr(0, keys.find('\n')));
    ASSERT_TRUE(signer) << signer.error().ToString();
    ASSERT_NE(signer->Name(), origin);
    auto note = [&] {
        auto tx = log_store_->Begin();
        EXPECT_TRUE(log_->Append(**tx, std::vector<Bytes>{ToBytes("hello"), ToBytes("world")}));
        auto n = log_->MakeCheckpoint(**tx, *signer, origin);
        EXPECT_TRUE((*tx)->Commit());
        return *n;
    }();
    // Named by its key alone, the log is unknown to the witness.
    auto by_name = Witness::Open(
        *store_,
        Cosigner("witness.example/w2", *crypto::SigningKey::FromSeed(Bytes(32, 8))),
        std::vector<NoteVerifier>{signer->Verifier()},
        [this] { return now_; }
    );
    ASSERT_TRUE(by_name);
    EXPECT_EQ((*by_name)->AddCheckpoint(0, {}, note).error().code, ErrorCode::kNotFound);
    // With the origin given explicitly, it is cosigned.
    auto explicit_origin = Witness::Open(
        *store_,
        Cosigner("witness.example/w2", *crypto::SigningKey::FromSeed(Bytes(32, 8))),
        std::vector<WitnessedLog>{{origin, signer->Verifier()}},
        [this] { return now_; }
    );
    ASSERT_TRUE(explicit_origin);
    auto line = (*explicit_origin)->AddCheckpoint(0, {}, note);
    ASSERT_TRUE(line) << line.error().ToString();
    auto state = (*explicit_origin)->Latest(origin);
    ASSERT_TRUE(state && *state);
    EXPECT_EQ((*state)->size, 2u);
    // Another key of the same name is refused.
    const NoteSigner impostor(signer->Name(), crypto::SigningKey::Generate());
    const NoteSigner* impostors[] = {&impostor};
    auto forged = SignNote(ParseNote(note)->text, impostors);
    ASSERT_TRUE(forged);
    EXPECT_EQ(
        (*explicit_origin)->AddCheckpoint(2, {}, *forged).error().code, ErrorCode::kUnauthenticated
    );
}

INSTANTIATE_TEST_SUITE_P(Backends, WitnessTest, testing::AllBackends(), testing::BackendName);

}  // namespace
}  // namespace concord::ledger
