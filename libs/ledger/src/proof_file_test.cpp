#include "concord/ledger/proof_file.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"

#include "test_util.hpp"

namespace concord::ledger {
namespace {

class ProofFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        for (int i = 0; i < 11; ++i) {
            leaves_.push_back(ToBytes("leaf " + std::to_string(i)));
            frontier_.Append(LeafHash(leaves_.back()));
        }
        Checkpoint cp{"log.example/p", frontier_.Size(), frontier_.Root(), {}};
        const NoteSigner* signers[] = {&signer_};
        checkpoint_ = *SignNote(cp.Body(), signers);
    }

    // Inclusion proof of leaf 6 computed independently of the log (RFC 9162 recursion by hand).
    TlogProof ProofOfLeaf6() {
        // Tree of 11 = [0..8) + [8..11); leaf 6 is in [0..8): siblings 7, [4..6), [0..4), [8..11).
        auto h = [&](std::size_t i) { return LeafHash(leaves_[i]); };
        Hash256 n01 = NodeHash(h(0), h(1));
        Hash256 n23 = NodeHash(h(2), h(3));
        Hash256 n45 = NodeHash(h(4), h(5));
        Hash256 n89 = NodeHash(h(8), h(9));
        Hash256 right = NodeHash(n89, h(10));
        TlogProof p;
        p.index = 6;
        p.hashes = {h(7), n45, NodeHash(n01, n23), right};
        p.checkpoint = checkpoint_;
        return p;
    }

    NoteSigner signer_{"log.example/p", crypto::SigningKey::Generate()};
    std::vector<Bytes> leaves_;
    Frontier frontier_;
    std::string checkpoint_;
};

TEST_F(ProofFileTest, FormatParseRoundTripAndVerify) {
    TlogProof proof = ProofOfLeaf6();
    proof.extra = ToBytes("receipt 42");
    std::string text = FormatTlogProof(proof);
    EXPECT_EQ(text.rfind("c2sp.org/tlog-proof@v1\nextra ", 0), 0u);
    auto parsed = ParseTlogProof(text);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_EQ(parsed->index, 6u);
    EXPECT_EQ(parsed->hashes, proof.hashes);
    EXPECT_EQ(parsed->extra, proof.extra);
    EXPECT_EQ(parsed->checkpoint, checkpoint_);
    NoteVerifier key = signer_.Verifier();
    auto ok = VerifyTlogProof(*parsed, leaves_[6], {&key, 1}, "log.example/p");
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_NE(ok->find("entry 6"), std::string::npos);
}

TEST_F(ProofFileTest, WrongLeafKeyOriginOrIndexFails) {
    TlogProof proof = ProofOfLeaf6();
    NoteVerifier key = signer_.Verifier();
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[5], {&key, 1}, std::nullopt));
    NoteVerifier other = NoteSigner("log.example/p", crypto::SigningKey::Generate()).Verifier();
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[6], {&other, 1}, std::nullopt));
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[6], {&key, 1}, "log.example/q"));
    proof.index = 7;
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[6], {&key, 1}, std::nullopt));
}

// Line `line` (from 0) of a file of tests/vectors/c2sp/go-sumdb-note.
std::string GoVectorLine(const std::string& file, int line) {
    std::string text = testing::ReadFile(testing::VectorsDir() / "c2sp" / "go-sumdb-note" / file);
    std::size_t start = 0;
    for (int i = 0; i < line; ++i) {
        start = text.find('\n', start) + 1;
    }
    return text.substr(start, text.find('\n', start) - start);
}

// Issue 13, item 8: C2SP tlog-checkpoint says a log's key name SHOULD match the origin; a log key
// given explicitly counts whatever its name (Go's checksum database: origin "go.sum database
// tree", key "sum.golang.org"). Here: the origin of Go's tree note and a Go test key.
TEST_F(ProofFileTest, ALogKeyGivenExplicitlyMayBeNamedOtherThanTheOrigin) {
    const std::string origin = GoVectorLine("tlog-tree-note-golden.txt", 0);
    auto signer = NoteSigner::FromPrivateKeyText(GoVectorLine("keys.txt", 0));
    ASSERT_TRUE(signer) << signer.error().ToString();
    ASSERT_NE(signer->Name(), origin);
    Checkpoint cp{origin, frontier_.Size(), frontier_.Root(), {}};
    const NoteSigner* signers[] = {&*signer, &signer_};
    TlogProof proof = ProofOfLeaf6();
    proof.checkpoint = *SignNote(cp.Body(), signers);
    const NoteVerifier log_key[] = {signer->Verifier()};
    const NoteVerifier witness_key[] = {signer_.Verifier()};

    // By name alone the key is not the log's.
    EXPECT_EQ(
        VerifyTlogProof(proof, leaves_[6], log_key, std::nullopt).error().code,
        ErrorCode::kUnauthenticated
    );
    // Given as the log's key, it is; with the origin pinned too.
    auto ok = VerifyTlogProof(proof, leaves_[6], log_key, witness_key, std::string_view(origin));
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_NE(ok->find(signer->Name()), std::string::npos);
    EXPECT_TRUE(VerifyTlogProof(proof, leaves_[6], log_key, {}, std::nullopt));
    // A witness's signature never stands for the log's, and the origin must still match.
    const NoteVerifier other[] = {NoteSigner("other", crypto::SigningKey::Generate()).Verifier()};
    EXPECT_EQ(
        VerifyTlogProof(proof, leaves_[6], other, log_key, std::nullopt).error().code,
        ErrorCode::kUnauthenticated
    );
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[6], log_key, {}, std::string_view("sum.golang.org"))
    );
    EXPECT_FALSE(VerifyTlogProof(proof, leaves_[5], log_key, {}, std::nullopt));
}

TEST_F(ProofFileTest, MalformedProofsAreRefused) {
    std::string good = FormatTlogProof(ProofOfLeaf6());
    const std::vector<std::string> bad = {
        "",
        "c2sp.org/tlog-proof@v2\n" + good.substr(good.find('\n') + 1),
        "c2sp.org/tlog-proof@v1\nindex x\n\n" + checkpoint_,
        "c2sp.org/tlog-proof@v1\nindex 01\n\n" + checkpoint_,
        "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n" + checkpoint_,
        "c2sp.org/tlog-proof@v1\nindex 1\n",
        "c2sp.org/tlog-proof@v1\nindex 1\n\n",
    };
    for (const std::string& text : bad) {
        auto parsed = ParseTlogProof(text);
        EXPECT_FALSE(parsed) << text;
    }
}

TEST_F(ProofFileTest, JsonProofsCheckLeafData) {
    TlogProof proof = ProofOfLeaf6();
    auto b64 = [](const Hash256& h) { return crypto::Base64Encode(ByteSpan(h.data(), h.size())); };
    std::string json = "{\"leafIdx\": 6, \"treeSize\": 11, \"root\": \"" + b64(frontier_.Root()) +
                       "\", \"leafHash\": \"" + b64(LeafHash(leaves_[6])) + "\", \"proof\": [";
    for (std::size_t i = 0; i < proof.hashes.size(); ++i) {
        json += (i == 0 ? "\"" : ", \"") + b64(proof.hashes[i]) + "\"";
    }
    json += "]}";
    auto ok = VerifyJsonProof(json, std::nullopt);
    ASSERT_TRUE(ok) << ok.error().ToString();
    EXPECT_TRUE(VerifyJsonProof(json, ByteSpan(leaves_[6])));
    EXPECT_FALSE(VerifyJsonProof(json, ByteSpan(leaves_[0])));
    EXPECT_FALSE(VerifyJsonProof("[1,2]", std::nullopt));
    EXPECT_FALSE(VerifyJsonProof("{\"treeSize\": 3}", std::nullopt));
    EXPECT_FALSE(VerifyJsonProof("{\"leafIdx\": -1, \"treeSize\": 3}", std::nullopt));
}

}  // namespace
}  // namespace concord::ledger
