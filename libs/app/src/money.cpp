#include "concord/app/money.hpp"

#include <algorithm>

#include <boost/multiprecision/cpp_int.hpp>

#include "concord/legal/field_types.hpp"

namespace concord::app {
namespace {

using boost::multiprecision::cpp_int;

constexpr std::size_t kMaxDigits = 18;

Error Bad(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument, "amount: " + std::string(why));
}

bool Digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The amount in units of 10^-18 (18 decimals exactly).
cpp_int Scaled(std::string_view amount) {
    const std::size_t point = amount.find('.');
    std::string digits(amount.substr(0, point));
    std::string fraction =
        point == std::string_view::npos ? "" : std::string(amount.substr(point + 1));
    fraction.resize(kMaxDigits, '0');
    // cpp_int reads a leading 0 as an octal prefix: give it the digits without one.
    std::string all = digits + fraction;
    all.erase(0, std::min(all.find_first_not_of('0'), all.size() - 1));
    return cpp_int(all);
}

// A canonical amount from units of 10^-18.
std::string FromScaled(const cpp_int& scaled) {
    std::string text = scaled.str();
    if (text.size() <= kMaxDigits) {
        text.insert(0, kMaxDigits + 1 - text.size(), '0');
    }
    std::string whole = text.substr(0, text.size() - kMaxDigits);
    std::string fraction = text.substr(text.size() - kMaxDigits);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    return fraction.empty() ? whole : whole + "." + fraction;
}

}  // namespace

Result<std::string> ParseDecimal(std::string_view amount, bool allow_zero) {
    const std::size_t point = amount.find('.');
    const std::string_view whole = amount.substr(0, point);
    const std::string_view fraction =
        point == std::string_view::npos ? std::string_view() : amount.substr(point + 1);
    if (!Digits(whole) || (point != std::string_view::npos && !Digits(fraction))) {
        return Bad("digits with an optional '.' and decimals, e.g. 1250.50");
    }
    if (whole.size() > kMaxDigits || fraction.size() > kMaxDigits) {
        return Bad("at most 18 digits before and 18 after the point");
    }
    const cpp_int scaled = Scaled(amount);
    if (scaled == 0 && !allow_zero) {
        return Bad("must be more than zero");
    }
    return FromScaled(scaled);
}

int CompareDecimal(std::string_view a, std::string_view b) {
    const cpp_int x = Scaled(a);
    const cpp_int y = Scaled(b);
    return x < y ? -1 : (x == y ? 0 : 1);
}

Result<Money> ParseMoney(std::string_view amount, std::string_view currency) {
    const bool crypto = std::find(std::begin(kCryptoUnits), std::end(kCryptoUnits), currency) !=
                        std::end(kCryptoUnits);
    if (!crypto && legal::CheckCurrency(currency)) {
        return Bad(
            "'" + std::string(currency.substr(0, 8)) +
            "' is neither an ISO 4217 currency nor BTC or ETH"
        );
    }
    CONCORD_ASSIGN_OR_RETURN(std::string canonical, ParseDecimal(amount, false));
    return Money{std::move(canonical), std::string(currency)};
}

void MoneyTotals::Add(const Money& money) {
    std::string& sum = scaled_[money.currency];
    const cpp_int total = (sum.empty() ? cpp_int(0) : cpp_int(sum)) + Scaled(money.amount);
    sum = total.str();
}

std::map<std::string, std::string> MoneyTotals::Sums() const {
    std::map<std::string, std::string> out;
    for (const auto& [currency, scaled] : scaled_) {
        out[currency] = FromScaled(cpp_int(scaled));
    }
    return out;
}

}  // namespace concord::app
