#include "concord/legal/field_types.hpp"

#include <gtest/gtest.h>

namespace concord::legal {
namespace {

struct Case {
    const char* input;
    const char* problem;  // nullptr: valid
};

void Expect(FieldProblem (*check)(std::string_view), std::initializer_list<Case> cases) {
    for (const Case& c : cases) {
        FieldProblem p = check(c.input);
        if (c.problem == nullptr) {
            EXPECT_FALSE(p.has_value()) << c.input << " -> " << p.value_or("");
        } else {
            ASSERT_TRUE(p.has_value()) << c.input << " should fail";
            EXPECT_EQ(*p, c.problem) << c.input;
        }
    }
}

TEST(FieldTypes, Ipv4) {
    Expect(
        CheckIpv4,
        {{"192.0.2.1", nullptr},
         {"0.0.0.0", nullptr},
         {"255.255.255.255", nullptr},
         {"256.1.1.1", "reason.ip_address"},
         {"1.2.3", "reason.ip_address"},
         {"01.2.3.4", "reason.ip_address"},
         {"1.2.3.4.5", "reason.ip_address"},
         {"a.b.c.d", "reason.ip_address"},
         {"", "reason.ip_address"}}
    );
}

TEST(FieldTypes, Ipv6) {
    Expect(
        CheckIpv6,
        {{"2001:db8::1", nullptr},
         {"::1", nullptr},
         {"::", nullptr},
         {"2001:0db8:0000:0000:0000:ff00:0042:8329", nullptr},
         {"::ffff:192.0.2.128", nullptr},
         {"2001:db8::1::2", "reason.ip_address"},
         {"2001:db8:1:2:3:4:5:6:7", "reason.ip_address"},
         {"12345::1", "reason.ip_address"},
         {"2001:db8:g::1", "reason.ip_address"},
         {"1:2:3:4:5:6:7", "reason.ip_address"}}
    );
}

TEST(FieldTypes, IpEndpointNeedsAValidPort) {
    EXPECT_FALSE(CheckIpEndpoint("203.0.113.45:44321", true));
    EXPECT_FALSE(CheckIpEndpoint("[2001:db8::7]:443", true));
    EXPECT_EQ(CheckIpEndpoint("203.0.113.45", true), "reason.port_missing");
    EXPECT_FALSE(CheckIpEndpoint("203.0.113.45", false));
    EXPECT_EQ(CheckIpEndpoint("203.0.113.45:0", true), "reason.port");
    EXPECT_EQ(CheckIpEndpoint("203.0.113.45:65536", true), "reason.port");
    EXPECT_EQ(CheckIpEndpoint("203.0.113.300:80", true), "reason.ip_address");
    EXPECT_EQ(CheckIpEndpoint("[2001:db8::7]443", true), "reason.port");
}

TEST(FieldTypes, TimestampsNeedAZone) {
    Expect(
        CheckTimestamp,
        {{"2026-02-28T02:14:07+01:00", nullptr},
         {"2026-02-28T01:14:07Z", nullptr},
         {"2024-02-29T23:59:59.123-05:30", nullptr},
         {"2026-02-28T02:14:07", "reason.zone_missing"},
         {"2025-02-29T00:00:00Z", "reason.timestamp"},
         {"2026-13-01T00:00:00Z", "reason.timestamp"},
         {"2026-02-28 02:14:07Z", "reason.timestamp"},
         {"2026-02-28T24:00:00Z", "reason.timestamp"}}
    );
    EXPECT_EQ(
        TimestampSeconds("2026-02-28T02:14:07+01:00"), TimestampSeconds("2026-02-28T01:14:07Z")
    );
    EXPECT_EQ(TimestampSeconds("1970-01-01T00:00:00Z"), 0);
}

TEST(FieldTypes, Email) {
    Expect(
        CheckEmail,
        {{"ops@hosting-provider.example", nullptr},
         {"a.b+c@x.co", nullptr},
         {"no-at-sign", "reason.email"},
         {".a@x.com", "reason.email"},
         {"a..b@x.com", "reason.email"},
         {"a@localhost", "reason.email"},
         {"a b@x.com", "reason.email"}}
    );
}

TEST(FieldTypes, Domain) {
    Expect(
        CheckDomain,
        {{"example.org", nullptr},
         {"xn--80ak6aa92e.xn--p1ai", nullptr},
         {"a-b.example.", nullptr},
         {"-bad.example", "reason.domain"},
         {"single", "reason.domain"},
         {"bad_underscore.org", "reason.domain"},
         {"example.123", "reason.domain"}}
    );
}

TEST(FieldTypes, PhoneE164) {
    Expect(
        CheckPhoneE164,
        {{"+33144775522", nullptr},
         {"+12025550143", nullptr},
         {"0144775522", "reason.phone_plus"},
         {"+0144775522", "reason.phone"},
         {"+1234567", "reason.phone"},
         {"+1234567890123456", "reason.phone"},
         {"+33 1 44 77", "reason.phone"}}
    );
}

TEST(FieldTypes, Url) {
    Expect(
        CheckUrl,
        {{"https://example.org/path?q=1", nullptr},
         {"http://192.0.2.1:8080/", nullptr},
         {"https://[2001:db8::1]:443/x", nullptr},
         {"javascript:alert(1)", "reason.url"},
         {"gopher://example.org", "reason.url_scheme"},
         {"https://user@evil.example", "reason.url"},
         {"https://exa mple.org", "reason.url"},
         {"https://example.org:99999", "reason.port"}}
    );
}

TEST(FieldTypes, IbanMod97) {
    Expect(
        CheckIban,
        {{"GB82 WEST 1234 5698 7654 32", nullptr},
         {"DE89370400440532013000", nullptr},
         {"FR1420041010050500013M02606", nullptr},
         {"GB82WEST12345698765431", "reason.checksum"},
         {"DE8937040044053201300", "reason.bad_length"},
         {"US12345678901234", "reason.iban_country"},
         {"12", "reason.iban_format"},
         {"DE89-3704", "reason.bad_character"}}
    );
}

TEST(FieldTypes, BitcoinBase58CheckAndBech32) {
    Expect(
        CheckBitcoinAddress,
        {{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", nullptr},
         {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", nullptr},
         {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", nullptr},
         {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", nullptr},
         {"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "reason.checksum"},
         {"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0", "reason.bad_character"},
         {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "reason.checksum"},
         {"bc1Qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "reason.mixed_case"},
         {"ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", "reason.bad_character"}}
    );
}

TEST(FieldTypes, EthereumFormatOnly) {
    EXPECT_FALSE(CheckEthereumAddress("0x52908400098527886E0F7030069857D2E4169EE7"));
    EXPECT_EQ(
        CheckEthereumAddress("0x52908400098527886E0F7030069857D2E4169EE"), "reason.bad_length"
    );
    EXPECT_EQ(
        CheckEthereumAddress("0x52908400098527886E0F7030069857D2E4169EZ7"), "reason.bad_character"
    );
}

TEST(FieldTypes, MoneyAndCodes) {
    EXPECT_FALSE(CheckAmount("125000.50"));
    EXPECT_EQ(CheckAmount("0.00"), "reason.amount");
    EXPECT_EQ(CheckAmount("-5"), "reason.amount");
    EXPECT_EQ(CheckAmount("1.23456"), "reason.amount");
    EXPECT_FALSE(CheckCurrency("EUR"));
    EXPECT_EQ(CheckCurrency("EURO"), "reason.currency");
    EXPECT_FALSE(CheckCountryCode("HU"));
    EXPECT_EQ(CheckCountryCode("hu"), "reason.country");
    EXPECT_FALSE(CheckDate("2024-02-29"));
    EXPECT_EQ(CheckDate("2023-02-29"), "reason.date");
}

// Issue 13: base58 decoding is quadratic in the number of digits, so a long address is refused
// on its length before any decoding (a 25-byte payload never needs more than 35 digits).
TEST(FieldTypes, Base58AddressLongerThan35DigitsIsRefusedOnLength) {
    EXPECT_FALSE(CheckBitcoinAddress("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
    EXPECT_EQ(CheckBitcoinAddress(std::string(36, '2')), "reason.bad_length");
    EXPECT_EQ(CheckBitcoinAddress(std::string(32768, '2')), "reason.bad_length");
    // A string of '1's decodes to zero bytes one per digit: refused on length too.
    EXPECT_EQ(CheckBitcoinAddress(std::string(100000, '1')), "reason.bad_length");
}

TEST(FieldTypes, PlainTextRefusesControlBidiAndInvisibleOnly) {
    EXPECT_FALSE(CheckPlainText("Jean Dupont", false));
    EXPECT_FALSE(CheckPlainText("محمد علي", false));
    EXPECT_FALSE(CheckPlainText("Line one\nLine two\twith a tab", true));
    // Arabic letter mark and right-to-left mark are marks, not overrides: allowed.
    EXPECT_FALSE(CheckPlainText("\u061c\u0639\u0644\u064a\u200f", false));
    EXPECT_EQ(CheckPlainText("Line one\nLine two", false), "reason.control_character");
    EXPECT_EQ(CheckPlainText(std::string("a\0b", 3), true), "reason.control_character");
    EXPECT_EQ(CheckPlainText("bell\x07", true), "reason.control_character");
    EXPECT_EQ(CheckPlainText("del\x7f", true), "reason.control_character");
    EXPECT_EQ(CheckPlainText("c1 \u0085 next line", true), "reason.control_character");
    // U+202E RIGHT-TO-LEFT OVERRIDE: "invoice_\u202Efdp.exe" shows as "invoice_exe.pdf".
    EXPECT_EQ(CheckPlainText("invoice_\u202efdp.exe", false), "reason.bidi_control");
    EXPECT_EQ(CheckPlainText("a\u2066b\u2069", true), "reason.bidi_control");
    EXPECT_EQ(CheckPlainText("   ", true), "reason.empty");
    EXPECT_EQ(CheckPlainText("", false), "reason.empty");
    EXPECT_EQ(CheckPlainText("\u200b\u200b", false), "reason.invisible_only");
    EXPECT_EQ(CheckPlainText(" \ufeff \u3164 \u00a0", false), "reason.invisible_only");
    EXPECT_EQ(CheckPlainText("\xff\xfe", false), "reason.bad_character");
}

}  // namespace
}  // namespace concord::legal
