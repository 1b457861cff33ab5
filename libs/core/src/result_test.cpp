#include "concord/core/result.hpp"

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace concord {
namespace {

Result<int> ParsePositive(int value) {
    if (value <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "not positive: " + std::to_string(value));
    }
    return value;
}

Result<> CheckEven(int value) {
    if (value % 2 != 0) {
        return Error{ErrorCode::kInvalidArgument, "odd"};
    }
    return {};
}

// Uses both macros; `steps` records how far execution got.
Result<int> DoubleIfPositiveAndEven(int value, int& steps) {
    CONCORD_ASSIGN_OR_RETURN(int positive, ParsePositive(value));
    ++steps;
    CONCORD_RETURN_IF_ERROR(CheckEven(positive));
    ++steps;
    return positive * 2;
}

Result<std::unique_ptr<int>> MakeBox(int value) {
    if (value < 0) {
        return MakeError(ErrorCode::kNotFound, "no box");
    }
    return std::make_unique<int>(value);
}

Result<int> Unbox(int value) {
    CONCORD_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(value));
    return *box + 1;
}

Result<> ReturnsVoidError(bool fail) {
    if (fail) {
        CONCORD_RETURN_IF_ERROR(ParsePositive(-1));
    }
    CONCORD_RETURN_IF_ERROR(ParsePositive(1));
    return {};
}

TEST(Result, HoldsAValue) {
    Result<int> r = ParsePositive(7);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(static_cast<bool>(r));
    EXPECT_EQ(*r, 7);
    EXPECT_EQ(r.value(), 7);
}

TEST(Result, HoldsAnErrorBuiltFromError) {
    Result<int> r = ParsePositive(-3);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "not positive: -3");
}

TEST(Result, VoidResultDefaultsToSuccess) {
    EXPECT_TRUE(CheckEven(2).has_value());
    Result<> odd = CheckEven(3);
    ASSERT_FALSE(odd.has_value());
    EXPECT_EQ(odd.error().message, "odd");
}

TEST(Result, MonadicOperationsComposeLikeExpected) {
    auto doubled = ParsePositive(4).transform([](int v) { return v * 2; });
    ASSERT_TRUE(doubled.has_value());
    EXPECT_EQ(*doubled, 8);
    // tl::expected::and_then requires the callable to return exactly a tl::expected, not a
    // class derived from it, so a Result-returning function is adapted with a return type.
    auto chained = ParsePositive(4).and_then([](int v) -> tl::expected<int, Error> {
        return ParsePositive(v - 10);
    });
    ASSERT_FALSE(chained.has_value());
    EXPECT_EQ(chained.error().message, "not positive: -6");
}

TEST(Result, ReturnIfErrorAndAssignOrReturnPropagateErrors) {
    int steps = 0;
    auto ok = DoubleIfPositiveAndEven(6, steps);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 12);
    EXPECT_EQ(steps, 2);

    steps = 0;
    auto not_positive = DoubleIfPositiveAndEven(-2, steps);
    ASSERT_FALSE(not_positive.has_value());
    EXPECT_EQ(not_positive.error().message, "not positive: -2");
    EXPECT_EQ(steps, 0);

    steps = 0;
    auto odd = DoubleIfPositiveAndEven(5, steps);
    ASSERT_FALSE(odd.has_value());
    EXPECT_EQ(odd.error().message, "odd");
    EXPECT_EQ(steps, 1);
}

TEST(Result, AssignOrReturnMovesMoveOnlyValues) {
    auto ok = Unbox(41);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 42);
    auto missing = Unbox(-1);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Result, ReturnIfErrorWorksInVoidFunctions) {
    EXPECT_TRUE(ReturnsVoidError(false).has_value());
    auto failed = ReturnsVoidError(true);
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
}

TEST(Result, ErrorCodeNamesAreStable) {
    EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidArgument), "invalid_argument");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kNotFound), "not_found");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kAlreadyExists), "already_exists");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kUnauthenticated), "unauthenticated");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kPermissionDenied), "permission_denied");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kCorruption), "corruption");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kUnavailable), "unavailable");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kInternal), "internal");
}

TEST(Result, ErrorToStringJoinsCodeNameAndMessage) {
    EXPECT_EQ(MakeError(ErrorCode::kCorruption, "bad leaf").ToString(), "corruption: bad leaf");
    EXPECT_EQ(Error{}.ToString(), "internal: ");
}

}  // namespace
}  // namespace concord
