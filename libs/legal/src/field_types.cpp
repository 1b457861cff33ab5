#include "concord/legal/field_types.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "concord/core/bytes.hpp"
#include "concord/core/utf8.hpp"
#include "concord/crypto/sha256.hpp"

namespace concord::legal {
namespace {

constexpr bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}
constexpr bool IsAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsUpper(char c) {
    return c >= 'A' && c <= 'Z';
}
constexpr bool IsHex(char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char Lower(char c) {
    return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

FieldProblem Problem(const char* key) {
    return std::string(key);
}

bool AllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// Parses a decimal number of at most `max_digits` digits without sign.
std::optional<std::uint32_t> ParseSmall(std::string_view s, std::size_t max_digits) {
    if (!AllDigits(s) || s.size() > max_digits) {
        return std::nullopt;
    }
    std::uint32_t v = 0;
    for (char c : s) {
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return v;
}

bool IsLeapYear(std::uint32_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

std::uint32_t DaysInMonth(std::uint32_t y, std::uint32_t m) {
    static constexpr std::array<std::uint32_t, 12> kDays = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeapYear(y) ? 29 : kDays.at(m - 1);
}

struct CivilDate {
    std::uint32_t year{0};
    std::uint32_t month{0};
    std::uint32_t day{0};
};

std::optional<CivilDate> ParseDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return std::nullopt;
    }
    auto y = ParseSmall(s.substr(0, 4), 4);
    auto m = ParseSmall(s.substr(5, 2), 2);
    auto d = ParseSmall(s.substr(8, 2), 2);
    if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1 || *d > DaysInMonth(*y, *m)) {
        return std::nullopt;
    }
    return CivilDate{*y, *m, *d};
}

// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(CivilDate d) {
    auto y = static_cast<std::int64_t>(d.year) - (d.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t m = d.month;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// "hh:mm:ss" (with optional fraction) -> seconds of the day, and the rest after it.
std::optional<std::int64_t> ParseTimeOfDay(std::string_view s, std::string_view& rest) {
    if (s.size() < 8 || s[2] != ':' || s[5] != ':') {
        return std::nullopt;
    }
    auto h = ParseSmall(s.substr(0, 2), 2);
    auto mi = ParseSmall(s.substr(3, 2), 2);
    auto se = ParseSmall(s.substr(6, 2), 2);
    // 60 admits a leap second, as RFC 3339 does.
    if (!h || !mi || !se || *h > 23 || *mi > 59 || *se > 60) {
        return std::nullopt;
    }
    std::size_t i = 8;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::size_t start = i;
        while (i < s.size() && IsDigit(s[i])) {
            ++i;
        }
        if (i == start) {
            return std::nullopt;
        }
    }
    rest = s.substr(i);
    return static_cast<std::int64_t>(*h) * 3600 + static_cast<std::int64_t>(*mi) * 60 + *se;
}

// "Z" or "+hh:mm" / "-hh:mm" -> offset in seconds east of UTC.
std::optional<std::int64_t> ParseZone(std::string_view s) {
    if (s == "Z" || s == "z") {
        return 0;
    }
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') {
        return std::nullopt;
    }
    auto h = ParseSmall(s.substr(1, 2), 2);
    auto m = ParseSmall(s.substr(4, 2), 2);
    if (!h || !m || *h > 23 || *m > 59) {
        return std::nullopt;
    }
    std::int64_t offset = static_cast<std::int64_t>(*h) * 3600 + static_cast<std::int64_t>(*m) * 60;
    return s[0] == '-' ? -offset : offset;
}

bool ValidLabel(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
        return false;
    }
    return std::all_of(label.begin(), label.end(), [](char c) {
        return IsAlpha(c) || IsDigit(c) || c == '-';
    });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t pos = s.find(sep, start);
        parts.push_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos) {
            return parts;
        }
        start = pos + 1;
    }
}

// --- IBAN -------------------------------------------------------------------------------------

// IBAN lengths by country, from the SWIFT IBAN registry.
constexpr auto kIbanLengths = std::to_array<std::pair<std::string_view, std::size_t>>({
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
});

std::optional<std::size_t> IbanLength(std::string_view country) {
    for (const auto& [code, length] : kIbanLengths) {
        if (code == country) {
            return length;
        }
    }
    return std::nullopt;
}

// ISO 7064 mod 97-10 over the rearranged IBAN, letters as 10..35.
std::uint32_t IbanMod97(std::string_view iban) {
    std::string rearranged(iban.substr(4));
    rearranged.append(iban.substr(0, 4));
    std::uint32_t rem = 0;
    for (char c : rearranged) {
        std::uint32_t v = IsDigit(c) ? static_cast<std::uint32_t>(c - '0')
                                     : static_cast<std::uint32_t>(c - 'A' + 10);
        rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
    }
    return rem;
}

// --- Bitcoin ----------------------------------------------------------------------------------

constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::optional<std::vector<std::uint8_t>> Base58Decode(std::string_view s) {
    std::vector<std::uint8_t> out;  // little-endian big number
    for (char c : s) {
        std::size_t digit = kBase58.find(c);
        if (digit == std::string_view::npos) {
            return std::nullopt;
        }
        std::uint32_t carry = static_cast<std::uint32_t>(digit);
        for (std::uint8_t& b : out) {
            carry += static_cast<std::uint32_t>(b) * 58;
            b = static_cast<std::uint8_t>(carry & 0xff);
            carry >>= 8;
        }
        while (carry > 0) {
            out.push_back(static_cast<std::uint8_t>(carry & 0xff));
            carry >>= 8;
        }
    }
    for (char c : s) {
        if (c != '1') {
            break;
        }
        out.push_back(0);  // each leading '1' is a leading zero byte
    }
    std::reverse(out.begin(), out.end());
    return out;
}

// A base58check address encodes 25 bytes: at most 35 digits. Longer input is refused before
// decoding, which is quadratic in the number of digits.
constexpr std::size_t kMaxBase58AddressDigits = 35;

FieldProblem CheckBase58Address(std::string_view text) {
    if (text.find_first_not_of(kBase58) != std::string_view::npos) {
        return Problem("reason.bad_character");
    }
    if (text.size() > kMaxBase58AddressDigits) {
        return Problem("reason.bad_length");
    }
    auto decoded = Base58Decode(text);
    if (!decoded) {
        return Problem("reason.bad_character");
    }
    if (decoded->size() != 25) {
        return Problem("reason.bad_length");
    }
    const std::uint8_t version = decoded->front();
    if (version != 0x00 && version != 0x05 && version != 0x6f && version != 0xc4) {
        return Problem("reason.unknown_version");
    }
    ByteSpan payload(decoded->data(), 21);
    crypto::Hash256 first = crypto::Sha256(payload);
    crypto::Hash256 second = crypto::Sha256(ByteSpan(first.data(), first.size()));
    if (!std::equal(second.begin(), second.begin() + 4, decoded->begin() + 21)) {
        return Problem("reason.checksum");
    }
    return std::nullopt;
}

constexpr std::string_view kBech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::uint32_t kBech32Const = 1;
constexpr std::uint32_t kBech32mConst = 0x2bc830a3;

std::uint32_t Bech32Polymod(const std::vector<std::uint8_t>& values) {
    static constexpr std::array<std::uint32_t, 5> kGen = {
        0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    std::uint32_t chk = 1;
    for (std::uint8_t v : values) {
        std::uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (std::size_t i = 0; i < 5; ++i) {
            if (((top >> i) & 1U) != 0) {
                chk ^= kGen.at(i);
            }
        }
    }
    return chk;
}

// Regroups 5-bit values into bytes; false on non-zero padding or leftover bits (BIP 173).
bool FiveToEight(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out) {
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::uint8_t v : in) {
        acc = (acc << 5) | v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
        }
    }
    return bits < 5 && ((acc << (8 - bits)) & 0xff) == 0;
}

FieldProblem CheckSegwitAddress(std::string_view text) {
    if (text.size() > 90) {
        return Problem("reason.bad_length");
    }
    bool has_lower =
        std::any_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    bool has_upper = std::any_of(text.begin(), text.end(), IsUpper);
    if (has_lower && has_upper) {
        return Problem("reason.mixed_case");
    }
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), Lower);
    std::size_t sep = s.rfind('1');
    std::string hrp = s.substr(0, sep);
    if (hrp != "bc" && hrp != "tb" && hrp != "bcrt") {
        return Problem("reason.unknown_network");
    }
    std::vector<std::uint8_t> values;
    for (char c : hrp) {
        values.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) >> 5));
    }
    values.push_back(0);
    for (char c : hrp) {
        values.push_back(static_cast<std::uint8_t>(static_cast<unsigned char>(c) & 31));
    }
    std::vector<std::uint8_t> data;
    for (char c : s.substr(sep + 1)) {
        std::size_t v = kBech32Charset.find(c);
        if (v == std::string_view::npos) {
            return Problem("reason.bad_character");
        }
        data.push_back(static_cast<std::uint8_t>(v));
    }
    if (data.size() < 7) {
        return Problem("reason.bad_length");
    }
    values.insert(values.end(), data.begin(), data.end());
    const std::uint32_t check = Bech32Polymod(values);
    const std::uint8_t witness_version = data.front();
    if (witness_version > 16) {
        return Problem("reason.unknown_version");
    }
    // BIP 350: version 0 uses the bech32 constant, versions 1..16 the bech32m one.
    if (check != (witness_version == 0 ? kBech32Const : kBech32mConst)) {
        return Problem("reason.checksum");
    }
    std::vector<std::uint8_t> program;
    std::vector<std::uint8_t> five(data.begin() + 1, data.end() - 6);
    if (!FiveToEight(five, program) || program.size() < 2 || program.size() > 40) {
        return Problem("reason.bad_length");
    }
    if (witness_version == 0 && program.size() != 20 && program.size() != 32) {
        return Problem("reason.bad_length");
    }
    return std::nullopt;
}

// Active ISO 4217 codes commonly seen in asset-recovery requests and all the G20 ones.
constexpr auto kCurrencies = std::to_array<std::string_view>({
    "AED", "ARS", "AUD", "AZN", "BGN", "BHD", "BRL", "CAD", "CHF", "CLP", "CNY", "COP",
    "CZK", "DKK", "DZD", "EGP", "EUR", "GBP", "GEL", "HKD", "HUF", "IDR", "ILS", "INR",
    "IQD", "ISK", "JOD", "JPY", "KES", "KRW", "KWD", "KZT", "LBP", "MAD", "MXN", "MYR",
    "NGN", "NOK", "NZD", "OMR", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
    "SAR", "SEK", "SGD", "THB", "TND", "TRY", "UAH", "USD", "UZS", "VND", "XOF", "ZAR",
});

}  // namespace

FieldProblem CheckIpv4(std::string_view text) {
    std::vector<std::string_view> parts = Split(text, '.');
    if (parts.size() != 4) {
        return Problem("reason.ip_address");
    }
    for (std::string_view p : parts) {
        auto v = ParseSmall(p, 3);
        if (!v || *v > 255 || (p.size() > 1 && p[0] == '0')) {
            return Problem("reason.ip_address");
        }
    }
    return std::nullopt;
}

FieldProblem CheckIpv6(std::string_view text) {
    if (text.empty() || text.size() > 45) {
        return Problem("reason.ip_address");
    }
    std::size_t dc = text.find("::");
    if (dc != std::string_view::npos && text.find("::", dc + 1) != std::string_view::npos) {
        return Problem("reason.ip_address");
    }
    int groups = 0;
    auto count = [&](std::string_view part, bool allow_v4_tail) -> bool {
        if (part.empty()) {
            return true;
        }
        std::vector<std::string_view> pieces = Split(part, ':');
        for (std::size_t i = 0; i < pieces.size(); ++i) {
            std::string_view g = pieces[i];
            if (allow_v4_tail && i + 1 == pieces.size() && g.find('.') != std::string_view::npos) {
                if (CheckIpv4(g)) {
                    return false;
                }
                groups += 2;
                continue;
            }
            if (g.empty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), IsHex)) {
                return false;
            }
            ++groups;
        }
        return true;
    };
    if (dc == std::string_view::npos) {
        if (!count(text, true) || groups != 8) {
            return Problem("reason.ip_address");
        }
        return std::nullopt;
    }
    if (!count(text.substr(0, dc), false) || !count(text.substr(dc + 2), true) || groups > 7) {
        return Problem("reason.ip_address");
    }
    return std::nullopt;
}

FieldProblem CheckIpAddress(std::string_view text) {
    return text.find(':') != std::string_view::npos ? CheckIpv6(text) : CheckIpv4(text);
}

FieldProblem CheckIpEndpoint(std::string_view text, bool port_required) {
    std::string_view host = text;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            return Problem("reason.ip_address");
        }
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return Problem("reason.port");
            }
            port = rest.substr(1);
            if (port.empty()) {
                return Problem("reason.port");
            }
        }
        if (CheckIpv6(host)) {
            return Problem("reason.ip_address");
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        std::size_t colon = text.find(':');
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (port.empty()) {
            return Problem("reason.port");
        }
        if (CheckIpv4(host)) {
            return Problem("reason.ip_address");
        }
    } else if (CheckIpAddress(host)) {
        return Problem("reason.ip_address");
    }
    if (port.empty()) {
        return port_required ? Problem("reason.port_missing") : std::nullopt;
    }
    auto p = ParseSmall(port, 5);
    if (!p || *p < 1 || *p > 65535 || (port.size() > 1 && port[0] == '0')) {
        return Problem("reason.port");
    }
    return std::nullopt;
}

std::optional<std::int64_t> TimestampSeconds(std::string_view text) {
    if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) {
        return std::nullopt;
    }
    auto date = ParseDate(text.substr(0, 10));
    if (!date) {
        return std::nullopt;
    }
    std::string_view rest;
    auto tod = ParseTimeOfDay(text.substr(11), rest);
    if (!tod) {
        return std::nullopt;
    }
    auto zone = ParseZone(rest);
    if (!zone) {
        return std::nullopt;
    }
    return DaysFromCivil(*date) * 86400 + *tod - *zone;
}

FieldProblem CheckTimestamp(std::string_view text) {
    if (TimestampSeconds(text)) {
        return std::nullopt;
    }
    // Say "zone missing" when the rest would be a valid local date-time.
    if (text.size() >= 19 && ParseDate(text.substr(0, 10)) && text[10] == 'T') {
        std::string_view rest;
        if (ParseTimeOfDay(text.substr(11), rest) && rest.empty()) {
            return Problem("reason.zone_missing");
        }
    }
    return Problem("reason.timestamp");
}

FieldProblem CheckDate(std::string_view text) {
    return ParseDate(text) ? std::nullopt : Problem("reason.date");
}

FieldProblem CheckDomain(std::string_view text) {
    if (!text.empty() && text.back() == '.') {
        text.remove_suffix(1);  // fully qualified form
    }
    if (text.empty() || text.size() > 253) {
        return Problem("reason.domain");
    }
    std::vector<std::string_view> labels = Split(text, '.');
    if (labels.size() < 2 || !std::all_of(labels.begin(), labels.end(), ValidLabel)) {
        return Problem("reason.domain");
    }
    std::string_view tld = labels.back();
    bool punycode = tld.size() > 4 && Lower(tld[0]) == 'x' && Lower(tld[1]) == 'n' &&
                    tld[2] == '-' && tld[3] == '-';
    if (!punycode && (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), IsAlpha))) {
        return Problem("reason.domain");
    }
    return std::nullopt;
}

FieldProblem CheckEmail(std::string_view text) {
    std::size_t at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || text.size() > 254) {
        return Problem("reason.email");
    }
    std::string_view local = text.substr(0, at);
    static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~";
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return Problem("reason.email");
    }
    for (char c : local) {
        if (!IsAlpha(c) && !IsDigit(c) && c != '.' && kAtext.find(c) == std::string_view::npos) {
            return Problem("reason.email");
        }
    }
    return CheckDomain(text.substr(at + 1)) ? Problem("reason.email") : std::nullopt;
}

FieldProblem CheckPhoneE164(std::string_view text) {
    if (text.empty() || text.front() != '+') {
        return Problem("reason.phone_plus");
    }
    std::string_view digits = text.substr(1);
    if (!AllDigits(digits) || digits.size() < 8 || digits.size() > 15 || digits.front() == '0') {
        return Problem("reason.phone");
    }
    return std::nullopt;
}

FieldProblem CheckUrl(std::string_view text) {
    std::size_t scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) {
        return Problem("reason.url");
    }
    std::string scheme(text.substr(0, scheme_end));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), Lower);
    if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "ftps") {
        return Problem("reason.url_scheme");
    }
    std::string_view rest = text.substr(scheme_end + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos) {
        return Problem("reason.url");  // user-info is refused: it hides the real host
    }
    if (std::any_of(rest.begin(), rest.end(), [](char c) {
            return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
        })) {
        return Problem("reason.url");
    }
    if (!authority.empty() && authority.front() == '[') {
        return CheckIpEndpoint(authority, false) ? Problem("reason.url") : std::nullopt;
    }
    std::string_view host = authority.substr(0, authority.find(':'));
    if (host.size() < authority.size()) {
        std::string_view port = authority.substr(host.size() + 1);
        auto p = ParseSmall(port, 5);
        if (!p || *p < 1 || *p > 65535) {
            return Problem("reason.port");
        }
    }
    bool ip_like = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return IsDigit(c) || c == '.';
    });
    if (ip_like ? CheckIpv4(host).has_value() : CheckDomain(host).has_value()) {
        return Problem("reason.url_host");
    }
    return std::nullopt;
}

FieldProblem CheckIban(std::string_view text) {
    std::string iban;
    for (char c : text) {
        if (c == ' ') {
            continue;
        }
        if (!IsDigit(c) && !IsAlpha(c)) {
            return Problem("reason.bad_character");
        }
        iban.push_back(IsAlpha(c) ? static_cast<char>(c & ~0x20) : c);
    }
    if (iban.size() < 5 || !IsUpper(iban[0]) || !IsUpper(iban[1]) || !IsDigit(iban[2]) ||
        !IsDigit(iban[3])) {
        return Problem("reason.iban_format");
    }
    auto length = IbanLength(iban.substr(0, 2));
    if (!length) {
        return Problem("reason.iban_country");
    }
    if (iban.size() != *length) {
        return Problem("reason.bad_length");
    }
    return IbanMod97(iban) == 1 ? std::nullopt : Problem("reason.checksum");
}

FieldProblem CheckBitcoinAddress(std::string_view text) {
    if (text.empty()) {
        return Problem("reason.bad_length");
    }
    std::string prefix;
    for (char c : text.substr(0, 4)) {
        prefix.push_back(Lower(c));
    }
    if (prefix.starts_with("bc1") || prefix.starts_with("tb1") || prefix.starts_with("bcrt")) {
        return CheckSegwitAddress(text);
    }
    return CheckBase58Address(text);
}

FieldProblem CheckEthereumAddress(std::string_view text) {
    if (text.size() != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
        return Problem("reason.bad_length");
    }
    std::string_view hex = text.substr(2);
    return std::all_of(hex.begin(), hex.end(), IsHex) ? std::nullopt
                                                      : Problem("reason.bad_character");
}

FieldProblem CheckCountryCode(std::string_view text) {
    return text.size() == 2 && IsUpper(text[0]) && IsUpper(text[1]) ? std::nullopt
                                                                    : Problem("reason.country");
}

FieldProblem CheckCurrency(std::string_view text) {
    return std::find(kCurrencies.begin(), kCurrencies.end(), text) != kCurrencies.end()
               ? std::nullopt
               : Problem("reason.currency");
}

FieldProblem CheckAmount(std::string_view text) {
    std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view frac =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (!AllDigits(whole) || whole.size() > 15 ||
        (dot != std::string_view::npos && (!AllDigits(frac) || frac.size() > 4))) {
        return Problem("reason.amount");
    }
    bool nonzero =
        std::any_of(text.begin(), text.end(), [](char c) { return c >= '1' && c <= '9'; });
    return nonzero ? std::nullopt : Problem("reason.amount");
}

namespace {

// Space separators (Zs) and the line and paragraph separators: text that holds only these and
// the invisible characters below shows nothing.
bool IsSpaceCodePoint(char32_t c) {
    return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

// Format characters and fillers that render as nothing (or as blank) on their own.
bool IsInvisibleCodePoint(char32_t c) {
    return c == 0xAD || c == 0x34F || c == 0x61C || c == 0x115F || c == 0x1160 || c == 0x17B4 ||
           c == 0x17B5 || c == 0x180E || (c >= 0x200B && c <= 0x200F) ||
           (c >= 0x2060 && c <= 0x2064) || c == 0x3164 || c == 0xFEFF || c == 0xFFA0 ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0000 && c <= 0xE007F);
}

bool IsBidiControl(char32_t c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

FieldProblem CheckPlainText(std::string_view text, bool multiline) {
    bool visible = false;
    bool any = false;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = Utf8SequenceLength(text, pos);
        if (len == 0) {
            return Problem("reason.bad_character");
        }
        const char32_t c = DecodeUtf8(text, pos, len);
        pos += len;
        const bool allowed_space =
            c == U' ' || (multiline && (c == U'\t' || c == U'\n' || c == U'\r'));
        if ((c < 0x20 && !allowed_space) || (c >= 0x7F && c <= 0x9F)) {
            return Problem("reason.control_character");
        }
        if (IsBidiControl(c)) {
            return Problem("reason.bidi_control");
        }
        if (!IsSpaceCodePoint(c)) {
            any = true;
            visible = visible || !IsInvisibleCodePoint(c);
        }
    }
    if (!any) {
        return Problem("reason.empty");
    }
    return visible ? std::nullopt : Problem("reason.invisible_only");
}

}  // namespace concord::legal
