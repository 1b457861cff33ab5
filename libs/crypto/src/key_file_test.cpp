#include "concord/crypto/key_file.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "concord/crypto/random.hpp"
#include "concord/crypto/sha256.hpp"

#include <sys/stat.h>

namespace concord::crypto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kLabel = "concord-node-v1";
constexpr std::string_view kPassphrase = "hunter2 hunter2";
constexpr std::size_t kLabelAt = 12;  // magic(8) version(2) label length(2)
constexpr std::size_t kChecksumBytes = 32;

class KeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::path(::testing::TempDir()) / "concord-keyfile-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        path_ = dir_ / "node.key";
        secret_ = SecretBytes::CopyFrom(RandomBytes(32));
    }
    void TearDown() override { fs::remove_all(dir_); }

    void WriteKey() {
        auto r = KeyFile::Write(path_, kLabel, secret_, kPassphrase, MinimumArgon2Params());
        ASSERT_TRUE(r.has_value()) << r.error().message;
    }
    [[nodiscard]] Bytes Load() const {
        std::ifstream in(path_, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    // Rewrites the file in place (the inode, hence the 0600 mode, is kept).
    void Store(const Bytes& data) const {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(
            reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size())
        );
        ASSERT_TRUE(out.good());
    }
    static void FixChecksum(Bytes& data) {
        const Hash256 h = Sha256(ByteSpan(data).first(data.size() - kChecksumBytes));
        std::copy(h.begin(), h.end(), data.end() - kChecksumBytes);
    }
    void ExpectError(ErrorCode code, std::string_view needle) const {
        auto r = KeyFile::Read(path_, kPassphrase);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, code) << r.error().message;
        EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(path_.string()), std::string::npos) << r.error().message;
    }

    fs::path dir_;
    fs::path path_;
    SecretBytes secret_;
};

TEST_F(KeyFileTest, RoundTrip) {
    WriteKey();
    auto r = KeyFile::Read(path_, kPassphrase);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->label, kLabel);
    EXPECT_EQ(
        Bytes(r->secret.Span().begin(), r->secret.Span().end()),
        Bytes(secret_.Span().begin(), secret_.Span().end())
    );
}

TEST_F(KeyFileTest, FileHasMode0600AndNoTemporaryIsLeft) {
    WriteKey();
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) {
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
}

TEST_F(KeyFileTest, SecretDoesNotAppearInTheFile) {
    WriteKey();
    const Bytes file = Load();
    const Bytes secret(secret_.Span().begin(), secret_.Span().end());
    EXPECT_EQ(std::search(file.begin(), file.end(), secret.begin(), secret.end()), file.end());
}

TEST_F(KeyFileTest, WrongPassphraseIsUnauthenticated) {
    WriteKey();
    auto r = KeyFile::Read(path_, "hunter3 hunter3");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(r.error().message.find("wrong passphrase"), std::string::npos);
    EXPECT_NE(r.error().message.find(path_.string()), std::string::npos);
}

TEST_F(KeyFileTest, TruncatedFileIsCorruptionTruncated) {
    WriteKey();
    const Bytes full = Load();
    for (std::size_t keep :
         {std::size_t{0},
          std::size_t{5},
          std::size_t{11},
          kLabelAt + 3,
          full.size() / 2,
          full.size() - kChecksumBytes,
          full.size() - 1}) {
        Store(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(keep)));
        SCOPED_TRACE("kept " + std::to_string(keep) + " bytes");
        ExpectError(ErrorCode::kCorruption, "truncated");
    }
}

TEST_F(KeyFileTest, BitFlipIsCorruptionCorrupted) {
    WriteKey();
    const Bytes full = Load();
    // In the label, the salt, the ciphertext and the checksum itself.
    for (std::size_t at :
         {kLabelAt, kLabelAt + kLabel.size() + 14, full.size() - 40, full.size() - 1}) {
        Bytes bad = full;
        bad[at] ^= 0x10;
        Store(bad);
        SCOPED_TRACE("flipped byte " + std::to_string(at));
        ExpectError(ErrorCode::kCorruption, "corrupted");
    }
}

TEST_F(KeyFileTest, BadMagicOrVersionIsCorruptionCorrupted) {
    WriteKey();
    Bytes bad_magic = Load();
    bad_magic[0] = 'X';
    FixChecksum(bad_magic);
    Store(bad_magic);
    ExpectError(ErrorCode::kCorruption, "corrupted");

    Bytes bad_version = Load();
    bad_version[9] = 2;
    FixChecksum(bad_version);
    Store(bad_version);
    ExpectError(ErrorCode::kCorruption, "corrupted");
}

TEST_F(KeyFileTest, TrailingBytesAreCorruption) {
    WriteKey();
    Bytes longer = Load();
    longer.push_back(0);
    Store(longer);
    ExpectError(ErrorCode::kCorruption, "corrupted");
}

TEST_F(KeyFileTest, LabelIsAuthenticated) {
    // With the checksum recomputed, only the AEAD associated data can catch the change.
    WriteKey();
    Bytes relabelled = Load();
    relabelled[kLabelAt] ^= 0x01;
    FixChecksum(relabelled);
    Store(relabelled);
    ExpectError(ErrorCode::kUnauthenticated, "wrong passphrase");
}

TEST_F(KeyFileTest, AbsurdArgon2ParamsAreRefusedQuickly) {
    WriteKey();
    Bytes greedy = Load();
    const std::size_t mem_at = kLabelAt + kLabel.size() + 4;
    greedy[mem_at] = 0x01;  // mem_limit ≈ 2^56 bytes
    FixChecksum(greedy);
    Store(greedy);
    const auto start = std::chrono::steady_clock::now();
    ExpectError(ErrorCode::kCorruption, "corrupted");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST_F(KeyFileTest, GroupOrWorldReadableFileIsRefused) {
    WriteKey();
    for (mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0660}}) {
        ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
        SCOPED_TRACE(mode);
        ExpectError(ErrorCode::kPermissionDenied, "");
    }
    ASSERT_EQ(::chmod(path_.c_str(), 0400), 0);
    EXPECT_TRUE(KeyFile::Read(path_, kPassphrase).has_value());
}

TEST_F(KeyFileTest, ExistingPathIsNotOverwritten) {
    WriteKey();
    const Bytes before = Load();
    auto r = KeyFile::Write(path_, "other", secret_, "other", MinimumArgon2Params());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(Load(), before);
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
    auto r = KeyFile::Read(path_, kPassphrase);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    EXPECT_NE(r.error().message.find(path_.string()), std::string::npos);
}

TEST_F(KeyFileTest, InvalidWriteArgumentsAreRejected) {
    const Argon2Params params = MinimumArgon2Params();
    EXPECT_EQ(
        KeyFile::Write(path_, std::string(256, 'l'), secret_, kPassphrase, params).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        KeyFile::Write(path_, kLabel, SecretBytes(), kPassphrase, params).error().code,
        ErrorCode::kInvalidArgument
    );
    Argon2Params greedy = params;
    greedy.mem_limit = 2ull << 30;
    EXPECT_EQ(
        KeyFile::Write(path_, kLabel, secret_, kPassphrase, greedy).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_FALSE(fs::exists(path_));
}

TEST_F(KeyFileTest, EmptyLabelAndPassphraseRoundTrip) {
    auto w = KeyFile::Write(path_, "", secret_, "", MinimumArgon2Params());
    ASSERT_TRUE(w.has_value()) << w.error().message;
    auto r = KeyFile::Read(path_, "");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->label.empty());
    EXPECT_EQ(ToString(r->secret.Span()), ToString(secret_.Span()));
}

}  // namespace
}  // namespace concord::crypto
