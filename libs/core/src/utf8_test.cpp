#include "concord/core/utf8.hpp"

#include <string>

#include <gtest/gtest.h>

namespace concord {
namespace {

TEST(Utf8, AcceptsWellFormedSequencesAndDecodesThem) {
    const std::string_view text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
    EXPECT_TRUE(IsValidUtf8(text));
    EXPECT_EQ(Utf8SequenceLength(text, 0), 1u);
    EXPECT_EQ(Utf8SequenceLength(text, 1), 2u);
    EXPECT_EQ(Utf8SequenceLength(text, 3), 3u);
    EXPECT_EQ(Utf8SequenceLength(text, 6), 4u);
    EXPECT_EQ(DecodeUtf8(text, 0, 1), U'a');
    EXPECT_EQ(DecodeUtf8(text, 1, 2), char32_t{0xE9});
    EXPECT_EQ(DecodeUtf8(text, 3, 3), char32_t{0x20AC});
    EXPECT_EQ(DecodeUtf8(text, 6, 4), char32_t{0x1F600});
}

TEST(Utf8, FindsTheFirstIllFormedSequence) {
    EXPECT_EQ(FirstInvalidUtf8("ok\xC0\xAF"), 2u);         // overlong '/'
    EXPECT_EQ(FirstInvalidUtf8("\xED\xA0\x80"), 0u);       // encoded surrogate U+D800
    EXPECT_EQ(FirstInvalidUtf8("x\xF4\x90\x80\x80"), 1u);  // above U+10FFFF
    EXPECT_EQ(FirstInvalidUtf8("abc\xE2\x82"), 3u);        // truncated
    EXPECT_EQ(FirstInvalidUtf8("\x80"), 0u);               // stray continuation byte
    EXPECT_EQ(FirstInvalidUtf8(""), std::nullopt);
    // Long ASCII runs are skipped in words; the offset stays exact inside and after them.
    EXPECT_EQ(FirstInvalidUtf8(std::string(21, 'a') + "\xC0\xAF" + std::string(9, 'b')), 21u);
    EXPECT_EQ(
        FirstInvalidUtf8(std::string(5, 'a') + "\xC3\xA9" + std::string(16, 'b') + "\xFF"), 23u
    );
    EXPECT_EQ(FirstInvalidUtf8(std::string(64, 'a')), std::nullopt);
}

}  // namespace
}  // namespace concord
