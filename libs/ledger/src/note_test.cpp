#include "concord/ledger/note.hpp"

#include <gtest/gtest.h>

#include "concord/crypto/base64.hpp"
#include "concord/crypto/init.hpp"
#include "concord/ledger/merkle.hpp"

#include "test_util.hpp"

namespace concord::ledger {
namespace {

using testing::ReadFile;

std::filesystem::path C2sp(const std::string& name) {
    return testing::VectorsDir() / "c2sp" / "c2sp-spec" / name;
}
std::filesystem::path GoNote(const std::string& name) {
    return testing::VectorsDir() / "c2sp" / "go-sumdb-note" / name;
}

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::string line;
    for (char c : text) {
        if (c == '\n') {
            out.push_back(line);
            line.clear();
        } else {
            line += c;
        }
    }
    if (!line.empty()) {
        out.push_back(line);
    }
    return out;
}

class NoteTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        keys_ = Lines(ReadFile(GoNote("keys.txt")));
        ASSERT_EQ(keys_.size(), 3u);
    }
    std::vector<std::string> keys_;
};

TEST_F(NoteTest, C2spSignedNoteExampleVerifies) {
    std::string vkey = Lines(ReadFile(C2sp("signed-note-example.vkey"))).at(0);
    auto verifier = ParseVerifierKey(vkey);
    ASSERT_TRUE(verifier) << verifier.error().ToString();
    EXPECT_EQ(verifier->ToString(), vkey);
    auto verified = VerifyNote(ReadFile(C2sp("signed-note-example.note")), {&*verifier, 1});
    ASSERT_TRUE(verified) << verified.error().ToString();
    EXPECT_EQ(verified->verified_by, std::vector<std::string>{verifier->name});
}

TEST_F(NoteTest, SigningGoVectorFromSeedReproducesSignatureLine) {
    auto signer = NoteSigner::FromPrivateKeyText(keys_[0]);
    ASSERT_TRUE(signer) << signer.error().ToString();
    EXPECT_EQ(signer->Verifier().ToString(), keys_[1]);
    std::string expected = ReadFile(GoNote("peter-signed.note"));
    auto parsed = ParseNote(expected);
    ASSERT_TRUE(parsed);
    const NoteSigner* signers[] = {&*signer};
    auto signed_note = SignNote(parsed->text, signers);
    ASSERT_TRUE(signed_note);
    EXPECT_EQ(*signed_note, expected);
}

TEST_F(NoteTest, SeveralSignaturesVerifyAgainstAnySubset) {
    std::string note = ReadFile(GoNote("peter-enoch-signed.note"));
    auto peter = ParseVerifierKey(keys_[1]);
    auto enoch = ParseVerifierKey(keys_[2]);
    ASSERT_TRUE(peter);
    ASSERT_TRUE(enoch);
    auto only_peter = VerifyNote(note, {&*peter, 1});
    ASSERT_TRUE(only_peter);
    EXPECT_EQ(only_peter->verified_by, std::vector<std::string>{"PeterNeumann"});
    auto only_enoch = VerifyNote(note, {&*enoch, 1});
    ASSERT_TRUE(only_enoch);
    EXPECT_EQ(only_enoch->verified_by, std::vector<std::string>{"EnochRoot"});
    std::vector<NoteVerifier> both{*peter, *enoch};
    auto all = VerifyNote(note, both);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->verified_by.size(), 2u);
}

TEST_F(NoteTest, UnknownKeysAreIgnoredButSomeKnownKeyMustSign) {
    std::string note = ReadFile(GoNote("peter-enoch-signed.note"));
    auto other = MakeVerifier(
        "someone.else", NoteKeyType::kEd25519, crypto::SigningKey::Generate().PublicKey()
    );
    auto none = VerifyNote(note, {&other, 1});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
    // A key with a known name but another key id is unknown too.
    auto peter_name_other_key = MakeVerifier(
        "PeterNeumann", NoteKeyType::kEd25519, crypto::SigningKey::Generate().PublicKey()
    );
    EXPECT_FALSE(VerifyNote(note, {&peter_name_other_key, 1}));
}

TEST_F(NoteTest, TamperedTextFailsForKnownKey) {
    std::string note = ReadFile(GoNote("peter-signed.note"));
    note[3] = static_cast<char>(note[3] ^ 0x20);
    auto peter = ParseVerifierKey(keys_[1]);
    ASSERT_TRUE(peter);
    auto result = VerifyNote(note, {&*peter, 1});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(NoteTest, MalformedNotesAreRefused) {
    std::string good = ReadFile(GoNote("peter-signed.note"));
    auto sep = good.rfind("\n\n");
    std::string text = good.substr(0, sep + 1);
    std::string sig = good.substr(sep + 2);
    const std::vector<std::string> bad = {
        "",
        text,                                                           // no signatures
        text + "\n",                                                    // blank line, nothing after
        text + "\n" + sig.substr(0, sig.size() - 1),                    // no final newline
        text + "\n- PeterNeumann " + sig.substr(sig.find(' ', 4) + 1),  // ASCII dash
        text + "\n\xE2\x80\x94 PeterNeumann !!!notbase64\n",
        text + "\n\xE2\x80\x94 PeterNeumann AAAA\n",  // shorter than a key id + sig
        text + "\n\xE2\x80\x94 Peter+Neumann " + sig.substr(sig.find(' ', 4) + 1),
        "line\x01with control\n\n" + sig,
        "bad utf8 \xff\n\n" + sig,
    };
    for (const std::string& note : bad) {
        auto parsed = ParseNote(note);
        EXPECT_FALSE(parsed) << note;
        if (!parsed) {
            EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        }
    }
}

TEST_F(NoteTest, KeyNamesAreChecked) {
    EXPECT_TRUE(CheckKeyName("example.com/log"));
    EXPECT_TRUE(CheckKeyName("\xC3\xA9t\xC3\xA9.example"));  // non-ASCII letters are fine
    for (std::string_view bad :
         {"",
          "a b",
          "a+b",
          "a\tb",
          "a\xC2\xA0"
          "b",
          "a\xE3\x80\x80"
          "b",
          "bad\xFF"}) {
        EXPECT_FALSE(CheckKeyName(bad)) << bad;
    }
}

TEST_F(NoteTest, VerifierKeysAreChecked) {
    EXPECT_FALSE(ParseVerifierKey("no-plus-signs"));
    EXPECT_FALSE(ParseVerifierKey(keys_[1].substr(0, keys_[1].size() - 4)));
    std::string wrong_id = keys_[1];
    wrong_id[wrong_id.find('+') + 1] = wrong_id[wrong_id.find('+') + 1] == '0' ? '1' : '0';
    EXPECT_FALSE(ParseVerifierKey(wrong_id));
}

TEST_F(NoteTest, CheckpointExampleParses) {
    auto note = ParseNote(ReadFile(C2sp("tlog-checkpoint-example.FORMAT-ONLY.note")));
    ASSERT_TRUE(note);
    auto cp = ParseCheckpoint(note->text);
    ASSERT_TRUE(cp) << cp.error().ToString();
    EXPECT_EQ(cp->Body(), note->text);
    std::vector<std::string> lines = Lines(note->text);
    EXPECT_EQ(cp->origin, lines[0]);
    EXPECT_EQ(std::to_string(cp->size), lines[1]);
}

TEST_F(NoteTest, GoTreeNoteRootIsLeafHashOfHelloWorld) {
    auto cp = ParseCheckpoint(ReadFile(GoNote("tlog-tree-note-golden.txt")));
    ASSERT_TRUE(cp) << cp.error().ToString();
    EXPECT_EQ(cp->root, LeafHash(AsBytes("hello world")));
}

TEST_F(NoteTest, MalformedCheckpointsAreRefused) {
    const std::vector<std::string> bad = {
        "",
        "origin\n",
        "origin\n12\n",
        "origin\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
        "origin\n12\nAAAA\n",
        "\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "origin\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
        "origin\n99999999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"};
    for (const std::string& body : bad) {
        EXPECT_FALSE(ParseCheckpoint(body)) << body;
    }
}

TEST_F(NoteTest, CosignatureMessageMatchesC2spExample) {
    std::string expected = ReadFile(C2sp("tlog-cosignature-ed25519-signed-message.txt"));
    auto note = ParseNote(ReadFile(C2sp("tlog-cosignature-example.FORMAT-ONLY.note")));
    ASSERT_TRUE(note);
    // The timestamp is the one the example's message states on its second line.
    std::string time_line = Lines(expected).at(1);
    std::uint64_t ts = std::stoull(time_line.substr(5));
    EXPECT_EQ(CosignatureMessage(note->text, ts), expected);
    // The example's witness signature carries the same timestamp after its key id.
    ASSERT_EQ(note->signatures.size(), 2u);
    const Bytes& cosig = note->signatures[1].signature;
    ASSERT_EQ(cosig.size(), 8u + 64u);
    EXPECT_EQ(ReadU64BigEndian(cosig), ts);
}

TEST_F(NoteTest, CosignatureRoundTrip) {
    Cosigner witness("witness.example/w1", crypto::SigningKey::Generate());
    auto log = NoteSigner("log.example/a", crypto::SigningKey::Generate());
    Checkpoint cp{"log.example/a", 7, LeafHash(AsBytes("x")), {}};
    const NoteSigner* signers[] = {&log};
    auto note = SignNote(cp.Body(), signers);
    ASSERT_TRUE(note);
    std::string cosigned = *note + witness.SignatureLine(cp.Body(), 1700000000);
    NoteVerifier wv = witness.Verifier();
    auto parsed_key = ParseVerifierKey(wv.ToString());
    ASSERT_TRUE(parsed_key);
    EXPECT_EQ(parsed_key->type, NoteKeyType::kCosignatureV1);
    auto verified = VerifyNote(cosigned, {&*parsed_key, 1});
    ASSERT_TRUE(verified) << verified.error().ToString();
    ASSERT_EQ(verified->cosignature_times.size(), 1u);
    EXPECT_EQ(verified->cosignature_times[0].second, 1700000000u);
    // A cosignature is not a plain signature: the same key as type 0x01 does not match it.
    auto as_plain = MakeVerifier(wv.name, NoteKeyType::kEd25519, wv.key);
    EXPECT_FALSE(VerifyNote(cosigned, {&as_plain, 1}));
}

}  // namespace
}  // namespace concord::ledger
