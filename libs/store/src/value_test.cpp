#include "concord/store/value.hpp"

#include <gtest/gtest.h>

namespace concord::store {
namespace {

TEST(StoreRow, AccessorsReturnTypedColumns) {
    Row row({Value(Null{}), Value(std::int64_t{-5}), Value(std::string("t")), Value(Bytes{1, 2})});
    ASSERT_EQ(row.size(), 4U);
    EXPECT_TRUE(row.IsNull(0));
    EXPECT_FALSE(row.IsNull(1));
    EXPECT_EQ(row.Int(1), -5);
    EXPECT_EQ(row.Text(2), "t");
    EXPECT_EQ(row.Blob(3), (Bytes{1, 2}));
    EXPECT_EQ(row.at(0), Value(Null{}));
}

TEST(StoreRowDeathTest, TypeMismatchAborts) {
    Row row({Value(std::string("not an int"))});
    EXPECT_DEATH((void)row.Int(0), "");
    EXPECT_DEATH((void)row.Text(1), "");
}

}  // namespace
}  // namespace concord::store
