#include "concord/app/blob_store.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/crypto/sha256.hpp"

#include <sys/stat.h>

namespace concord::app {
namespace {

class BlobStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        root_ = std::filesystem::temp_directory_path() /
                ("concord-blobs-" + std::to_string(std::random_device{}()));
        auto opened = DirectoryBlobStore::OpenFolder(root_);
        ASSERT_TRUE(opened) << opened.error().ToString();
        blobs_ = std::move(*opened);
    }
    void TearDown() override { std::filesystem::remove_all(root_); }

    std::string Put(std::string_view text) {
        auto writer = blobs_->Create();
        EXPECT_TRUE(writer);
        // In two pieces, as a stream would come.
        EXPECT_TRUE((*writer)->Append(AsBytes(text.substr(0, text.size() / 2))));
        EXPECT_TRUE((*writer)->Append(AsBytes(text.substr(text.size() / 2))));
        EXPECT_EQ((*writer)->Size(), text.size());
        auto address = (*writer)->Commit();
        EXPECT_TRUE(address) << address.error().ToString();
        return address.value_or("");
    }

    std::string ReadAll(std::string_view address) {
        auto reader = blobs_->Open(address);
        EXPECT_TRUE(reader) << reader.error().ToString();
        std::string out;
        std::array<std::uint8_t, 7> piece{};
        for (;;) {
            auto n = (*reader)->Read(piece);
            EXPECT_TRUE(n);
            if (!n || *n == 0) {
                break;
            }
            out.append(reinterpret_cast<const char*>(piece.data()), *n);
        }
        return out;
    }

    static unsigned Mode(const std::filesystem::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
        return static_cast<unsigned>(st.st_mode) & 07777U;
    }

    std::filesystem::path root_;
    std::unique_ptr<DirectoryBlobStore> blobs_;
};

TEST_F(BlobStoreTest, ABlobIsFoundUnderTheSha256OfItsBytesAndReadsBackWhole) {
    const std::string text = "account records of 2026-11-29, 10:00 to 11:00 UTC";
    const std::string address = Put(text);
    EXPECT_EQ(address, HexEncode(crypto::Sha256(AsBytes(text))));
    EXPECT_TRUE(IsBlobAddress(address));
    EXPECT_EQ(ReadAll(address), text);
    EXPECT_EQ(blobs_->Contains(address).value(), true);
    EXPECT_TRUE(blobs_->Verify(address));
    EXPECT_EQ(Mode(blobs_->PathOf(address)), 0600U);
    EXPECT_EQ(Mode(root_), 0700U);
    EXPECT_EQ(Mode(blobs_->PathOf(address).parent_path()), 0700U);
}

TEST_F(BlobStoreTest, SeekMovesWithinTheBlobAndRefusesPastItsEnd) {
    const std::string address = Put("0123456789");
    auto reader = blobs_->Open(address);
    ASSERT_TRUE(reader);
    EXPECT_EQ((*reader)->Size(), 10U);
    ASSERT_TRUE((*reader)->Seek(7));
    std::array<std::uint8_t, 8> piece{};
    EXPECT_EQ((*reader)->Read(piece).value(), 3U);
    EXPECT_EQ(piece[0], '7');
    auto past = (*reader)->Seek(11);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(BlobStoreTest, TheSameBytesTwiceAreOneBlob) {
    const std::string a = Put("same");
    const std::string b = Put("same");
    EXPECT_EQ(a, b);
    std::size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_ / "sha256")) {
        files += e.is_regular_file() ? 1U : 0U;
    }
    EXPECT_EQ(files, 1U);
}

TEST_F(BlobStoreTest, AWriterDroppedWithoutCommitLeavesNothing) {
    {
        auto writer = blobs_->Create();
        ASSERT_TRUE(writer);
        ASSERT_TRUE((*writer)->Append(AsBytes("half a file")));
    }
    EXPECT_TRUE(std::filesystem::is_empty(root_ / "tmp"));
    EXPECT_TRUE(std::filesystem::is_empty(root_ / "sha256"));
    EXPECT_FALSE(blobs_->Contains(HexEncode(crypto::Sha256(AsBytes("half a file")))).value());
}

TEST_F(BlobStoreTest, LeftoversOfACrashAreRemovedAtOpen) {
    std::ofstream(root_ / "tmp" / "crashed.part") << "torn";
    auto reopened = DirectoryBlobStore::OpenFolder(root_);
    ASSERT_TRUE(reopened);
    EXPECT_TRUE(std::filesystem::is_empty(root_ / "tmp"));
}

TEST_F(BlobStoreTest, AlteredBytesOnDiskFailVerification) {
    const std::string address = Put("the original evidence");
    {
        std::fstream f(blobs_->PathOf(address), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4);
        f.put('X');
    }
    auto verified = blobs_->Verify(address);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code, ErrorCode::kCorruption);
}

TEST_F(BlobStoreTest, BadAndUnknownAddressesAreTypedErrors) {
    for (const std::string& bad :
         std::vector<std::string>{"", "abc", "../../etc/passwd", std::string(64, 'G')}) {
        auto opened = blobs_->Open(bad);
        ASSERT_FALSE(opened) << bad;
        EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
        EXPECT_FALSE(blobs_->Contains(bad));
        EXPECT_FALSE(blobs_->Remove(bad));
    }
    const std::string unknown(64, 'a');
    auto opened = blobs_->Open(unknown);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(blobs_->Verify(unknown).error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(blobs_->Remove(unknown));
}

TEST_F(BlobStoreTest, RemoveDeletesTheBlob) {
    const std::string address = Put("to be shredded");
    ASSERT_TRUE(blobs_->Remove(address));
    EXPECT_FALSE(blobs_->Contains(address).value());
}

TEST_F(BlobStoreTest, APartialBlobsSizeIsReadWithoutCreatingIt) {
    EXPECT_EQ(blobs_->PartialSize("up-none").value(), 0U);
    EXPECT_FALSE(std::filesystem::exists(root_ / "partial" / "up-none"));
    auto partial = blobs_->OpenPartial("up-some");
    ASSERT_TRUE(partial) << partial.error().ToString();
    ASSERT_TRUE((*partial)->Append(AsBytes("twelve bytes")));
    ASSERT_TRUE((*partial)->Sync());
    EXPECT_EQ(blobs_->PartialSize("up-some").value(), 12U);
    EXPECT_EQ(blobs_->PartialSize("../up").error().code, ErrorCode::kInvalidArgument);
}

TEST_F(BlobStoreTest, AFolderOpenToOtherUsersIsRefused) {
    std::filesystem::permissions(root_, std::filesystem::perms(0755));
    auto opened = DirectoryBlobStore::OpenFolder(root_);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(opened.error().message.find("0700"), std::string::npos);
}

}  // namespace
}  // namespace concord::app
