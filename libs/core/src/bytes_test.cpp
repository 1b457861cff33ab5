#include "concord/core/bytes.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace concord {
namespace {

TEST(Bytes, HexEncodesLowerCase) {
    EXPECT_EQ(HexEncode({}), "");
    const Bytes bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    EXPECT_EQ(HexEncode(bytes), "00017f80abff");
}

TEST(Bytes, HexDecodesEitherCase) {
    auto lower = HexDecode("00017f80abff");
    ASSERT_TRUE(lower.has_value());
    EXPECT_EQ(*lower, (Bytes{0x00, 0x01, 0x7f, 0x80, 0xab, 0xff}));
    auto upper = HexDecode("ABFF");
    ASSERT_TRUE(upper.has_value());
    EXPECT_EQ(*upper, (Bytes{0xab, 0xff}));
    auto empty = HexDecode("");
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->empty());
}

TEST(Bytes, HexRoundTripsEveryByte) {
    Bytes all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(i));
    }
    const std::string hex = HexEncode(all);
    EXPECT_EQ(hex.size(), 512U);
    auto back = HexDecode(hex);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, all);
}

TEST(Bytes, HexDecodeRefusesOddLength) {
    auto r = HexDecode("abc");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Bytes, HexDecodeRefusesNonHexAndNamesTheOffset) {
    for (const char* bad : {"0g", "g0", "  ", "0x12", "12-3"}) {
        auto r = HexDecode(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    }
    auto high = HexDecode("00zz");
    ASSERT_FALSE(high.has_value());
    EXPECT_NE(high.error().message.find("offset 2"), std::string::npos) << high.error().message;
    auto low = HexDecode("000z");
    ASSERT_FALSE(low.has_value());
    EXPECT_NE(low.error().message.find("offset 3"), std::string::npos) << low.error().message;
}

TEST(Bytes, NarrowBigEndianLayout) {
    Bytes out;
    AppendBigEndian<std::uint16_t>(out, 0x0102);
    AppendBigEndian<std::uint32_t>(out, 0xA1B2C3D4U);
    EXPECT_EQ(HexEncode(out), "0102a1b2c3d4");
    EXPECT_EQ(ReadBigEndian<std::uint16_t>(out), 0x0102);
    EXPECT_EQ(ReadBigEndian<std::uint32_t>(ByteSpan(out).subspan(2)), 0xA1B2C3D4U);
}

TEST(Bytes, U64BigEndianLayout) {
    Bytes out = {0xee};
    AppendU64BigEndian(out, 0x0102030405060708ULL);
    EXPECT_EQ(out, (Bytes{0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
    EXPECT_EQ(ReadU64BigEndian(ByteSpan(out).subspan(1)), 0x0102030405060708ULL);
}

TEST(Bytes, U64BigEndianRoundTripsExtremes) {
    for (std::uint64_t v :
         {std::uint64_t{0},
          std::uint64_t{1},
          std::uint64_t{0x80},
          std::uint64_t{1} << 63,
          std::numeric_limits<std::uint64_t>::max()}) {
        Bytes out;
        AppendU64BigEndian(out, v);
        ASSERT_EQ(out.size(), 8U);
        EXPECT_EQ(ReadU64BigEndian(out), v);
    }
    Bytes one;
    AppendU64BigEndian(one, 1);
    EXPECT_EQ(one.back(), 1);
    EXPECT_EQ(one.front(), 0);
}

TEST(Bytes, StringConversionsCopyBytesExactly) {
    const std::string text("a\0\xff", 3);
    const ByteSpan view = AsBytes(text);
    ASSERT_EQ(view.size(), 3U);
    EXPECT_EQ(view[2], 0xff);
    EXPECT_EQ(ToString(view), text);
    EXPECT_EQ(ToBytes(text), (Bytes{'a', 0x00, 0xff}));
}

}  // namespace
}  // namespace concord
