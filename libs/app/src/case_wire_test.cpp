#include "case_wire.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/app/approval.hpp"

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

TEST(CaseWire, DetailsTravelOnlyWhenPresentAndAreBounded) {
    CaseStep plain{"a", "x", 1, "accept", "", {}, ""};
    EXPECT_FALSE(EncodeStep(plain)[kCaseMember].as_object().contains("details"));
    CaseStep hearing{"a", "x", 2, "accept_hearing", "", {}, ""};
    hearing.details["proposal"] = 1;
    auto back = DecodeStep(EncodeStep(hearing));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ((*back)->details.at("proposal").as_int64(), 1);

    boost::json::object body = EncodeStep(plain);
    body[kCaseMember].as_object()["details"] = "text";
    EXPECT_FALSE(DecodeStep(body));
    hearing.details["pad"] = std::string(kMaxDetailsBytes, 'p');
    auto big = DecodeStep(EncodeStep(hearing));
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, ErrorCode::kInvalidArgument);
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

TEST(CaseWire, AnApprovalTravelsInTheCaseMemberAndIsBounded) {
    const CaseStep s{"fr.central", "0190-id", 1, "send", "FR-2026-000001", {}, ""};
    const boost::json::object body = EncodeStep(s, R"({"kind":"approval","v":1})");
    EXPECT_TRUE(body.at(kCaseMember).as_object().contains("approval"));
    EXPECT_EQ(DecodeApproval(body).text, R"({"kind":"approval","v":1})");
    EXPECT_EQ(DecodeApproval(body).malformed, "");
    ASSERT_TRUE(DecodeStep(body));
    EXPECT_FALSE(EncodeStep(s, "").at(kCaseMember).as_object().contains("approval"));
    const CarriedApproval none = DecodeApproval(EncodeStep(s));
    EXPECT_EQ(none.text, "");
    EXPECT_EQ(none.malformed, "");
    // A bad approval is reported, and the step stays a step.
    for (const char* bad : {
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 1, "transition": "send", "approval": "yes"}})",
             R"({"concord_case": {"origin_node": "a", "origin_id": "x", "version": 1, "transition": "send", "approval": [1]}})",
         }) {
        const boost::json::object b = boost::json::parse(bad).as_object();
        EXPECT_NE(DecodeApproval(b).malformed, "") << bad;
        EXPECT_EQ(DecodeApproval(b).text, "") << bad;
        auto step = DecodeStep(b);
        ASSERT_TRUE(step) << bad;
        EXPECT_TRUE(step->has_value());
    }
    boost::json::object large = EncodeStep(s);
    large[kCaseMember].as_object()["approval"] =
        boost::json::object{{"pad", std::string(kMaxApprovalBytes, 'x')}};
    EXPECT_NE(DecodeApproval(large).malformed, "");
}

}  // namespace
}  // namespace concord::app::detail
