#include "concord/core/canonical_json.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "concord/core/bytes.hpp"

namespace concord::json {
namespace {

using namespace std::string_literals;

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

std::filesystem::path VectorDir() {
    return std::filesystem::path(CONCORD_SOURCE_DIR) / "tests/vectors/jcs/cyberphone/testdata";
}

/// Canonicalizes `text`, which must be accepted.
std::string Canon(std::string_view text) {
    auto result = Canonicalize(text);
    EXPECT_TRUE(result.has_value()) << "refused: " << (result ? "" : result.error().message);
    return result.value_or("<refused>");
}

struct Refusal {
    JsonErrorKind kind;
    std::size_t offset;
};

std::ostream& operator<<(std::ostream& os, const Refusal& r) {
    return os << JsonErrorKindName(r.kind) << "@" << r.offset;
}

bool operator==(const Refusal& a, const Refusal& b) {
    return a.kind == b.kind && a.offset == b.offset;
}

/// The refusal of `text`, which must be refused.
Refusal Refuse(std::string_view text) {
    auto result = Canonicalize(text);
    EXPECT_FALSE(result.has_value()) << "accepted: " << result.value_or("");
    if (result.has_value()) {
        return {JsonErrorKind::kSyntax, std::numeric_limits<std::size_t>::max()};
    }
    return {result.error().kind, result.error().offset};
}

// ---------------------------------------------------------------------------------------------
// Published vectors
// ---------------------------------------------------------------------------------------------

TEST(CanonicalJson, MatchesCyberphoneVectors) {
    const auto dir = VectorDir();
    ASSERT_TRUE(std::filesystem::is_directory(dir / "input")) << dir;
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "input")) {
        const auto name = entry.path().filename();
        SCOPED_TRACE(name.string());
        const std::string input = ReadFile(entry.path());
        const std::string expected = ReadFile(dir / "output" / name);
        ASSERT_FALSE(expected.empty());
        auto canonical = Canonicalize(input);
        ASSERT_TRUE(canonical.has_value()) << canonical.error().message;
        EXPECT_EQ(*canonical, expected);
        EXPECT_EQ(Canon(*canonical), *canonical);
        ++checked;
    }
    EXPECT_GE(checked, 6);
}

TEST(CanonicalJson, CyberphoneHexOutputsAgreeWithJsonOutputs) {
    const auto dir = VectorDir();
    int checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "outhex")) {
        std::string hex;
        for (char c : ReadFile(entry.path())) {
            if (c != ' ' && c != '\n' && c != '\r') {
                hex.push_back(c);
            }
        }
        auto bytes = HexDecode(hex);
        ASSERT_TRUE(bytes.has_value()) << entry.path();
        auto name = entry.path().filename().replace_extension(".json");
        EXPECT_EQ(ToString(*bytes), ReadFile(dir / "output" / name)) << name;
        ++checked;
    }
    EXPECT_GE(checked, 6);
}

// ---------------------------------------------------------------------------------------------
// Structure, ordering, strings
// ---------------------------------------------------------------------------------------------

TEST(CanonicalJson, RemovesInsignificantWhitespace) {
    EXPECT_EQ(Canon(" \t\r\n[ 1 , { \"a\" : [ ] } , null ]\n "), R"([1,{"a":[]},null])");
}

TEST(CanonicalJson, AcceptsScalarsAtTopLevel) {
    EXPECT_EQ(Canon("true"), "true");
    EXPECT_EQ(Canon("false"), "false");
    EXPECT_EQ(Canon("null"), "null");
    EXPECT_EQ(Canon(" 12.50 "), "12.5");
    EXPECT_EQ(Canon("\"x\""), "\"x\"");
    EXPECT_EQ(Canon("{}"), "{}");
    EXPECT_EQ(Canon("[]"), "[]");
}

TEST(CanonicalJson, KeepsArrayOrder) {
    EXPECT_EQ(Canon(R"([3, 1, "b", "a", {"z": 1, "y": 2}])"), R"([3,1,"b","a",{"y":2,"z":1}])");
}

TEST(CanonicalJson, SortsNamesByCodeUnitsNotLengthOrLocale) {
    EXPECT_EQ(
        Canon(R"({"b":1,"aa":2,"a":3,"B":4,"":5,"a\u0000":6})"),
        R"({"":5,"B":4,"a":3,"a\u0000":6,"aa":2,"b":1})"
    );
}

TEST(CanonicalJson, SortsSupplementaryCharactersBySurrogatesNotUtf8Bytes) {
    // U+E000 is EE 80 80 in UTF-8 and E000 in UTF-16; U+1F600 is F0 9F 98 80 in UTF-8 and
    // D83D DE00 in UTF-16. UTF-8 byte order puts U+E000 first; RFC 8785 (UTF-16) puts U+1F600
    // first. Likewise U+FFFF (FFFF) sorts after U+10000 (D800 DC00).
    const std::string e000 = "\xEE\x80\x80";
    const std::string smiley = "\xF0\x9F\x98\x80";
    const std::string ffff = "\xEF\xBF\xBF";
    const std::string u10000 = "\xF0\x90\x80\x80";
    EXPECT_EQ(
        Canon("{\"" + e000 + "\":1,\"" + smiley + "\":2}"),
        "{\"" + smiley + "\":2,\"" + e000 + "\":1}"
    );
    EXPECT_EQ(
        Canon(R"({"\uffff":1,"\ud800\udc00":2,"\ud7ff":3})"),
        "{\"\xED\x9F\xBF\":3,\"" + u10000 + "\":2,\"" + ffff + "\":1}"
    );
}

TEST(CanonicalJson, SortsNestedObjectsIndependently) {
    EXPECT_EQ(
        Canon(R"({"b":{"d":1,"c":2},"a":[{"f":1,"e":2}]})"),
        R"({"a":[{"e":2,"f":1}],"b":{"c":2,"d":1}})"
    );
}

TEST(CanonicalJson, EscapesOnlyWhatRfc8785Requires) {
    EXPECT_EQ(Canon(R"("\"\\\/\b\f\n\r\t")"), R"("\"\\/\b\f\n\r\t")");
    EXPECT_EQ(Canon(R"("\u0000\u0001\u001f\u000B\u001A")"), R"("\u0000\u0001\u001f\u000b\u001a")");
    // DEL, U+2028, U+2029 and non-ASCII are written raw.
    EXPECT_EQ(Canon(R"("\u007f\u2028\u2029\u00e9")"), "\"\x7F\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\"");
    EXPECT_EQ(Canon("\"\x7F\xE2\x80\xA8\""), "\"\x7F\xE2\x80\xA8\"");
    // A surrogate pair becomes the UTF-8 of its code point.
    EXPECT_EQ(Canon(R"("\uD83D\uDE00")"), "\"\xF0\x9F\x98\x80\"");
    // An escaped backslash followed by "uD800" is not a surrogate escape.
    EXPECT_EQ(Canon(R"("\\uD800")"), R"("\\uD800")");
    // U+FFFD itself is an ordinary character.
    EXPECT_EQ(Canon(R"("\uFFFD")"), "\"\xEF\xBF\xBD\"");
    // No Unicode normalisation.
    EXPECT_EQ(Canon(R"("A\u030a")"), "\"A\xCC\x8A\"");
}

TEST(CanonicalJson, EscapesNamesLikeStrings) {
    EXPECT_EQ(Canon(R"({"\u0001\n":1,"\/":2})"), R"({"\u0001\n":1,"/":2})");
}

TEST(CanonicalJson, WritesNumbersAsEcmaScriptDoes) {
    EXPECT_EQ(
        Canon("[9007199254740993, -0, -0.0, 0e10, 1E+2, 1e-400, -1e-400, 10.0, 1e21, 1e20]"),
        "[9007199254740992,0,0,0,100,0,0,10,1e+21,100000000000000000000]"
    );
    EXPECT_EQ(
        Canon("[1.7976931348623157e308, 5e-324, 2.4703282292062328e-324]"),
        "[1.7976931348623157e+308,5e-324,5e-324]"
    );
    const std::string long_integer = "1" + std::string(300, '0');
    EXPECT_EQ(Canon(long_integer), "1e+300");
    const std::string long_fraction = "0." + std::string(300, '0') + "5";
    EXPECT_EQ(Canon(long_fraction), "5e-301");
}

TEST(CanonicalJson, IsIdempotent) {
    const std::vector<std::string> inputs = {
        R"({"z":[1,2,{"y":"\u0001","x":1e30}],"a":-0.000001,"\ud83d\ude00":"\u2028"})",
        R"([[[[]]],{},"",0.1,-1e-7,123456789012345678901234567890])",
        "\"\\u00e9\xC3\xA9\"",
        "  {\"b\" : true , \"a\" : null}  ",
    };
    for (const auto& input : inputs) {
        const std::string once = Canon(input);
        EXPECT_EQ(Canon(once), once) << input;
    }
}

TEST(CanonicalJson, CanonicalizeOrErrorMapsRefusalToInvalidArgument) {
    auto ok = CanonicalizeOrError(R"({"b":1,"a":2})");
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, R"({"a":2,"b":1})");

    auto bad = CanonicalizeOrError(R"({"a":1,"a":2})");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message.find("duplicate_key at byte 7"), std::string::npos)
        << bad.error().message;
}

TEST(CanonicalJson, ErrorKindNamesAreStable) {
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kSyntax), "syntax");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kInvalidUtf8), "invalid_utf8");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kLoneSurrogate), "lone_surrogate");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kDuplicateKey), "duplicate_key");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kNumberOutOfRange), "number_out_of_range");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kTooDeep), "too_deep");
    EXPECT_EQ(JsonErrorKindName(JsonErrorKind::kTrailingData), "trailing_data");
}

TEST(CanonicalJson, ErrorMessageNamesKindAndOffset) {
    auto result = Canonicalize("[1,]");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message.rfind("syntax at byte 3", 0), 0U) << result.error().message;
}

// ---------------------------------------------------------------------------------------------
// Refusals and their offsets
// ---------------------------------------------------------------------------------------------

constexpr auto kSyntax = JsonErrorKind::kSyntax;
constexpr auto kInvalidUtf8 = JsonErrorKind::kInvalidUtf8;
constexpr auto kLoneSurrogate = JsonErrorKind::kLoneSurrogate;
constexpr auto kDuplicateKey = JsonErrorKind::kDuplicateKey;
constexpr auto kNumberOutOfRange = JsonErrorKind::kNumberOutOfRange;
constexpr auto kTooDeep = JsonErrorKind::kTooDeep;
constexpr auto kTrailingData = JsonErrorKind::kTrailingData;

TEST(CanonicalJson, RefusesSyntaxErrorsAtTheirOffset) {
    EXPECT_EQ(Refuse(""), (Refusal{kSyntax, 0}));
    EXPECT_EQ(Refuse("   "), (Refusal{kSyntax, 3}));
    EXPECT_EQ(Refuse("[1,2"), (Refusal{kSyntax, 4}));
    EXPECT_EQ(Refuse("[1,]"), (Refusal{kSyntax, 3}));  // no trailing commas
    EXPECT_EQ(Refuse(R"({"a":1,})"), (Refusal{kSyntax, 7}));
    EXPECT_EQ(Refuse("[1 2]"), (Refusal{kSyntax, 3}));
    EXPECT_EQ(Refuse("{'a':1}"), (Refusal{kSyntax, 1}));
    EXPECT_EQ(Refuse("// c\n1"), (Refusal{kSyntax, 0}));  // no comments
    EXPECT_EQ(Refuse("[1/*c*/]"), (Refusal{kSyntax, 2}));
    EXPECT_EQ(Refuse("NaN"), (Refusal{kSyntax, 0}));
    EXPECT_EQ(Refuse("[Infinity]"), (Refusal{kSyntax, 1}));
    EXPECT_EQ(Refuse("[+1]"), (Refusal{kSyntax, 1}));
    EXPECT_EQ(Refuse("[.5]"), (Refusal{kSyntax, 1}));
    EXPECT_EQ(Refuse("[1.]"), (Refusal{kSyntax, 3}));
    EXPECT_EQ(Refuse("\"a\x01\""), (Refusal{kSyntax, 2}));    // raw control character
    EXPECT_EQ(Refuse(R"("\x41")"), (Refusal{kSyntax, 2}));    // unknown escape
    EXPECT_EQ(Refuse(R"("\u12G4")"), (Refusal{kSyntax, 5}));  // bad hex digit
    EXPECT_EQ(Refuse(R"("\uD800\uDC0")"), (Refusal{kSyntax, 12}));
    EXPECT_EQ(Refuse(R"("\uD800\uDCG0")"), (Refusal{kSyntax, 11}));
    EXPECT_EQ(Refuse(R"("\uD800\uDC00" padding padding")"), (Refusal{kTrailingData, 15}));
    EXPECT_EQ(Refuse("\"abc"), (Refusal{kSyntax, 4}));
    EXPECT_EQ(Refuse("\xEF\xBB\xBF{}"), (Refusal{kSyntax, 0}));  // byte order mark
    EXPECT_EQ(Refuse("tru"), (Refusal{kSyntax, 3}));
}

TEST(CanonicalJson, RefusesLeadingZeros) {
    EXPECT_EQ(Refuse("[01]").kind, kSyntax);
}

TEST(CanonicalJson, RefusesInvalidUtf8AtTheStartOfTheBadSequence) {
    EXPECT_EQ(Refuse("\"ab\xFF\""), (Refusal{kInvalidUtf8, 3}));
    EXPECT_EQ(Refuse("[\"\xC3\x28\"]"), (Refusal{kInvalidUtf8, 2}));        // bad continuation
    EXPECT_EQ(Refuse("\"\xC0\xAF\""), (Refusal{kInvalidUtf8, 1}));          // overlong
    EXPECT_EQ(Refuse("\"\xE0\x80\xAF\""), (Refusal{kInvalidUtf8, 1}));      // overlong
    EXPECT_EQ(Refuse("\"\xED\xA0\x80\""), (Refusal{kInvalidUtf8, 1}));      // encoded surrogate
    EXPECT_EQ(Refuse("\"\xF4\x90\x80\x80\""), (Refusal{kInvalidUtf8, 1}));  // above U+10FFFF
    EXPECT_EQ(Refuse("\"\xF5\x80\x80\x80\""), (Refusal{kInvalidUtf8, 1}));
    EXPECT_EQ(Refuse("\"x\xE2\x82"), (Refusal{kInvalidUtf8, 2}));    // truncated at end
    EXPECT_EQ(Refuse("\"x\xE2\x82\""), (Refusal{kInvalidUtf8, 2}));  // truncated
    EXPECT_EQ(Refuse("{\"\x80\":1}"), (Refusal{kInvalidUtf8, 2}));   // in a name
    EXPECT_EQ(Refuse("[1,\xFF]"), (Refusal{kInvalidUtf8, 3}));       // outside strings
    const std::string long_prefix = "\"" + std::string(100, 'a');
    EXPECT_EQ(Refuse(long_prefix + "\xC3\xC3\""), (Refusal{kInvalidUtf8, 101}));
    // A syntax error before the bad byte wins.
    EXPECT_EQ(Refuse("[1 x\xFF]"), (Refusal{kSyntax, 3}));
    // When the unexpected byte is itself ill-formed UTF-8, the more specific kind is reported.
    EXPECT_EQ(Refuse("[1 \xFF]"), (Refusal{kInvalidUtf8, 3}));
}

TEST(CanonicalJson, RefusesLoneSurrogateEscapesInsteadOfReplacingThem) {
    EXPECT_EQ(Refuse(R"("\uD800")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uDC00")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\udbff")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\udfff")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("ab\uD800x")"), (Refusal{kLoneSurrogate, 3}));
    EXPECT_EQ(Refuse(R"("ab\uD800\n")"), (Refusal{kLoneSurrogate, 3}));
    EXPECT_EQ(Refuse(R"("\uD800\u0041")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uD800\uD800")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uDC00\uD800")"), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"(["x","\uDFFF"])"), (Refusal{kLoneSurrogate, 6}));
    EXPECT_EQ(Refuse(R"({"\uD800":1})"), (Refusal{kLoneSurrogate, 2}));
    EXPECT_EQ(Refuse(R"("\uD83D\uDE00\uDE00")"), (Refusal{kLoneSurrogate, 13}));
    EXPECT_EQ(Refuse(R"("\\\uD800")"), (Refusal{kLoneSurrogate, 3}));
    // Boost takes a different code path when the escape is followed by at least 11 more bytes.
    const std::string padding(40, 'p');
    EXPECT_EQ(Refuse(R"("\uD800)" + padding + "\""), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uDC00)" + padding + "\""), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uD800\u0041)" + padding + "\""), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uD800\uD800)" + padding + "\""), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse(R"("\uD800\n)" + padding + "\""), (Refusal{kLoneSurrogate, 1}));
    EXPECT_EQ(Refuse("\"" + padding + R"(\uDC00)" + padding + "\""), (Refusal{kLoneSurrogate, 41}));
}

TEST(CanonicalJson, RefusesDuplicateNamesAtTheSecondName) {
    EXPECT_EQ(Refuse(R"({"a":1,"a":2})"), (Refusal{kDuplicateKey, 7}));
    EXPECT_EQ(Refuse(R"({"a":1, "b":2, "a":3})"), (Refusal{kDuplicateKey, 15}));
    // Names are compared after unescaping.
    EXPECT_EQ(Refuse(R"({"a":1,"\u0061":2})"), (Refusal{kDuplicateKey, 7}));
    EXPECT_EQ(Refuse(R"({"x\"":1,"x\u0022":2})"), (Refusal{kDuplicateKey, 9}));
    EXPECT_EQ(Refuse(R"({"\\":1,"\\":2})"), (Refusal{kDuplicateKey, 8}));
    EXPECT_EQ(Refuse(R"([{"k":{"a":[],"a":{}}}])"), (Refusal{kDuplicateKey, 14}));
    const std::string long_name(50, 'n');
    const std::string doc = R"({")" + long_name + R"(":1,")" + long_name + R"(":2})";
    EXPECT_EQ(Refuse(doc), (Refusal{kDuplicateKey, long_name.size() + 6}));
    // Large objects (checked through a hash set past 16 members), repeats early and late.
    for (std::size_t repeat_of : {std::size_t{0}, std::size_t{20}, std::size_t{38}}) {
        std::string big = "{";
        for (std::size_t i = 0; i < 40; ++i) {
            big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
        }
        const std::size_t at = big.size();
        big += "\"k" + std::to_string(repeat_of) + "\":0}";
        EXPECT_EQ(Refuse(big), (Refusal{kDuplicateKey, at})) << repeat_of;
        big.replace(at, big.size() - at, "\"fresh\":0}");
        EXPECT_TRUE(Canonicalize(big).has_value());
    }
    // The same name in different objects is fine.
    EXPECT_EQ(Canon(R"({"a":{"a":1},"b":{"a":2}})"), R"({"a":{"a":1},"b":{"a":2}})");
    EXPECT_EQ(Canon(R"([{"a":1},{"a":2}])"), R"([{"a":1},{"a":2}])");
}

TEST(CanonicalJson, RefusesNumbersThatAreNotFiniteDoublesAtTheirStart) {
    EXPECT_EQ(Refuse("[1e400]"), (Refusal{kNumberOutOfRange, 1}));
    EXPECT_EQ(Refuse(R"({"n": -1e400})"), (Refusal{kNumberOutOfRange, 6}));
    EXPECT_EQ(Refuse("1.7976931348623159e308"), (Refusal{kNumberOutOfRange, 0}));
    EXPECT_EQ(Refuse("[0, 1" + std::string(400, '0') + "]"), (Refusal{kNumberOutOfRange, 4}));
    EXPECT_EQ(Refuse("[0.1e99999999999]"), (Refusal{kNumberOutOfRange, 1}));  // Boost's own check
    EXPECT_EQ(Refuse("[1, 2e-99999999999]"), (Refusal{kNumberOutOfRange, 4}));
}

TEST(CanonicalJson, RefusesNestingDeeperThanTheLimit) {
    auto nested = [](std::size_t depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    EXPECT_EQ(Canon(nested(kMaxNestingDepth)), nested(kMaxNestingDepth));
    EXPECT_EQ(Refuse(nested(kMaxNestingDepth + 1)), (Refusal{kTooDeep, kMaxNestingDepth}));
    EXPECT_EQ(Refuse(nested(1000)), (Refusal{kTooDeep, kMaxNestingDepth}));

    std::string objects;
    for (std::size_t i = 0; i < kMaxNestingDepth; ++i) {
        objects += R"({"a":)";
    }
    std::string closed = objects + "1" + std::string(kMaxNestingDepth, '}');
    EXPECT_EQ(Canon(closed), closed);
    EXPECT_EQ(
        Refuse(objects + "[]" + std::string(kMaxNestingDepth, '}')),
        (Refusal{kTooDeep, objects.size()})
    );
}

TEST(CanonicalJson, RefusesTrailingData) {
    EXPECT_EQ(Refuse("{} x"), (Refusal{kTrailingData, 3}));
    EXPECT_EQ(Refuse("1 2"), (Refusal{kTrailingData, 2}));
    EXPECT_EQ(Refuse("[]]"), (Refusal{kTrailingData, 2}));
    EXPECT_EQ(Refuse("\"a\"\"b\""), (Refusal{kTrailingData, 3}));
    EXPECT_EQ(Refuse("null\n\0"s), (Refusal{kTrailingData, 5}));
    EXPECT_EQ(Refuse("{} x\xFF"), (Refusal{kTrailingData, 3}));
    EXPECT_EQ(Refuse("{} \xFF"), (Refusal{kInvalidUtf8, 3}));
}

// ---------------------------------------------------------------------------------------------
// FormatNumber
// ---------------------------------------------------------------------------------------------

TEST(FormatNumber, HandlesEcmaScriptEdgeCases) {
    // Expected strings follow ECMAScript Number::toString: with s the shortest digit string (k
    // digits) and x = s × 10^(n−k), integers when k <= n <= 21, a decimal point when 0 < n <= 21,
    // "0.000ddd" when -6 < n <= 0, else d.ddde±(n−1).
    EXPECT_EQ(FormatNumber(0.0), "0");
    EXPECT_EQ(FormatNumber(-0.0), "0");
    EXPECT_EQ(FormatNumber(1.0), "1");
    EXPECT_EQ(FormatNumber(-1.0), "-1");
    EXPECT_EQ(FormatNumber(4.5), "4.5");
    EXPECT_EQ(FormatNumber(-4.5), "-4.5");
    EXPECT_EQ(FormatNumber(0.002), "0.002");
    EXPECT_EQ(FormatNumber(1e30), "1e+30");
    EXPECT_EQ(FormatNumber(1e21), "1e+21");                  // n = 22
    EXPECT_EQ(FormatNumber(1e20), "100000000000000000000");  // n = 21
    EXPECT_EQ(FormatNumber(1.5e21), "1.5e+21");
    EXPECT_EQ(FormatNumber(123e18), "123000000000000000000");
    EXPECT_EQ(FormatNumber(1.2345e20), "123450000000000000000");
    EXPECT_EQ(FormatNumber(1e-6), "0.000001");  // n = -5
    EXPECT_EQ(FormatNumber(1e-7), "1e-7");      // n = -6
    EXPECT_EQ(FormatNumber(1.5e-7), "1.5e-7");
    EXPECT_EQ(FormatNumber(-1.5e-7), "-1.5e-7");
    EXPECT_EQ(FormatNumber(1.234e-6), "0.000001234");
    EXPECT_EQ(FormatNumber(0.1), "0.1");
    EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(FormatNumber(123.456), "123.456");
    EXPECT_EQ(FormatNumber(1e-27), "1e-27");
    EXPECT_EQ(FormatNumber(5e-324), "5e-324");  // smallest subnormal
    EXPECT_EQ(FormatNumber(-5e-324), "-5e-324");
    EXPECT_EQ(FormatNumber(std::numeric_limits<double>::denorm_min()), "5e-324");
    EXPECT_EQ(FormatNumber(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
    EXPECT_EQ(FormatNumber(std::numeric_limits<double>::lowest()), "-1.7976931348623157e+308");
    EXPECT_EQ(FormatNumber(std::numeric_limits<double>::min()), "2.2250738585072014e-308");
    EXPECT_EQ(FormatNumber(9007199254740992.0), "9007199254740992");  // 2^53
    EXPECT_EQ(FormatNumber(9007199254740994.0), "9007199254740994");
    // 2^70 = 1180591620717411303424 has n = 22; 17 digits are needed with an ulp of 2^18.
    EXPECT_EQ(FormatNumber(std::ldexp(1.0, 70)), "1.1805916207174113e+21");
    EXPECT_EQ(FormatNumber(333333333.33333329), "333333333.3333333");
    EXPECT_EQ(FormatNumber(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(FormatNumber(-1e21), "-1e+21");
}

TEST(FormatNumber, WritesPowersOfTenPerTheLayoutRules) {
    // "1e<i>" parses to the double nearest 10^i, whose shortest digits are "1" with n = i + 1.
    for (int i = -323; i <= 308; ++i) {
        const std::string literal = "1e" + std::to_string(i);
        double value = 0;
        std::from_chars(literal.data(), literal.data() + literal.size(), value);
        std::string expected;
        if (i >= 21) {
            expected = "1e+" + std::to_string(i);
        } else if (i >= 0) {
            expected = "1" + std::string(static_cast<std::size_t>(i), '0');
        } else if (i >= -6) {
            expected = "0." + std::string(static_cast<std::size_t>(-i - 1), '0') + "1";
        } else {
            expected = "1e" + std::to_string(i);
        }
        EXPECT_EQ(FormatNumber(value), expected) << literal;
    }
}

/// The pieces of a FormatNumber result, recovered from its text alone.
struct NumberLayout {
    bool ok{false};
    bool exponent_form{false};
    std::string digits;  // s: significant digits, no leading or trailing zeros
    int n{0};            // x = 0.s × 10^n
};

bool AllDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

NumberLayout ParseLayout(std::string_view text) {
    NumberLayout layout;
    if (text.starts_with('-')) {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return layout;
    }
    const std::size_t e = text.find('e');
    if (e != std::string_view::npos) {
        // d[.ddd]e±m, with d non-zero and no trailing zero in the fraction.
        const std::string_view mantissa = text.substr(0, e);
        std::string_view exp = text.substr(e + 1);
        if (exp.size() < 2 || (exp[0] != '+' && exp[0] != '-') || !AllDigits(exp.substr(1)) ||
            exp[1] == '0') {
            return layout;
        }
        int m = 0;
        std::from_chars(exp.data() + 1, exp.data() + exp.size(), m);
        m = exp[0] == '-' ? -m : m;
        if (mantissa.empty() || mantissa[0] < '1' || mantissa[0] > '9') {
            return layout;
        }
        layout.digits = mantissa.substr(0, 1);
        if (mantissa.size() > 1) {
            if (mantissa[1] != '.' || mantissa.size() < 3 || !AllDigits(mantissa.substr(2)) ||
                mantissa.back() == '0') {
                return layout;
            }
            layout.digits += mantissa.substr(2);
        }
        layout.exponent_form = true;
        layout.n = m + 1;
        layout.ok = true;
        return layout;
    }
    const std::size_t point = text.find('.');
    if (point == std::string_view::npos) {
        // Integer: no leading zero; trailing zeros are padding.
        if (!AllDigits(text) || text[0] == '0') {
            return layout;
        }
        const std::size_t last = text.find_last_not_of('0');
        layout.digits = text.substr(0, last + 1);
        layout.n = static_cast<int>(text.size());
        layout.ok = true;
        return layout;
    }
    const std::string_view int_part = text.substr(0, point);
    const std::string_view frac = text.substr(point + 1);
    if (!AllDigits(int_part) || !AllDigits(frac) || frac.empty() || frac.back() == '0' ||
        int_part.empty()) {
        return layout;
    }
    if (int_part == "0") {
        const std::size_t zeros = frac.find_first_not_of('0');
        layout.digits = frac.substr(zeros);
        layout.n = -static_cast<int>(zeros);
    } else {
        if (int_part[0] == '0') {
            return layout;
        }
        layout.digits = std::string(int_part) + std::string(frac);
        layout.n = static_cast<int>(int_part.size());
    }
    layout.ok = true;
    return layout;
}

double ParseDouble(const std::string& text) {
    double value = std::numeric_limits<double>::quiet_NaN();
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

/// True if the decimal `digits` × 10^(n − digits.size()) parses back to `value`.
bool RoundTrips(const std::string& digits, int n, double value) {
    const int exponent = n - static_cast<int>(digits.size());
    return ParseDouble(digits + "e" + std::to_string(exponent)) == value;
}

TEST(FormatNumber, RandomDoublesRoundTripShortestWithEcmaScriptLayout) {
    std::mt19937_64 rng(0x5eed'c0c0'a001ULL);
    int checked = 0;
    for (int i = 0; i < 300'000; ++i) {
        const std::uint64_t bits = rng();
        const double value = std::bit_cast<double>(bits);
        if (!std::isfinite(value)) {
            continue;
        }
        const std::string text = FormatNumber(value);
        SCOPED_TRACE(text);

        // 1. It parses back to the same double (-0 is written as 0).
        const double back = ParseDouble(text);
        if (value == 0) {
            ASSERT_EQ(text, "0");
            continue;
        }
        ASSERT_EQ(std::bit_cast<std::uint64_t>(back), bits);

        // 2. Its layout follows Number::toString for its (k, n).
        const NumberLayout layout = ParseLayout(text);
        ASSERT_TRUE(layout.ok);
        ASSERT_EQ(text.starts_with('-'), value < 0);
        const int k = static_cast<int>(layout.digits.size());
        const int n = layout.n;
        const bool want_exponent = n > 21 || n <= -6;
        ASSERT_EQ(layout.exponent_form, want_exponent) << "k=" << k << " n=" << n;
        ASSERT_EQ(layout.digits.back() == '0', false);

        // 3. No decimal with fewer digits parses to the same double: check the two (k−1)-digit
        // decimals that bracket it (any shorter one would lie between them and the value).
        const double magnitude = std::fabs(value);
        if (k > 1) {
            const std::string truncated = layout.digits.substr(0, static_cast<std::size_t>(k - 1));
            std::uint64_t t = 0;
            std::from_chars(truncated.data(), truncated.data() + truncated.size(), t);
            const std::string up = std::to_string(t + 1);
            ASSERT_FALSE(RoundTrips(truncated, n, magnitude));
            // t + 1 may carry into k digits (999 -> 1000); its value is still (t+1)·10^(n−k+1).
            const int up_n = n + static_cast<int>(up.size()) - (k - 1);
            ASSERT_FALSE(RoundTrips(up, up_n, magnitude));
        }
        ++checked;
    }
    EXPECT_GT(checked, 290'000);
}

}  // namespace
}  // namespace concord::json
