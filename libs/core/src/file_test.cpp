#include "concord/core/file.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace concord {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device rd;
        dir_ = fs::temp_directory_path() / ("concord-file-" + std::to_string(rd()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    static std::string Read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    // Files in the directory other than `name` (leftover temporary files).
    std::size_t Others(const std::string& name) const {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(dir_)) {
            n += e.path().filename() != name ? 1U : 0U;
        }
        return n;
    }
    fs::path dir_;
};

TEST_F(FileTest, WritesReplacesAndSetsTheMode) {
    fs::path p = dir_ / "a.txt";
    ASSERT_TRUE(WriteFileAtomically(p, AsBytes("first"), 0600, ExistingFile::kReplace));
    EXPECT_EQ(Read(p), "first");
    EXPECT_EQ(
        fs::status(p).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write
    );
    ASSERT_TRUE(WriteFileAtomically(p, AsBytes("second"), 0644, ExistingFile::kReplace));
    EXPECT_EQ(Read(p), "second");
    EXPECT_EQ(Others("a.txt"), 0u);
}

TEST_F(FileTest, RefuseNeverReplacesAndLeavesNothingBehind) {
    fs::path p = dir_ / "key";
    ASSERT_TRUE(WriteFileAtomically(p, AsBytes("original"), 0600, ExistingFile::kRefuse));
    auto again = WriteFileAtomically(p, AsBytes("other"), 0600, ExistingFile::kRefuse);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    EXPECT_NE(again.error().message.find(p.string()), std::string::npos);
    EXPECT_EQ(Read(p), "original");
    EXPECT_EQ(Others("key"), 0u);
}

TEST_F(FileTest, MissingDirectoryIsNotFound) {
    auto r = WriteFileAtomically(dir_ / "no" / "such", AsBytes("x"), 0600, ExistingFile::kReplace);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace concord
