#include "concord/core/canonical_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

// The only translation unit that instantiates Boost.JSON's SAX parser (see basic_parser.hpp).
#include <boost/json/basic_parser_impl.hpp>

#include "concord/core/utf8.hpp"

namespace concord::json {
namespace {

namespace bj = boost::json;

// ---------------------------------------------------------------------------------------------
// UTF-16 sort keys and string escaping
// ---------------------------------------------------------------------------------------------

/// RFC 8785 §3.2.3 member order: `a` before `b` when their UTF-16 code units compare less.
/// Both are well-formed UTF-8, whose byte order is code point order; UTF-16 order differs only
/// between U+E000..U+FFFF (lead byte EE or EF) and supplementary characters (lead byte F0..F4,
/// encoded as surrogates D800..DFFF, which sort first). Prefixes being equal, the first differing
/// bytes are at the same position of a code point, so that pair decides. No allocation.
bool Utf16Less(std::string_view a, std::string_view b) {
    const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    if (ib == b.end()) {
        return false;  // b is a prefix of a, or equal
    }
    if (ia == a.end()) {
        return true;  // a is a proper prefix of b
    }
    const auto x = static_cast<unsigned char>(*ia);
    const auto y = static_cast<unsigned char>(*ib);
    const auto high_bmp = [](unsigned char c) { return c == 0xEE || c == 0xEF; };
    const auto supplementary = [](unsigned char c) { return c >= 0xF0; };
    if (high_bmp(x) && supplementary(y)) {
        return false;
    }
    if (supplementary(x) && high_bmp(y)) {
        return true;
    }
    return x < y;
}

/// Appends `value` (well-formed UTF-8) as a JSON string literal escaped per RFC 8785 §3.2.2.2.
void AppendQuoted(std::string& out, std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;  // start of the pending run of bytes copied as they are
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto b = static_cast<unsigned char>(value[i]);
        if (b >= 0x20 && b != '"' && b != '\\') {
            continue;
        }
        out.append(value, run, i - run);
        run = i + 1;
        switch (b) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out.push_back(kHex[b >> 4]);
                out.push_back(kHex[b & 0x0F]);
                break;
        }
    }
    out.append(value, run, value.size() - run);
    out.push_back('"');
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

bool IsNumberChar(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/// True if the JSON number `text` (which from_chars reported out of range) is at least 1 in
/// magnitude, i.e. overflowed rather than underflowed. JSON numbers are -?int(.frac)?(e[+-]?exp)?.
bool MagnitudeAtLeastOne(std::string_view text) {
    const std::size_t pos = text.starts_with('-') ? 1 : 0;
    const std::size_t mantissa_end = std::min(text.find_first_of("eE", pos), text.size());
    std::int64_t exponent = 0;
    if (mantissa_end < text.size()) {
        std::size_t exp_pos = mantissa_end + 1;
        const bool negative = exp_pos < text.size() && text[exp_pos] == '-';
        if (exp_pos < text.size() && (text[exp_pos] == '-' || text[exp_pos] == '+')) {
            ++exp_pos;
        }
        // Boost refuses exponents beyond INT_MAX, so this fits; saturate anyway.
        std::int64_t magnitude = 0;
        for (std::size_t i = exp_pos; i < text.size(); ++i) {
            magnitude = std::min<std::int64_t>(magnitude * 10 + (text[i] - '0'), 1LL << 40);
        }
        exponent = negative ? -magnitude : magnitude;
    }
    // Decimal exponent of the first non-zero digit of the mantissa.
    const std::string_view mantissa = text.substr(pos, mantissa_end - pos);
    const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t first = mantissa.find_first_of("123456789");
    if (first == std::string_view::npos) {
        return false;
    }
    const std::int64_t lead =
        first < point ? static_cast<std::int64_t>(point - first) - 1
                      : static_cast<std::int64_t>(point) - static_cast<std::int64_t>(first);
    return lead + exponent >= 0;
}

/// The double nearest to the JSON number `text`, or nullopt when its magnitude exceeds the
/// largest double. Values below the smallest subnormal become a signed zero, as in ECMAScript.
std::optional<double> ParseNumber(std::string_view text) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
        // from_chars leaves `value` alone on both overflow and underflow.
        if (MagnitudeAtLeastOne(text)) {
            return std::nullopt;
        }
        return text.starts_with('-') ? -0.0 : 0.0;
    }
    if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

// ---------------------------------------------------------------------------------------------
// Document tree
// ---------------------------------------------------------------------------------------------

struct Member;

/// A parsed value. Scalars already hold their canonical text.
struct Node {
    enum class Kind : std::uint8_t { kScalar, kArray, kObject };
    Kind kind{Kind::kScalar};
    std::string text;
    std::vector<Node> elements;
    std::vector<Member> members;
};

struct Member {
    std::string name;
    Node value;
};

void Serialize(const Node& node, std::string& out) {
    switch (node.kind) {
        case Node::Kind::kScalar:
            out += node.text;
            return;
        case Node::Kind::kArray:
            out.push_back('[');
            for (std::size_t i = 0; i < node.elements.size(); ++i) {
                if (i != 0) {
                    out.push_back(',');
                }
                Serialize(node.elements[i], out);
            }
            out.push_back(']');
            return;
        case Node::Kind::kObject:
            out.push_back('{');
            for (std::size_t i = 0; i < node.members.size(); ++i) {
                if (i != 0) {
                    out.push_back(',');
                }
                AppendQuoted(out, node.members[i].name);
                out.push_back(':');
                Serialize(node.members[i].value, out);
            }
            out.push_back('}');
            return;
    }
}

// ---------------------------------------------------------------------------------------------
// SAX handler
// ---------------------------------------------------------------------------------------------

/// Receives Boost.JSON parse events and builds the Node tree. A refusal that Boost cannot see
/// (duplicate name, number out of range) is recorded in `refusal` and stops the parser.
class TreeBuilder {
public:
    // The names below are fixed by Boost.JSON's handler concept.
    // NOLINTBEGIN(readability-identifier-naming)
    static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
    static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

    std::optional<JsonErrorKind> refusal;
    Node root;

    bool on_document_begin(bj::error_code& /*ec*/) { return true; }
    bool on_document_end(bj::error_code& /*ec*/) { return true; }

    bool on_array_begin(bj::error_code& /*ec*/) {
        frames_.emplace_back();
        frames_.back().node.kind = Node::Kind::kArray;
        return true;
    }
    bool on_array_end(std::size_t /*n*/, bj::error_code& /*ec*/) { return CloseContainer(); }

    bool on_object_begin(bj::error_code& /*ec*/) {
        frames_.emplace_back();
        frames_.back().node.kind = Node::Kind::kObject;
        return true;
    }
    bool on_object_end(std::size_t /*n*/, bj::error_code& /*ec*/) {
        auto& members = frames_.back().node.members;
        // Names are unique, so the order is total and stability does not matter.
        std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
            return Utf16Less(a.name, b.name);
        });
        return CloseContainer();
    }

    bool on_string_part(bj::string_view s, std::size_t /*n*/, bj::error_code& /*ec*/) {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_string(bj::string_view s, std::size_t /*n*/, bj::error_code& /*ec*/) {
        buffer_.append(s.data(), s.size());
        Node node;
        AppendQuoted(node.text, buffer_);
        buffer_.clear();
        return AddValue(std::move(node));
    }

    bool on_key_part(bj::string_view s, std::size_t /*n*/, bj::error_code& /*ec*/) {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_key(bj::string_view s, std::size_t /*n*/, bj::error_code& ec) {
        buffer_.append(s.data(), s.size());
        Frame& frame = frames_.back();
        if (IsDuplicate(frame, buffer_)) {
            return Refuse(JsonErrorKind::kDuplicateKey, ec);
        }
        frame.key = std::move(buffer_);
        buffer_.clear();
        return true;
    }

    bool on_number_part(bj::string_view s, bj::error_code& /*ec*/) {
        buffer_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t /*i*/, bj::string_view s, bj::error_code& ec) {
        return OnNumber(s, ec);
    }
    bool on_uint64(std::uint64_t /*u*/, bj::string_view s, bj::error_code& ec) {
        return OnNumber(s, ec);
    }
    bool on_double(double /*d*/, bj::string_view s, bj::error_code& ec) { return OnNumber(s, ec); }

    bool on_bool(bool b, bj::error_code& /*ec*/) {
        Node node;
        node.text = b ? "true" : "false";
        return AddValue(std::move(node));
    }
    bool on_null(bj::error_code& /*ec*/) {
        Node node;
        node.text = "null";
        return AddValue(std::move(node));
    }

    // Comments are disabled in the parse options; these are never called.
    bool on_comment_part(bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    bool on_comment(bj::string_view /*s*/, bj::error_code& /*ec*/) { return true; }
    // NOLINTEND(readability-identifier-naming)

private:
    struct Frame {
        Node node;
        std::unordered_set<std::string> names;  // used once the object is large
        std::string key;
    };

    // Objects this small are checked for a repeated name by a scan of their members; larger ones
    // through a hash set, filled when the object reaches this size.
    static constexpr std::size_t kLinearScanMembers = 16;

    static bool IsDuplicate(Frame& frame, const std::string& name) {
        const std::vector<Member>& members = frame.node.members;
        if (members.size() < kLinearScanMembers) {
            return std::any_of(members.begin(), members.end(), [&](const Member& m) {
                return m.name == name;
            });
        }
        if (frame.names.empty()) {
            for (const Member& m : members) {
                frame.names.insert(m.name);
            }
        }
        return !frame.names.insert(name).second;
    }

    bool Refuse(JsonErrorKind kind, bj::error_code& ec) {
        refusal = kind;
        ec = bj::error::exception;  // any failure; `refusal` says which
        return false;
    }

    bool OnNumber(bj::string_view s, bj::error_code& ec) {
        // Boost's own conversion (the first parameter) is not always correctly rounded; the raw
        // text is exact.
        buffer_.append(s.data(), s.size());
        const std::optional<double> value = ParseNumber(buffer_);
        buffer_.clear();
        if (!value) {
            return Refuse(JsonErrorKind::kNumberOutOfRange, ec);
        }
        Node node;
        node.text = FormatNumber(*value);
        return AddValue(std::move(node));
    }

    bool CloseContainer() {
        Node node = std::move(frames_.back().node);
        frames_.pop_back();
        return AddValue(std::move(node));
    }

    bool AddValue(Node node) {
        if (frames_.empty()) {
            root = std::move(node);
            return true;
        }
        Node& parent = frames_.back().node;
        if (parent.kind == Node::Kind::kArray) {
            parent.elements.push_back(std::move(node));
        } else {
            std::string name = std::move(frames_.back().key);
            parent.members.push_back(Member{std::move(name), std::move(node)});
        }
        return true;
    }

    std::vector<Frame> frames_;
    std::string buffer_;  // the string, key or number being assembled from parts
};

// ---------------------------------------------------------------------------------------------
// Error classification
// ---------------------------------------------------------------------------------------------

bool IsHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// The code unit of a `\uXXXX` escape starting at `pos`, if there is one and its backslash is
/// not itself escaped.
std::optional<unsigned> EscapeAt(std::string_view text, std::size_t pos) {
    if (pos + 6 > text.size() || text[pos] != '\\' || text[pos + 1] != 'u') {
        return std::nullopt;
    }
    std::size_t backslashes = 0;
    while (backslashes < pos && text[pos - backslashes - 1] == '\\') {
        ++backslashes;
    }
    if (backslashes % 2 != 0) {
        return std::nullopt;
    }
    unsigned unit = 0;
    for (std::size_t i = pos + 2; i < pos + 6; ++i) {
        if (!IsHex(text[i])) {
            return std::nullopt;
        }
        const char c = text[i];
        const unsigned digit = c <= '9' ? static_cast<unsigned>(c - '0')
                                        : static_cast<unsigned>((c | 0x20) - 'a' + 10);
        unit = unit * 16 + digit;
    }
    return unit;
}

bool IsHigh(std::optional<unsigned> u) {
    return u && *u >= 0xD800 && *u <= 0xDBFF;
}
bool IsLow(std::optional<unsigned> u) {
    return u && *u >= 0xDC00 && *u <= 0xDFFF;
}

/// Boost reports an unpaired surrogate escape as one of several codes (syntax,
/// expected_hex_digit, illegal_*_surrogate), at a position up to 12 bytes past the escape,
/// depending on which of its code paths ran. Every byte before `error_pos` was accepted, so a
/// backslash there is inside a string; look back for an escape that lacks its partner.
std::optional<std::size_t> LoneSurrogateBefore(std::string_view text, std::size_t error_pos) {
    const std::size_t first = error_pos > 13 ? error_pos - 13 : 0;
    for (std::size_t s = first; s < error_pos; ++s) {
        const auto unit = EscapeAt(text, s);
        // A high surrogate followed by a malformed `\u` escape is a syntax error instead.
        const bool next_is_escape = s + 8 <= text.size() && text.compare(s + 6, 2, "\\u") == 0;
        const auto next = EscapeAt(text, s + 6);
        if (IsHigh(unit) && !IsLow(next) && (next.has_value() || !next_is_escape)) {
            return s;
        }
        if (IsLow(unit) && (s < 6 || !IsHigh(EscapeAt(text, s - 6)))) {
            return s;
        }
    }
    return std::nullopt;
}

/// Offset of the opening quote of the string whose closing quote is at `close`.
std::size_t OpeningQuote(std::string_view text, std::size_t close) {
    std::size_t pos = close;
    while (pos > 0) {
        --pos;
        if (text[pos] != '"') {
            continue;
        }
        std::size_t backslashes = 0;
        while (backslashes < pos && text[pos - backslashes - 1] == '\\') {
            ++backslashes;
        }
        if (backslashes % 2 == 0) {
            return pos;
        }
    }
    return 0;
}

JsonError MakeJsonError(JsonErrorKind kind, std::size_t offset, std::string_view detail) {
    std::string message(JsonErrorKindName(kind));
    message += " at byte ";
    message += std::to_string(offset);
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    return JsonError{kind, offset, std::move(message)};
}

}  // namespace

std::string_view JsonErrorKindName(JsonErrorKind kind) {
    switch (kind) {
        case JsonErrorKind::kSyntax:
            return "syntax";
        case JsonErrorKind::kInvalidUtf8:
            return "invalid_utf8";
        case JsonErrorKind::kLoneSurrogate:
            return "lone_surrogate";
        case JsonErrorKind::kDuplicateKey:
            return "duplicate_key";
        case JsonErrorKind::kNumberOutOfRange:
            return "number_out_of_range";
        case JsonErrorKind::kTooDeep:
            return "too_deep";
        case JsonErrorKind::kTrailingData:
            return "trailing_data";
    }
    return "unknown";
}

tl::expected<std::string, JsonError> Canonicalize(std::string_view json_text) {
    bj::parse_options options;
    options.max_depth = kMaxNestingDepth;
    options.allow_comments = false;
    options.allow_trailing_commas = false;
    options.allow_invalid_utf8 = false;

    bj::basic_parser<TreeBuilder> parser(options);
    bj::error_code ec;
    const std::size_t consumed = parser.write_some(false, json_text.data(), json_text.size(), ec);

    // Our own strict UTF-8 check backs up Boost's: the whole text must be UTF-8 (RFC 8259 §8.1),
    // and an ill-formed sequence is reported where it starts.
    const std::optional<std::size_t> bad_utf8 = FirstInvalidUtf8(json_text);
    const auto utf8_error_before = [&](std::size_t limit) {
        return bad_utf8.has_value() && *bad_utf8 <= limit;
    };
    const auto invalid_utf8 = [&] {
        return tl::unexpected(
            MakeJsonError(JsonErrorKind::kInvalidUtf8, *bad_utf8, "ill-formed UTF-8")
        );
    };

    if (ec) {
        const std::size_t pos = consumed;
        TreeBuilder& builder = parser.handler();
        if (builder.refusal == JsonErrorKind::kDuplicateKey) {
            // Boost stops just past the closing quote of the repeated name.
            const std::size_t close = pos > 0 && json_text[pos - 1] == '"' ? pos - 1 : pos;
            const std::size_t start = OpeningQuote(json_text, close);
            if (utf8_error_before(start)) {
                return invalid_utf8();
            }
            return tl::unexpected(
                MakeJsonError(JsonErrorKind::kDuplicateKey, start, "member name repeated")
            );
        }
        if (builder.refusal == JsonErrorKind::kNumberOutOfRange ||
            ec == bj::error::exponent_overflow) {
            std::size_t start = std::min(pos, json_text.size());
            while (start > 0 && IsNumberChar(json_text[start - 1])) {
                --start;
            }
            if (utf8_error_before(start)) {
                return invalid_utf8();
            }
            return tl::unexpected(MakeJsonError(
                JsonErrorKind::kNumberOutOfRange, start, "not a finite IEEE 754 double"
            ));
        }
        if (ec == bj::error::too_deep) {
            return tl::unexpected(MakeJsonError(
                JsonErrorKind::kTooDeep,
                pos,
                "more than " + std::to_string(kMaxNestingDepth) + " nested arrays/objects"
            ));
        }
        const std::optional<std::size_t> lone = LoneSurrogateBefore(json_text, pos);
        if (utf8_error_before(pos) && (!lone || *bad_utf8 < *lone)) {
            return invalid_utf8();
        }
        if (lone) {
            return tl::unexpected(MakeJsonError(
                JsonErrorKind::kLoneSurrogate, *lone, "\\u escape of an unpaired surrogate"
            ));
        }
        return tl::unexpected(MakeJsonError(JsonErrorKind::kSyntax, pos, ec.message()));
    }
    if (utf8_error_before(consumed)) {
        return invalid_utf8();
    }
    if (consumed != json_text.size()) {
        return tl::unexpected(
            MakeJsonError(JsonErrorKind::kTrailingData, consumed, "data after the JSON value")
        );
    }
    if (bad_utf8) {
        return invalid_utf8();  // only if Boost's UTF-8 check were laxer than ours
    }
    std::string out;
    out.reserve(json_text.size());
    Serialize(parser.handler().root, out);
    return out;
}

Result<std::string> CanonicalizeOrError(std::string_view json_text) {
    auto canonical = Canonicalize(json_text);
    if (!canonical) {
        return MakeError(ErrorCode::kInvalidArgument, std::move(canonical.error().message));
    }
    return std::move(*canonical);
}

std::string FormatNumber(double value) {
    // ECMAScript 2024 §6.1.6.1.20 Number::toString(x) with radix 10.
    if (value == 0 || !std::isfinite(value)) {
        return "0";  // +0 and -0; non-finite values violate the precondition
    }
    std::string out;
    if (value < 0) {
        out.push_back('-');
        value = -value;
    }
    // Shortest round-trip digits: "d[.ddd]e±XX".
    char buffer[32];
    const auto result =
        std::to_chars(std::begin(buffer), std::end(buffer), value, std::chars_format::scientific);
    const std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer));
    const std::size_t e_pos = sci.find('e');
    std::string digits;  // s, without trailing zeros (to_chars never emits them)
    for (char c : sci.substr(0, e_pos)) {
        if (c != '.') {
            digits.push_back(c);
        }
    }
    int exponent = 0;
    const std::string_view exp_text = sci.substr(e_pos + 1);
    const char* exp_begin = exp_text.data() + (exp_text.starts_with('+') ? 1 : 0);
    std::from_chars(exp_begin, exp_text.data() + exp_text.size(), exponent);

    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // x = s × 10^(n−k)
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<std::size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<std::size_t>(n));
        out.push_back('.');
        out.append(digits, static_cast<std::size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out.append(digits, 1);
        }
        out.push_back('e');
        out.push_back(n - 1 < 0 ? '-' : '+');
        out += std::to_string(n - 1 < 0 ? 1 - n : n - 1);
    }
    return out;
}

}  // namespace concord::json
