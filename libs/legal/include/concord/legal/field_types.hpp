#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace concord::legal {

/// Each validator returns std::nullopt when `text` is well formed, else a short reason key
/// (a message key under "reason." in i18n/, e.g. "reason.checksum"), so that the reason can be
/// shown in any of the six languages.
using FieldProblem = std::optional<std::string>;

/// Dotted-quad IPv4 without leading zeros.
FieldProblem CheckIpv4(std::string_view text);
/// IPv6 in RFC 4291 text form (with "::" compression and an optional embedded IPv4 tail).
FieldProblem CheckIpv6(std::string_view text);
/// IPv4 or IPv6.
FieldProblem CheckIpAddress(std::string_view text);
/// "IPv4:port" or "[IPv6]:port" with port 1..65535; the port may be omitted if `port_required`
/// is false.
FieldProblem CheckIpEndpoint(std::string_view text, bool port_required);
/// RFC 3339 date-time with a mandatory zone ("Z" or "+hh:mm"), calendar-checked.
FieldProblem CheckTimestamp(std::string_view text);
/// The instant of an RFC 3339 timestamp in seconds since 1970 (UTC), if it is valid.
std::optional<std::int64_t> TimestampSeconds(std::string_view text);
/// YYYY-MM-DD, calendar-checked.
FieldProblem CheckDate(std::string_view text);
/// DNS host name: labels of 1..63 letters, digits or hyphens, 253 characters at most, at least
/// two labels, alphabetic top-level label (or "xn--" punycode).
FieldProblem CheckDomain(std::string_view text);
/// E-mail address (dot-atom local part, 64 / 254 character limits) with a CheckDomain domain.
FieldProblem CheckEmail(std::string_view text);
/// E.164 number: "+", country code not starting with 0, 8 to 15 digits in all.
FieldProblem CheckPhoneE164(std::string_view text);
/// Absolute http, https, ftp or ftps URL with a domain or IP-literal host and optional port.
FieldProblem CheckUrl(std::string_view text);
/// IBAN (spaces allowed): known country length and ISO 7064 mod-97 check digits.
FieldProblem CheckIban(std::string_view text);
/// Bitcoin address: base58check (P2PKH/P2SH, main and test networks, double SHA-256 checksum)
/// or segwit bech32 (witness v0) / bech32m (v1+) per BIP 173 and BIP 350.
FieldProblem CheckBitcoinAddress(std::string_view text);
/// Ethereum address: "0x" and 40 hex digits. The EIP-55 mixed-case checksum needs Keccak-256,
/// which the crypto module does not provide, so it is NOT verified; CheckRequest says so.
FieldProblem CheckEthereumAddress(std::string_view text);
/// ISO 3166-1 alpha-2 shape (two upper-case letters).
FieldProblem CheckCountryCode(std::string_view text);
/// ISO 4217 currency code from the list of active codes.
FieldProblem CheckCurrency(std::string_view text);
/// Decimal amount: digits, optional "." and up to 4 decimals, greater than zero.
FieldProblem CheckAmount(std::string_view text);

/// Names and free text as a person typed them: well-formed UTF-8 with no control character
/// (C0 other than tab, CR and LF where `multiline`; DEL; C1), no bidirectional embedding,
/// override or isolate (U+202A-U+202E, U+2066-U+2069: they let a text read differently from
/// what it contains), and at least one visible character (not only spaces, format characters
/// such as U+200B or U+FEFF, or fillers such as U+3164). Reasons: reason.bad_character,
/// reason.control_character, reason.bidi_control, reason.empty, reason.invisible_only.
/// Linear in the size of `text`.
FieldProblem CheckPlainText(std::string_view text, bool multiline);

}  // namespace concord::legal
