// Official statistics between two real concordd processes (docs/statistics.md): requests from
// fr.central to hu.poc are counted at both from their domain events; each node publishes its
// report, anchored in its audit log; the report hu.poc serves on its federation listener is
// verified against the directory alone, small cells stay hidden at fr.central (threshold 5) and
// are shown at hu.poc (threshold 1), and the totals of both are recomputed from the inputs.
// hu.poc is also a secretariat's node: fr.central sends it its report, and hu.poc publishes the
// total anchored in its own log.
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/app/statistics_aggregate.hpp"
#include "concord/app/statistics_collection.hpp"
#include "concord/app/statistics_publication.hpp"
#include "concord/core/time.hpp"
#include "concord/federation/directory.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/two_nodes.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

constexpr int kRequests = 2;

// The row of `table` in `report` whose direction is `direction` (null when there is none).
const boost::json::object* RowOf(
    const boost::json::value& report, const char* table, std::string_view direction
) {
    for (const auto& row : report.at(table).as_array()) {
        if (row.at("direction").as_string() == direction) {
            return &row.as_object();
        }
    }
    return nullptr;
}

TEST(Statistics, PublishedReportsAreVerifiedFromTheDirectoryAloneAndSummedWithSmallCellsHidden) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.Node(1).SetConfig("statistics", "threshold", "1"));
    // hu.poc is also the secretariat's node that fr.central sends its reports to.
    ASSERT_TRUE(f.Node(1).SetConfig("statistics", "secretariat", "true"));
    ASSERT_TRUE(f.Node(0).SetConfig("statistics", "secretariat_node", "\"hu.poc\""));
    ASSERT_TRUE(f.StartAll());
    TestNode& fr = f.Node(0);
    TestNode& hu = f.Node(1);

    // fr.central's officer drafts and its approver sends kRequests requests to hu.poc.
    CaseSender sender(fr);
    for (int i = 0; i < kRequests; ++i) {
        ASSERT_FALSE(sender.Send(server::test_util::ExamplePreservationRequest(), "hu.poc").empty()
        );
    }
    const std::string first_in = WaitForIncomingCases(hu, kRequests);
    ASSERT_FALSE(first_in.empty());
    auto acknowledged = hu.Api().Call(
        "POST", "/api/v1/cases/" + first_in + "/transition", R"({"transition":"acknowledge"})"
    );
    ASSERT_TRUE(acknowledged && acknowledged->status == 200)
        << (acknowledged ? acknowledged->body : Why(acknowledged));

    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    const std::string period =
        "?from=" + FormatTimestamp(NowMillis() - day) + "&to=" + FormatTimestamp(NowMillis() + day);
    auto hu_published = hu.Api().Call("POST", "/api/v1/statistics/publications" + period, "");
    ASSERT_TRUE(hu_published && hu_published->status == 201)
        << (hu_published ? hu_published->body : Why(hu_published));
    auto fr_published = fr.Api().Call("POST", "/api/v1/statistics/publications" + period, "");
    ASSERT_TRUE(fr_published && fr_published->status == 201)
        << (fr_published ? fr_published->body : Why(fr_published));

    // Anyone fetches hu.poc's publication from its federation listener, without a token.
    const std::string id(hu_published->json.at("id").as_string());
    auto fetched = hu.Plain("GET", "/fed/v1/statistics/publications/" + id);
    ASSERT_TRUE(fetched && fetched->status == 200) << (fetched ? fetched->body : Why(fetched));
    const std::string directory_text = server::test_util::ReadText(f.Dir() / "directory.json");
    const crypto::PublicKey trusted = f.DirectoryPublicKey();
    auto directory = federation::VerifyDirectory(directory_text, std::span(&trusted, 1));
    ASSERT_TRUE(directory) << Why(directory);
    auto proven = app::VerifyPublication(*directory, fetched->body);
    ASSERT_TRUE(proven) << Why(proven);
    EXPECT_EQ(proven->party, "HU");
    const boost::json::value hu_report = boost::json::parse(proven->report);
    const boost::json::object* in = RowOf(hu_report, "requests", "in");
    ASSERT_NE(in, nullptr) << proven->report;
    EXPECT_EQ(in->at("requests").as_int64(), kRequests);
    EXPECT_EQ(in->at("acknowledged").as_int64(), 1);
    EXPECT_EQ(in->at("open").as_int64(), kRequests);
    EXPECT_GE(in->at("acknowledge_median_ms").as_int64(), 0);

    // fr.central counts the same requests as outgoing, hidden below its threshold of 5.
    const boost::json::object* out = RowOf(fr_published->json.at("report"), "requests", "out");
    ASSERT_NE(out, nullptr) << fr_published->body;
    EXPECT_TRUE(out->at("requests").is_null()) << fr_published->body;

    auto aggregate =
        app::AggregateStatistics(*directory, {fetched->body, fr_published->body}, NowMillis());
    ASSERT_TRUE(aggregate) << Why(aggregate);
    auto again = app::VerifyAggregate(*directory, aggregate->document);
    ASSERT_TRUE(again) << Why(again);
    const boost::json::value totals = boost::json::parse(aggregate->document).at("totals");
    EXPECT_EQ(RowOf(totals, "requests", "in")->at("requests").as_int64(), kRequests);
    const boost::json::object* out_total = RowOf(totals, "requests", "out");
    ASSERT_NE(out_total, nullptr);
    EXPECT_EQ(out_total->at("requests").as_int64(), 0);
    EXPECT_EQ(out_total->at("hidden_in").at("requests").as_int64(), 1);

    // The secretariat's node collects: fr.central sends its publication to hu.poc, which keeps
    // it once it verifies. A report that is not the sender's own, or that was altered, is
    // refused and kept nowhere; they go first and are delivered before the genuine one, so
    // that a refusal can only come from the check, not from a copy already collected.
    const std::string fr_id(fr_published->json.at("id").as_string());
    boost::json::value altered = boost::json::parse(fr_published->body);
    altered.at("report").as_object()["threshold"] = 1;
    const auto delivered = [&](const std::string& message) {
        EXPECT_TRUE(server::test_util::WaitFor([&] {
            auto r = fr.Api().Call("GET", "/api/v1/messages/" + message + "?box=outbox", "");
            return r && r->status == 200 && r->json.at("status").as_string() == "delivered";
        })) << message;
    };
    for (const boost::json::value& publication :
         {boost::json::parse(fetched->body), altered, boost::json::value("not a document")}) {
        boost::json::object submit{
            {"to", "hu.poc"},
            {"type", "notice"},
            {"priority", "normal"},
            {"body",
             boost::json::object{
                 {"concord_statistics",
                  boost::json::object{{"op", "report"}, {"publication", publication}}}}}};
        auto sent = fr.Api().Call("POST", "/api/v1/messages", boost::json::serialize(submit));
        ASSERT_TRUE(sent && sent->status == 201) << (sent ? sent->body : Why(sent));
        delivered(std::string(sent->json.at("id").as_string()));
    }
    auto none_yet = hu.Api().Call("GET", "/api/v1/statistics/collected", "");
    ASSERT_TRUE(none_yet && none_yet->status == 200);
    EXPECT_TRUE(none_yet->json.at("reports").as_array().empty()) << none_yet->body;
    EXPECT_EQ(none_yet->json.at("secretariat_node").as_string(), "");  // collects, submits nowhere
    auto where = fr.Api().Call("GET", "/api/v1/statistics/collected", "");
    ASSERT_TRUE(where && where->status == 200) << (where ? where->body : Why(where));
    EXPECT_FALSE(where->json.at("secretariat").as_bool());
    EXPECT_EQ(where->json.at("secretariat_node").as_string(), "hu.poc");
    auto submitted =
        fr.Api().Call("POST", "/api/v1/statistics/publications/" + fr_id + "/submit", "");
    ASSERT_TRUE(submitted && submitted->status == 202)
        << (submitted ? submitted->body : Why(submitted));
    EXPECT_EQ(submitted->json.at("to").as_string(), "hu.poc");
    delivered(std::string(submitted->json.at("message").as_string()));
    auto collected = hu.Api().Call("GET", "/api/v1/statistics/collected", "");
    ASSERT_TRUE(collected && collected->status == 200)
        << (collected ? collected->body : Why(collected));
    const auto& reports = collected->json.at("reports").as_array();
    ASSERT_EQ(reports.size(), 1U) << collected->body;
    EXPECT_EQ(reports[0].at("publication").as_string(), fr_id);
    EXPECT_EQ(reports[0].at("node").as_string(), "fr.central");
    EXPECT_EQ(reports[0].at("party").as_string(), "FR");

    // It publishes the total of fr.central's report and its own, anchored in its log; anyone
    // fetches it from the federation listener and checks it from the directory alone.
    auto summed = hu.Api().Call("POST", "/api/v1/statistics/aggregates" + period, "");
    ASSERT_TRUE(summed && summed->status == 201) << (summed ? summed->body : Why(summed));
    const std::string aggregate_id(summed->json.at("id").as_string());
    auto served = hu.Plain("GET", "/fed/v1/statistics/aggregates/" + aggregate_id);
    ASSERT_TRUE(served && served->status == 200) << (served ? served->body : Why(served));
    auto anchored = app::VerifyAggregatePublication(*directory, served->body);
    ASSERT_TRUE(anchored) << Why(anchored);
    ASSERT_EQ(anchored->inputs.size(), 2U);
    const boost::json::value anchored_totals =
        boost::json::parse(served->body).at("aggregate").at("totals");
    EXPECT_EQ(RowOf(anchored_totals, "requests", "in")->at("requests").as_int64(), kRequests);
    // The document altered after publication no longer proves itself.
    boost::json::value changed = boost::json::parse(served->body);
    changed.at("aggregate").as_object()["generated"] = "2020-01-01T00:00:00.000Z";
    auto refused = app::VerifyAggregatePublication(*directory, boost::json::serialize(changed));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kCorruption) << refused.error().ToString();
    // A period that no report covers has no total; fr.central collects nothing.
    auto none = hu.Api().Call(
        "POST",
        "/api/v1/statistics/aggregates?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
        ""
    );
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 400U) << none->body;
    EXPECT_EQ(none->json.at("error").at("reason").as_string(), "no_report") << none->body;
    auto not_secretariat = fr.Api().Call("POST", "/api/v1/statistics/aggregates" + period, "");
    ASSERT_TRUE(not_secretariat);
    EXPECT_EQ(not_secretariat->status, 400U) << not_secretariat->body;
    EXPECT_EQ(not_secretariat->json.at("error").at("reason").as_string(), "not_secretariat")
        << not_secretariat->body;
    f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
