// Extradite or prosecute between two real concordd processes (docs/cases.md "Extradite or
// prosecute"): hu.central refuses fr.central's extradition request because the person sought is
// a Hungarian national; the refusal opens the obligation at both nodes; fr.central closes its
// case; hu.central submits the case for prosecution, decides and reports the outcome, and
// fr.central follows each step; both list it, and hu.central's statistics count it.
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/two_nodes.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

// The shipped extradition example, from FR to HU.
boost::json::object ExtraditionRequest() {
    boost::json::value example = boost::json::parse(server::test_util::ReadText(
        std::string(CONCORD_SOURCE_DIR) + "/instruments/examples/extradition.json"
    ));
    boost::json::object request = example.as_object();
    request["requesting_party"] = "FR";
    request["requested_party"] = "HU";
    return request;
}

TEST(Extradition, ARefusalOnNationalityOpensAnObligationBothPartiesFollowToItsReport) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.central", "HU", "central_authority");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.Node(1).SetConfig("statistics", "threshold", "1"));
    ASSERT_TRUE(f.StartAll());
    TestNode& fr = f.Node(0);
    TestNode& hu = f.Node(1);

    const std::string fr_id = CaseSender(fr).Send(ExtraditionRequest(), "hu.central");
    ASSERT_FALSE(fr_id.empty());
    const std::string hu_id = WaitForIncomingCases(hu);
    ASSERT_FALSE(hu_id.empty());
    auto step = [&](TestNode& n, const std::string& id, const std::string& body) {
        auto done = n.Api().Call("POST", "/api/v1/cases/" + id + "/transition", body);
        EXPECT_TRUE(done && done->status == 200) << body << ": " << (done ? done->body : Why(done));
    };
    // The obligation as node `n` shows it with case `id`, once its state is `state`.
    auto obligation_at = [&](TestNode& n, const std::string& id, const char* state) {
        boost::json::value found;
        EXPECT_TRUE(WaitFor([&] {
            auto view = n.Api().Call("GET", "/api/v1/cases/" + id);
            if (!view || view->status != 200 || !view->json.at("obligation").is_object() ||
                view->json.at("obligation").at("state").as_string() != state) {
                return false;
            }
            found = view->json.at("obligation");
            return true;
        })) << n.LogTail();
        return found;
    };

    step(hu, hu_id, R"({"transition":"acknowledge"})");
    // A step of an obligation before there is one: refused, nothing written.
    auto early = hu.Api().Call(
        "POST",
        "/api/v1/cases/" + hu_id + "/transition",
        R"({"transition":"submit_for_prosecution"})"
    );
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 400) << early->body;
    step(
        hu,
        hu_id,
        R"({"transition":"refuse","grounds":["nationality"],"reasons":"The person sought is a Hungarian national."})"
    );

    const boost::json::value owed = obligation_at(hu, hu_id, "opened");
    const boost::json::value followed = obligation_at(fr, fr_id, "opened");
    ASSERT_TRUE(owed.is_object() && followed.is_object());
    EXPECT_TRUE(owed.at("owed_here").as_bool());
    EXPECT_FALSE(followed.at("owed_here").as_bool());
    EXPECT_EQ(owed.at("cite").as_string(), "budapest:24(6)");
    EXPECT_EQ(followed.at("ground").as_string(), "nationality");
    EXPECT_FALSE(followed.at("due").is_null());

    // fr.central closes its case: the obligation outlives it.
    step(fr, fr_id, R"({"transition":"close"})");
    ASSERT_TRUE(WaitFor([&] {
        auto s = hu.Api().Call("GET", "/api/v1/cases/" + hu_id + "/summary");
        return s && s->status == 200 && s->json.at("state").as_string() == "closed";
    })) << hu.LogTail();
    step(hu, hu_id, R"({"transition":"submit_for_prosecution","reasons":"Budapest prosecutor"})");
    step(hu, hu_id, R"({"transition":"decide_to_prosecute"})");
    step(hu, hu_id, R"({"transition":"report_outcome","reasons":"Convicted; three years."})");
    const boost::json::value reported = obligation_at(fr, fr_id, "reported");
    ASSERT_TRUE(reported.is_object());
    EXPECT_EQ(reported.at("decision").as_string(), "prosecute");
    EXPECT_EQ(reported.at("submission").as_string(), "Budapest prosecutor");
    EXPECT_EQ(reported.at("outcome").as_string(), "Convicted; three years.");
    EXPECT_TRUE(reported.at("due").is_null());
    EXPECT_FALSE(reported.at("overdue").as_bool());

    // Both list it; the filters apply; a bad filter is a typed 400.
    for (TestNode* n : {&fr, &hu}) {
        auto listed = n->Api().Call("GET", "/api/v1/obligations?state=reported");
        ASSERT_TRUE(listed && listed->status == 200) << (listed ? listed->body : Why(listed));
        ASSERT_EQ(listed->json.at("obligations").as_array().size(), 1U) << listed->body;
        EXPECT_EQ(
            listed->json.at("obligations").as_array()[0].at("requested_party").as_string(), "HU"
        );
        auto none = n->Api().Call("GET", "/api/v1/obligations?overdue=true");
        ASSERT_TRUE(none && none->status == 200);
        EXPECT_TRUE(none->json.at("obligations").as_array().empty()) << none->body;
        auto bad = n->Api().Call("GET", "/api/v1/obligations?state=lost");
        ASSERT_TRUE(bad);
        EXPECT_EQ(bad->status, 400) << bad->body;
    }

    // hu.central's statistics (threshold 1) count it as owed, decided to prosecute, reported.
    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    auto stats = hu.Api().Call(
        "GET",
        "/api/v1/statistics?from=" + FormatTimestamp(NowMillis() - day) +
            "&to=" + FormatTimestamp(NowMillis() + day)
    );
    ASSERT_TRUE(stats && stats->status == 200) << (stats ? stats->body : Why(stats));
    const auto& rows = stats->json.at("obligations").as_array();
    ASSERT_EQ(rows.size(), 1U) << stats->body;
    EXPECT_EQ(rows[0].at("direction").as_string(), "in");
    EXPECT_EQ(rows[0].at("reported").as_int64(), 1);
    EXPECT_EQ(rows[0].at("prosecute").as_int64(), 1);
    f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
