#pragma once

#include <map>
#include <string>
#include <string_view>

#include "concord/core/result.hpp"

namespace concord::app {

/// An exact decimal amount of one currency or crypto-asset unit (docs/assets.md "Amounts"):
/// never a binary floating-point number. `amount` is canonical: digits, at most 18 before and 18
/// after the point, no leading zero before the point (except "0"), no trailing zero after it, no
/// point without decimals ("12.50" is kept as "12.5").
struct Money {
    std::string amount;
    std::string currency;  ///< an ISO 4217 code, or a crypto-asset unit (BTC, ETH)
};

/// Crypto-asset units accepted besides ISO 4217 codes, for wallets.
inline constexpr std::string_view kCryptoUnits[] = {"BTC", "ETH"};

/// `amount` (e.g. "1250000", "0.00015") in `currency`, canonical. kInvalidArgument for another
/// shape, more than 18 digits on either side, a negative or zero amount, or a currency that is
/// neither an active ISO 4217 code nor one of kCryptoUnits.
Result<Money> ParseMoney(std::string_view amount, std::string_view currency);

/// A canonical exact decimal (the shape of Money::amount) from `text`; zero allowed only when
/// `allow_zero`. kInvalidArgument otherwise.
Result<std::string> ParseDecimal(std::string_view text, bool allow_zero);
/// −1, 0 or 1 as canonical decimal `a` is below, equal to or above `b` (exact).
int CompareDecimal(std::string_view a, std::string_view b);

/// Exact sums per currency (a currency is never added to another).
class MoneyTotals {
public:
    /// Adds a canonical amount (as ParseMoney gives it).
    void Add(const Money& money);
    /// Currency → canonical sum, in currency order.
    [[nodiscard]] std::map<std::string, std::string> Sums() const;

private:
    // Each sum in units of 10^-18, as decimal text (exact integers of Boost.Multiprecision in
    // the arithmetic).
    std::map<std::string, std::string> scaled_;
};

}  // namespace concord::app
