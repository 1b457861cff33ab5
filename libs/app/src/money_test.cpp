#include "concord/app/money.hpp"

#include <string>

#include <gtest/gtest.h>

namespace concord::app {
namespace {

TEST(Money, AmountsAreCanonicalExactDecimals) {
    EXPECT_EQ(ParseMoney("1250.50", "EUR")->amount, "1250.5");
    EXPECT_EQ(ParseMoney("007", "JPY")->amount, "7");
    EXPECT_EQ(ParseMoney("0.000000000000000001", "ETH")->amount, "0.000000000000000001");
    EXPECT_EQ(
        ParseMoney("999999999999999999.999999999999999999", "BTC")->amount,
        "999999999999999999.999999999999999999"
    );
    for (const char* bad :
         {"",
          "-1",
          "1e3",
          "1,5",
          "1.",
          ".5",
          "0",
          "0.000",
          "1 000",
          "+1",
          "1234567890123456789",
          "0.0000000000000000001",
          "NaN"}) {
        auto parsed = ParseMoney(bad, "EUR");
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    }
    for (const char* currency : {"", "EURO", "eur", "XXX1", "DOGE"}) {
        EXPECT_FALSE(ParseMoney("1", currency)) << currency;
    }
}

TEST(Money, TotalsAreExactWhereBinaryFloatingPointIsNot) {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; ten million times 0.1 drifts.
    MoneyTotals totals;
    totals.Add(*ParseMoney("0.1", "EUR"));
    totals.Add(*ParseMoney("0.2", "EUR"));
    totals.Add(*ParseMoney("999999999999999999.999999999999999999", "BTC"));
    totals.Add(*ParseMoney("0.000000000000000001", "BTC"));
    auto sums = totals.Sums();
    EXPECT_EQ(sums.at("EUR"), "0.3");
    EXPECT_EQ(sums.at("BTC"), "1000000000000000000");  // beyond 18 digits: a sum may grow
    MoneyTotals many;
    for (int i = 0; i < 100000; ++i) {
        many.Add(Money{"0.1", "USD"});
    }
    EXPECT_EQ(many.Sums().at("USD"), "10000");
    many.Add(Money{"1", "EUR"});
    EXPECT_EQ(many.Sums().at("USD"), "10000");  // a currency is never added to another
    EXPECT_EQ(many.Sums().at("EUR"), "1");
}

TEST(Money, DecimalsCompareExactlyAndZeroIsOnlyAllowedWhenAsked) {
    EXPECT_EQ(*ParseDecimal("0", true), "0");
    EXPECT_FALSE(ParseDecimal("0", false));
    EXPECT_EQ(CompareDecimal("100", "100.000000000000000001"), -1);
    EXPECT_EQ(CompareDecimal("100", "100"), 0);
    EXPECT_EQ(CompareDecimal("99.99", "9.999"), 1);
}

}  // namespace
}  // namespace concord::app
