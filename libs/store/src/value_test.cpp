#include "concord/store/value.hpp"

#include <gtest/gtest.h>

namespace concord::store {
namespace {

TEST(StoreRow, AccessorsReturnTypedColumns) {
    Row row({Value(Null{}), Value(std::int64_t{-5}), Value(std::string("t")), Value(Bytes{1, 2})});
    ASSERT_EQ(row.Size(), 4U);
    EXPECT_TRUE(row.IsNull(0));
    EXPECT_FALSE(row.IsNull(1));
    EXPECT_EQ(row.Int(1), -5);
    EXPECT_EQ(row.Text(2), "t");
    EXPECT_EQ(row.Blob(3), (Bytes{1, 2}));
    EXPECT_EQ(row.At(0), Value(Null{}));
}

TEST(StoreRow, ColumnsReadByName) {
    auto names = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{
        "peer", "attempts", "note", "raw"});
    Row row(
        {Value(std::string("b")), Value(std::int64_t{3}), Value(Null{}), Value(Bytes{9})}, names
    );
    EXPECT_EQ(row.Text("peer"), "b");
    EXPECT_EQ(row.Int("attempts"), 3);
    EXPECT_TRUE(row.IsNull("note"));
    EXPECT_EQ(row.Blob("raw"), (Bytes{9}));
    EXPECT_EQ(row.Index("note"), 2U);
}

TEST(StoreRowDeathTest, UnknownColumnNameAborts) {
    auto names = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"a"});
    Row named({Value(std::int64_t{1})}, names);
    EXPECT_DEATH((void)named.Int("b"), "");
    Row unnamed({Value(std::int64_t{1})});
    EXPECT_DEATH((void)unnamed.Int("a"), "");
}

TEST(StoreRowDeathTest, TypeMismatchAborts) {
    Row row({Value(std::string("not an int"))});
    EXPECT_DEATH((void)row.Int(0), "");
    EXPECT_DEATH((void)row.Text(1), "");
}

}  // namespace
}  // namespace concord::store
