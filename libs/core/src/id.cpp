#include "concord/core/id.hpp"

#include <array>
#include <cstddef>
#include <mutex>

#include "concord/core/assert.hpp"
#include "concord/core/bytes.hpp"
#include "concord/core/mutex.hpp"
#include "concord/core/time.hpp"

#include <sys/random.h>

namespace concord {
namespace {

void FillRandom(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
        const ssize_t got = getrandom(out, n, 0);
        CONCORD_ASSERT(got > 0 || errno == EINTR);
        if (got > 0) {
            out += got;
            n -= static_cast<std::size_t>(got);
        }
    }
}

std::string Format(const std::array<std::uint8_t, 16>& b) {
    std::string hex = HexEncode(ByteSpan(b.data(), b.size()));
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

// Monotonic state: the last millisecond used and a 12-bit counter within it.
struct Clock {
    Mutex mu;
    std::int64_t last_millis CONCORD_GUARDED_BY(mu) = 0;
    std::uint16_t counter CONCORD_GUARDED_BY(mu) = 0;
};

Clock& TheClock() {
    static Clock clock;
    return clock;
}

}  // namespace

std::string NewUuidV7At(std::int64_t unix_millis) {
    std::array<std::uint8_t, 16> b{};
    FillRandom(b.data(), b.size());
    std::uint16_t counter = 0;
    {
        Clock& clock = TheClock();
        MutexLock lock(clock.mu);
        if (unix_millis <= clock.last_millis) {
            unix_millis = clock.last_millis;
            if (++clock.counter > 0x0fff) {  // counter overflow: borrow the next millisecond
                clock.counter = 0;
                ++unix_millis;
            }
        } else {
            clock.counter = static_cast<std::uint16_t>((b[6] << 4 | b[7] >> 4) & 0x07ff);
        }
        clock.last_millis = unix_millis;
        counter = clock.counter;
    }
    const auto ms = static_cast<std::uint64_t>(unix_millis);
    for (int i = 0; i < 6; ++i) {
        b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    }
    b[6] = static_cast<std::uint8_t>(0x70 | (counter >> 8));
    b[7] = static_cast<std::uint8_t>(counter & 0xff);
    b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));
    return Format(b);
}

std::string NewUuidV7() {
    return NewUuidV7At(NowMillis());
}

bool IsUuidV7(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    const char variant = text[19];
    return text[14] == '7' &&
           (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

std::int64_t UuidV7Millis(std::string_view text) {
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < 13; ++i) {
        if (i == 8) {
            continue;
        }
        const char c = text[i];
        ms = ms * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
    }
    return ms;
}

}  // namespace concord
