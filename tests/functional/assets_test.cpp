// The asset record of a case over the local API of a real concordd (docs/assets.md): hu.poc
// records the assets it found for fr.central's request, freezes one with an expiry (watched by
// the deadline engine), confiscates and returns it, records a sharing agreement, and reads exact
// totals per case and per party pair; bad input is a typed 400 that changes nothing.
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/core/time.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/people.hpp"
#include "concord/server/testing/two_nodes.hpp"

#include "federation_harness.hpp"

namespace concord::functional {
namespace {

TEST(Assets, AnIncomingCasesAssetsAreRecordedMovedByOrdersAndTotalledExactly) {
    Federation f;
    f.AddNode("fr.central", "FR", "central_authority");
    f.AddNode("hu.poc", "HU", "point_of_contact_24_7");
    ASSERT_TRUE(f.Create());
    ASSERT_TRUE(f.StartAll());
    TestNode& fr = f.Node(0);
    TestNode& hu = f.Node(1);
    ASSERT_FALSE(
        CaseSender(fr).Send(server::test_util::ExamplePreservationRequest(), "hu.poc").empty()
    );
    const std::string id = WaitForIncomingCases(hu);
    ASSERT_FALSE(id.empty());
    const std::string base = "/api/v1/cases/" + id;
    auto post = [&](const std::string& path, const std::string& body) {
        auto r = hu.Api().Call("POST", base + path, body);
        EXPECT_TRUE(r) << Why(r);
        return r ? *r : server::testing::ApiReply{};
    };

    auto account = post(
        "/assets",
        R"({"kind":"bank_account","identifier":"DE89370400440532013000","amount":"0.10","currency":"EUR"})"
    );
    ASSERT_EQ(account.status, 201u) << account.body;
    EXPECT_EQ(account.json.at("value").at("amount").as_string(), "0.1");
    auto second = post(
        "/assets",
        R"({"kind":"bank_account","identifier":"GB82WEST12345698765432","amount":"0.2","currency":"EUR"})"
    );
    ASSERT_EQ(second.status, 201u) << second.body;
    // Bad input: a wrong IBAN check digit, an amount with a comma; nothing is recorded.
    EXPECT_EQ(
        post("/assets", R"({"kind":"bank_account","identifier":"DE89370400440532013001"})").status,
        400u
    );
    EXPECT_EQ(
        post(
            "/assets",
            R"({"kind":"vehicle","identifier":"WVWZZZ1JZ3W386752","amount":"1,5","currency":"EUR"})"
        )
            .status,
        400u
    );

    const std::string asset(account.json.at("id").as_string());
    const std::int64_t day = std::int64_t{24} * 3600 * 1000;
    const std::string issued = FormatTimestamp(NowMillis() - day);
    const std::string expires = FormatTimestamp(NowMillis() + 30 * day);
    auto order = [&](const std::string& kind, const std::string& more = "") {
        return post(
            "/asset-orders",
            R"({"asset":")" + asset + R"(","kind":")" + kind + R"(","reference":"ORD-)" + kind +
                R"(","issued":")" + issued + "\"" + more + "}"
        );
    };
    auto frozen = order("freeze", R"(,"expires":")" + expires + "\"");
    ASSERT_EQ(frozen.status, 201u) << frozen.body;
    EXPECT_EQ(frozen.json.at("asset").at("state").as_string(), "frozen");
    EXPECT_EQ(frozen.json.at("asset").at("frozen_until").as_string(), expires);
    // The expiry is watched as a deadline of the case.
    auto deadlines = hu.Api().Call("GET", "/api/v1/deadlines?case=" + id);
    ASSERT_TRUE(deadlines && deadlines->status == 200) << (deadlines ? deadlines->body : "");
    EXPECT_NE(deadlines->body.find("asset.freeze_expiry"), std::string::npos) << deadlines->body;
    auto wrong = order("return");
    EXPECT_EQ(wrong.status, 400u);
    EXPECT_NE(wrong.body.find("asset_wrong_state"), std::string::npos) << wrong.body;
    ASSERT_EQ(order("confiscation").status, 201u);
    ASSERT_EQ(order("sharing").status, 201u);

    const std::string sharing =
        R"j({"kind":"sharing","cite":"uncac:57(5)","terms":"Half each after costs.",)j"
        R"j("shares":{"FR":"50","HU":"50"},"concluded":")j" +
        issued + "\"}";
    auto agreement = post("/asset-agreements", sharing);
    EXPECT_EQ(agreement.status, 201u) << agreement.body;
    auto over = post(
        "/asset-agreements",
        R"({"kind":"sharing","terms":"Too much.","shares":{"FR":"60","HU":"50"},"concluded":")" +
            issued + "\"}"
    );
    EXPECT_EQ(over.status, 400u) << over.body;

    auto record = hu.Api().Call("GET", base + "/assets");
    ASSERT_TRUE(record && record->status == 200) << (record ? record->body : Why(record));
    EXPECT_EQ(record->json.at("assets").as_array().size(), 2U);
    EXPECT_EQ(record->json.at("orders").as_array().size(), 3U);
    EXPECT_EQ(record->json.at("agreements").as_array().size(), 1U);
    const auto& totals = record->json.at("totals");
    EXPECT_EQ(totals.at("amounts").at("shared").at("EUR").as_string(), "0.1");
    EXPECT_EQ(totals.at("amounts").at("identified").at("EUR").as_string(), "0.2");
    EXPECT_EQ(totals.at("counts").at("shared").as_int64(), 1);

    auto pair = hu.Api().Call("GET", "/api/v1/statistics/assets?party=HU&other=FR");
    ASSERT_TRUE(pair && pair->status == 200) << (pair ? pair->body : Why(pair));
    // At the node's threshold (5) each state's single asset is hidden, count and sums.
    EXPECT_TRUE(pair->json.at("counts").as_object().empty()) << pair->body;
    EXPECT_TRUE(pair->json.at("amounts").as_object().empty()) << pair->body;
    EXPECT_EQ(pair->json.at("hidden").as_array().size(), 2U) << pair->body;
    auto bad_pair = hu.Api().Call("GET", "/api/v1/statistics/assets?party=Hungary&other=FR");
    ASSERT_TRUE(bad_pair);
    EXPECT_EQ(bad_pair->status, 400u);
    f.ExpectCleanShutdown();
}

}  // namespace
}  // namespace concord::functional
