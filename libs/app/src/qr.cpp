#include "concord/app/qr.hpp"

#include <memory>

#include <qrencode.h>

namespace concord::app {
namespace {

constexpr std::size_t kMaxQrText = 1024;
constexpr int kQuietZone = 4;

}  // namespace

Result<QrCode> EncodeQr(std::string_view text) {
    if (text.size() > kMaxQrText || text.find('\0') != std::string_view::npos) {
        return MakeError(
            ErrorCode::kInvalidArgument, "QR text must be at most 1024 bytes without NUL"
        );
    }
    const std::string text_z(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> symbol(
        QRcode_encodeString8bit(text_z.c_str(), 0, QR_ECLEVEL_M), &QRcode_free
    );
    if (symbol == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "text does not fit in a QR code");
    }
    QrCode code;
    code.width = symbol->width;
    const auto modules =
        static_cast<std::size_t>(symbol->width) * static_cast<std::size_t>(symbol->width);
    code.dark.resize(modules);
    for (std::size_t i = 0; i < modules; ++i) {
        code.dark[i] = (symbol->data[i] & 0x01) != 0;  // bit 0: dark module (qrencode.h)
    }
    return code;
}

std::string QrSvg(const QrCode& code) {
    const int size = code.width + 2 * kQuietZone;
    std::string svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
        std::to_string(size) + "\" shape-rendering=\"crispEdges\">" +
        "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
    for (int y = 0; y < code.width; ++y) {
        for (int x = 0; x < code.width; ++x) {
            if (code.Dark(x, y)) {
                svg += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) +
                       "h1v1h-1z";
            }
        }
    }
    svg += "\"/></svg>";
    return svg;
}

std::string QrTerminal(const QrCode& code) {
    // Light modules are drawn as blocks and dark ones left blank: on the usual dark-background
    // terminal that shows dark modules on light, as scanners need.
    auto dark = [&](int x, int y) {
        return x >= 0 && y >= 0 && x < code.width && y < code.width && code.Dark(x, y);
    };
    std::string out;
    for (int y = -kQuietZone; y < code.width + kQuietZone; y += 2) {
        for (int x = -kQuietZone; x < code.width + kQuietZone; ++x) {
            const bool top_light = !dark(x, y);
            const bool bottom_light = y + 1 < code.width + kQuietZone && !dark(x, y + 1);
            if (top_light && bottom_light) {
                out += "\u2588";
            } else if (top_light) {
                out += "\u2580";
            } else if (bottom_light) {
                out += "\u2584";
            } else {
                out += " ";
            }
        }
        out += "\n";
    }
    return out;
}

}  // namespace concord::app
