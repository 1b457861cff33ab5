#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"

namespace concord::app {

/// A QR code symbol (ISO/IEC 18004) made by libqrencode: `width` × `width` modules, row by row.
struct QrCode {
    int width{0};
    std::vector<bool> dark;  ///< width * width modules, true = dark

    [[nodiscard]] bool Dark(int x, int y) const {
        return dark
            [static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
             static_cast<std::size_t>(x)];
    }
};

/// Encodes `text` (at most 1024 bytes, no NUL) in 8-bit mode at error-correction level M, in
/// the smallest version that holds it. kInvalidArgument if the text is too long or has a NUL.
Result<QrCode> EncodeQr(std::string_view text);

/// The symbol as a standalone SVG document (one path, 4-module quiet zone, one unit per module),
/// for the web UI and the API.
std::string QrSvg(const QrCode& code);

/// The symbol for a terminal: two module rows per text line with the block characters
/// U+2580/U+2584/U+2588 (dark on a light background), with a 4-module quiet zone.
std::string QrTerminal(const QrCode& code);

}  // namespace concord::app
