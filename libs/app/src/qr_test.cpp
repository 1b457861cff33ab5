#include "concord/app/qr.hpp"

#include <gtest/gtest.h>

namespace concord::app {
namespace {

// The 7×7 finder pattern whose top-left module is (x0, y0): a dark ring, a light ring, a dark
// 3×3 centre (ISO/IEC 18004 §6.3.3).
bool FinderAt(const QrCode& code, int x0, int y0) {
    for (int y = 0; y < 7; ++y) {
        for (int x = 0; x < 7; ++x) {
            const int ring = std::min(std::min(x, y), std::min(6 - x, 6 - y));
            const bool want_dark = ring != 1;
            if (code.Dark(x0 + x, y0 + y) != want_dark) {
                return false;
            }
        }
    }
    return true;
}

const char* const kUri =
    "otpauth://totp/fr.central:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=fr.central"
    "&algorithm=SHA1&digits=6&period=30";

TEST(Qr, EncodesAnEnrolmentUriAsAValidSymbol) {
    auto code = EncodeQr(kUri);
    ASSERT_TRUE(code) << code.error().message;
    // Versions are 21, 25, ... modules wide; 130 bytes at level M needs version 7 (45 modules).
    EXPECT_EQ((code->width - 17) % 4, 0);
    EXPECT_GE(code->width, 45);
    const int far = code->width - 7;
    EXPECT_TRUE(FinderAt(*code, 0, 0));
    EXPECT_TRUE(FinderAt(*code, far, 0));
    EXPECT_TRUE(FinderAt(*code, 0, far));
    EXPECT_FALSE(FinderAt(*code, far, far));
    // Deterministic: the same text gives the same symbol.
    EXPECT_EQ(EncodeQr(kUri)->dark, code->dark);
}

TEST(Qr, SvgDrawsEveryDarkModuleOnce) {
    auto code = EncodeQr(kUri);
    ASSERT_TRUE(code);
    const std::string svg = QrSvg(*code);
    std::size_t squares = 0;
    for (auto at = svg.find("h1v1h-1z"); at != std::string::npos;
         at = svg.find("h1v1h-1z", at + 1)) {
        ++squares;
    }
    std::size_t dark = 0;
    for (bool d : code->dark) {
        dark += d ? 1 : 0;
    }
    EXPECT_EQ(squares, dark);
    const std::string size = std::to_string(code->width + 8);
    EXPECT_NE(svg.find("viewBox=\"0 0 " + size + " " + size + "\""), std::string::npos);
    EXPECT_TRUE(svg.starts_with("<svg "));
    EXPECT_TRUE(svg.ends_with("</svg>"));
}

TEST(Qr, TerminalRendersTwoModuleRowsPerLine) {
    auto code = EncodeQr("x");
    ASSERT_TRUE(code);
    ASSERT_EQ(code->width, 21);
    const std::string text = QrTerminal(*code);
    std::size_t lines = 0;
    for (char c : text) {
        lines += c == '\n' ? 1 : 0;
    }
    EXPECT_EQ(lines, 15u);  // (21 + 2 × 4) rows, two per line, rounded up
    // The first line is quiet zone only: light everywhere, so full blocks.
    const std::string first = text.substr(0, text.find('\n'));
    std::string all_light;
    for (int i = 0; i < 29; ++i) {
        all_light += "\u2588";
    }
    EXPECT_EQ(first, all_light);
}

TEST(Qr, RefusesTextTooLongOrWithNul) {
    EXPECT_EQ(EncodeQr(std::string(1025, 'a')).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(EncodeQr(std::string("a\0b", 3)).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace concord::app
