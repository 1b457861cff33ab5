#include "case_wire.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace concord::app::detail {
namespace {

TEST(CaseWire, AStepRoundTrips) {
    CaseStep s{"fr.central", "0190-id", 3, "refuse", "FR-2026-000001", {"sovereignty"}, "why"};
    auto back = DecodeStep(EncodeStep(s));
    ASSERT_TRUE(back);
    ASSERT_TRUE(back->has_value());
    EXPECT_EQ((*back)->origin_node, "fr.central");
    EXPECT_EQ((*back)->version, 3);
    EXPECT_EQ((*back)->grounds, std::vector<std::string>{"sovereignty"});
    EXPECT_EQ((*back)->reasons, "why");
}

TEST(CaseWire, ABodyWithoutACaseIsNoStep) {
    auto none = DecodeStep(boost::json::parse(R"({"type":"mla_stored_data"})").as_object());
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

TEST(CaseWire, MalformedStepsAreRefused) {
    for (const char* bad : {
             R"({"concord_case": 1})",
             R"({"concord_case": {"origin_id": "x", "version": 1, "transition": "send"}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 0, "transition": "send"}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": "1", "transition": "send"}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 1, "transition": ""}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 1, "transition": "t", "grounds": "g"}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 1, "transition": "t", "grounds": [1]}})",
         }) {
        auto r = DecodeStep(boost::json::parse(bad).as_object());
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
    boost::json::object big =
        EncodeStep(CaseStep{"a", "x", 1, "t", "", {}, std::string(kMaxReasonsBytes + 1, 'r')});
    EXPECT_FALSE(DecodeStep(big));
    CaseStep many{"a", "x", 1, "t", "", {}, ""};
    many.grounds.assign(kMaxGrounds + 1, "g");
    EXPECT_FALSE(DecodeStep(EncodeStep(many)));
}

}  // namespace
}  // namespace concord::app::detail
