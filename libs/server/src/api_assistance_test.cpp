// /api/v1/assistance over HTTPS on two in-process nodes (docs/assistance.md): fr.central, a
// State's node, and hu.poc configured as a treaty secretariat's. Bad input is a typed 4xx that
// changes nothing; a State's node posts for its own party only; the secretariat records, ranks,
// matches and follows an engagement to its evaluation.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/api_client.hpp"
#include "concord/server/testing/two_nodes.hpp"

namespace concord::server {
namespace {

using testing::ApiReply;

class AssistanceApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-assistance-" + std::to_string(std::random_device{}()));
        auto inits = test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        auto written = test_util::WriteDirectory(dir_, inits_, directory_key_, 1);
        ASSERT_TRUE(written) << written.error().ToString();
        for (std::size_t i = 0; i < inits_.size(); ++i) {
            auto config = LoadConfig(inits_[i].config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            config->assistance_secretariat = i == 1;
            if (federated_ && i == 0) {
                config->assistance_secretariat_node = inits_[1].entry.id;
            }
            config->witness_interval = std::chrono::hours(24);
            auto service = NodeService::Start(*config);
            ASSERT_TRUE(service) << service.error().ToString();
            clients_.push_back(std::make_unique<testing::ApiClient>(
                "https://127.0.0.1:" + std::to_string((*service)->ApiPort()),
                inits_[i].api_token,
                inits_[i].entry.tls_sha256
            ));
            services_.push_back(std::move(*service));
        }
    }

    void TearDown() override {
        clients_.clear();
        services_.clear();
        std::filesystem::remove_all(dir_);
    }

    ApiReply On(
        std::size_t i, std::string_view method, const std::string& path, std::string_view body = ""
    ) {
        auto r = clients_[i]->Call(method, path, body);
        EXPECT_TRUE(r) << method << " " << path << ": " << r.error().ToString();
        return r ? *r : ApiReply{};
    }

    std::size_t Postings(std::size_t i) {
        auto r = On(i, "GET", "/api/v1/assistance/postings");
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.status == 200 ? r.json.at("postings").as_array().size() : 0;
    }

    // Whether fr.central sends its postings to hu.poc, its secretariat's node.
    bool federated_{false};
    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<InitResult> inits_;
    std::vector<std::unique_ptr<NodeService>> services_;
    std::vector<std::unique_ptr<testing::ApiClient>> clients_;
};

constexpr const char* kNeed =
    R"({"topic":"contact_point_24_7","languages":["en","fr"],"from":"2027-03-01",)"
    R"("to":"2027-03-31","description":"Set up a 24/7 point of contact"})";

TEST_F(AssistanceApiTest, BadInputIsATypedRefusalThatChangesNothing) {
    const std::vector<std::pair<std::string, std::string>> bad{
        {R"({"topic":"hacking","languages":["en"],"from":"2027-03-01","to":"2027-03-02","description":"x"})",
         "unknown topic"},
        {R"({"topic":"asset_recovery","languages":"en","from":"2027-03-01","to":"2027-03-02","description":"x"})",
         "'languages' must be an array"},
        {R"({"topic":"asset_recovery","languages":["english"],"from":"2027-03-01","to":"2027-03-02","description":"x"})",
         "ISO 639-1"},
        {R"({"topic":"asset_recovery","languages":["en"],"from":"2027-03-05","to":"2027-03-02","description":"x"})",
         "ends before it begins"},
        {R"({"topic":"asset_recovery","languages":["en"],"from":"2027-03-01","to":"2027-03-02","description":"x","langauges":[]})",
         "unknown member 'langauges'"},
        {R"({"topic":1,"languages":["en"],"from":"2027-03-01","to":"2027-03-02","description":"x"})",
         "'topic' must be a JSON string"},
        {"not json", ""},
    };
    for (const auto& [body, expected] : bad) {
        auto r = On(0, "POST", "/api/v1/assistance/needs", body);
        EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
        EXPECT_NE(r.body.find(expected), std::string::npos) << r.body;
    }
    EXPECT_EQ(Postings(0), 0U);
    // A State's node posts for its own party only.
    std::string for_de(kNeed);
    for_de.insert(for_de.size() - 1, R"(,"party":"DE")");
    auto other_party = On(0, "POST", "/api/v1/assistance/offers", for_de);
    EXPECT_EQ(other_party.status, 403u) << other_party.body;
    EXPECT_EQ(other_party.ErrorCodeName(), "permission_denied");
    EXPECT_EQ(Postings(0), 0U);
    auto bad_filter = On(0, "GET", "/api/v1/assistance/postings?topic=hacking");
    EXPECT_EQ(bad_filter.status, 400u) << bad_filter.body;
    EXPECT_EQ(bad_filter.ErrorCodeName(), "invalid_parameter");
    auto none = On(0, "GET", "/api/v1/assistance/engagements/00000000-0000-7000-8000-000000000000");
    EXPECT_EQ(none.status, 404u) << none.body;
}

TEST_F(AssistanceApiTest, TheSecretariatMatchesAndFollowsAnEngagementToItsEvaluation) {
    auto own = On(0, "POST", "/api/v1/assistance/needs", kNeed);
    ASSERT_EQ(own.status, 201u) << own.body;
    EXPECT_EQ(own.json.at("party").as_string(), "FR");
    EXPECT_EQ(own.json.at("status").as_string(), "open");
    auto listed = On(0, "GET", "/api/v1/assistance/postings?kind=need&status=open");
    ASSERT_EQ(listed.status, 200u) << listed.body;
    EXPECT_EQ(listed.json.at("secretariat").as_bool(), false);
    EXPECT_EQ(listed.json.at("postings").as_array().size(), 1U);

    std::string need_body(kNeed);
    need_body.insert(need_body.size() - 1, R"(,"party":"FR")");
    auto need = On(1, "POST", "/api/v1/assistance/needs", need_body);
    ASSERT_EQ(need.status, 201u) << need.body;
    const std::string offer_body =
        R"({"topic":"contact_point_24_7","languages":["fr"],"from":"2027-02-01",)"
        R"("to":"2027-04-30","description":"Our 24/7 desk trains yours","party":"BE"})";
    auto offer = On(1, "POST", "/api/v1/assistance/offers", offer_body);
    ASSERT_EQ(offer.status, 201u) << offer.body;
    const std::string need_id(need.json.at("id").as_string());
    const std::string offer_id(offer.json.at("id").as_string());

    auto matches = On(1, "GET", "/api/v1/assistance/needs/" + need_id + "/matches");
    ASSERT_EQ(matches.status, 200u) << matches.body;
    const auto& candidates = matches.json.at("candidates").as_array();
    ASSERT_EQ(candidates.size(), 1U) << matches.body;
    EXPECT_EQ(candidates[0].at("offer").at("id").as_string(), offer_id);
    EXPECT_EQ(candidates[0].at("score").as_int64(), 100);
    EXPECT_EQ(candidates[0].at("overlap_days").as_int64(), 31);
    // A State's node not attached to a secretariat's holds no other party's offers.
    auto alone =
        On(0,
           "GET",
           "/api/v1/assistance/needs/" + std::string(own.json.at("id").as_string()) + "/matches");
    ASSERT_EQ(alone.status, 200u) << alone.body;
    EXPECT_TRUE(alone.json.at("candidates").as_array().empty());

    auto engaged =
        On(1,
           "POST",
           "/api/v1/assistance/engagements",
           R"({"need":")" + need_id + R"(","offer":")" + offer_id + R"("})");
    ASSERT_EQ(engaged.status, 201u) << engaged.body;
    EXPECT_EQ(engaged.json.at("state").as_string(), "agreed");
    EXPECT_EQ(engaged.json.at("provider").as_string(), "BE");
    const std::string steps = "/api/v1/assistance/engagements/" +
                              std::string(engaged.json.at("id").as_string()) + "/steps";
    auto early = On(1, "POST", steps, R"({"step":"evaluate","score":5})");
    EXPECT_EQ(early.status, 400u) << early.body;
    EXPECT_NE(early.body.find("assistance_wrong_state"), std::string::npos) << early.body;
    EXPECT_EQ(early.json.at("error").at("reason").as_string(), "assistance_wrong_state");
    auto still = On(
        1, "GET", "/api/v1/assistance/engagements/" + std::string(engaged.json.at("id").as_string())
    );
    ASSERT_EQ(still.status, 200u) << still.body;
    EXPECT_EQ(still.json.at("state").as_string(), "agreed");
    EXPECT_TRUE(still.json.at("evaluation").is_null());

    auto delivered = On(1, "POST", steps, R"({"step":"deliver"})");
    ASSERT_EQ(delivered.status, 200u) << delivered.body;
    EXPECT_EQ(delivered.json.at("state").as_string(), "delivered");
    auto score_text = On(1, "POST", steps, R"({"step":"evaluate","score":"4"})");
    EXPECT_EQ(score_text.status, 400u) << score_text.body;
    auto evaluated =
        On(1, "POST", steps, R"({"step":"evaluate","score":4,"comment":"The desk now answers"})");
    ASSERT_EQ(evaluated.status, 200u) << evaluated.body;
    EXPECT_EQ(evaluated.json.at("state").as_string(), "evaluated");
    EXPECT_EQ(evaluated.json.at("evaluation").at("score").as_int64(), 4);
    auto cancel = On(1, "POST", steps, R"({"step":"cancel","comment":"too late"})");
    EXPECT_EQ(cancel.status, 400u) << cancel.body;

    auto all = On(1, "GET", "/api/v1/assistance/engagements");
    ASSERT_EQ(all.status, 200u) << all.body;
    ASSERT_EQ(all.json.at("engagements").as_array().size(), 1U);
    EXPECT_EQ(all.json.at("engagements").as_array()[0].at("state").as_string(), "evaluated");
    auto matched = On(1, "GET", "/api/v1/assistance/postings?status=matched");
    ASSERT_EQ(matched.status, 200u) << matched.body;
    EXPECT_EQ(matched.json.at("postings").as_array().size(), 2U);
    auto summary = On(1, "GET", "/api/v1/assistance/summary");
    ASSERT_EQ(summary.status, 200u) << summary.body;
    EXPECT_EQ(summary.json.at("secretariat").as_bool(), true);
    EXPECT_EQ(summary.json.at("engagements_by_state").at("evaluated").as_int64(), 1);
    const auto& topics = summary.json.at("topics").as_array();
    const auto point = std::find_if(topics.begin(), topics.end(), [](const auto& t) {
        return t.at("topic").as_string() == "contact_point_24_7";
    });
    ASSERT_NE(point, topics.end()) << summary.body;
    EXPECT_EQ(point->at("matched_needs").as_int64(), 1);
    EXPECT_EQ(point->at("score_total").as_int64(), 4);
    auto withdraw = On(1, "POST", "/api/v1/assistance/postings/" + need_id + "/withdraw", "{}");
    EXPECT_EQ(withdraw.status, 400u) << withdraw.body;
    EXPECT_TRUE(
        On(0, "GET", "/api/v1/assistance/engagements").json.at("engagements").as_array().empty()
    );
}

// fr.central is attached to hu.poc, its secretariat's node (docs/assistance.md "Between nodes").
class AssistanceBetweenNodesTest : public AssistanceApiTest {
protected:
    AssistanceBetweenNodesTest() { federated_ = true; }

    // The posting `id` as node i sees it, once `done` holds for it (null if it never does).
    boost::json::object PostingWhen(
        std::size_t i,
        const std::string& id,
        const std::function<bool(const boost::json::object&)>& done
    ) {
        boost::json::object found;
        const bool seen = test_util::WaitFor([&] {
            auto r = clients_[i]->Call("GET", "/api/v1/assistance/postings/" + id, "");
            if (!r || r->status != 200 || !done(r->json)) {
                return false;
            }
            found = r->json;
            return true;
        });
        EXPECT_TRUE(seen) << "posting " << id << " on node " << i;
        return found;
    }

    boost::json::object EngagementWhen(
        std::size_t i, const std::string& id, std::string_view state, std::int64_t revision
    ) {
        boost::json::object found;
        const bool seen = test_util::WaitFor([&] {
            auto r = clients_[i]->Call("GET", "/api/v1/assistance/engagements/" + id, "");
            if (!r || r->status != 200 || r->json.at("state").as_string() != state ||
                r->json.at("revision").as_int64() != revision) {
                return false;
            }
            found = r->json;
            return true;
        });
        EXPECT_TRUE(seen) << "engagement " << id << " " << state << " revision " << revision
                          << " on node " << i;
        return found;
    }

    // Sends `op` from fr.central to hu.poc as a raw notice and waits for hu.poc's receipt.
    void SendRaw(const boost::json::object& op) {
        boost::json::object submit{
            {"to", inits_[1].entry.id},
            {"type", "notice"},
            {"priority", "normal"},
            {"body", boost::json::object{{"concord_assistance", op}}}};
        auto sent = On(0, "POST", "/api/v1/messages", boost::json::serialize(submit));
        ASSERT_EQ(sent.status, 201u) << sent.body;
        const std::string id(sent.json.at("id").as_string());
        EXPECT_TRUE(test_util::WaitFor([&] {
            auto r = clients_[0]->Call("GET", "/api/v1/messages/" + id + "?box=outbox", "");
            return r && r->status == 200 && r->json.at("status").as_string() == "delivered";
        })) << boost::json::serialize(op);
    }
};

TEST_F(AssistanceBetweenNodesTest, AStatesPostingsReachTheSecretariatAndItsEngagementComesBack) {
    auto need = On(0, "POST", "/api/v1/assistance/needs", kNeed);
    ASSERT_EQ(need.status, 201u) << need.body;
    const std::string need_id(need.json.at("id").as_string());
    EXPECT_EQ(need.json.at("node").as_string(), "");
    // The secretariat holds the need under the same id, for the sender's party.
    auto at_hu = PostingWhen(1, need_id, [](const auto&) { return true; });
    EXPECT_EQ(at_hu.at("party").as_string(), "FR");
    EXPECT_EQ(at_hu.at("node").as_string(), inits_[0].entry.id);
    EXPECT_EQ(at_hu.at("status").as_string(), "open");
    EXPECT_EQ(at_hu.at("description").as_string(), "Set up a 24/7 point of contact");
    // A posting withdrawn at the State is withdrawn at the secretariat; the secretariat does
    // not withdraw what a State's node sent it.
    std::string other(kNeed);
    other.replace(other.find("contact_point_24_7"), 18, "digital_forensics");
    auto second = On(0, "POST", "/api/v1/assistance/needs", other);
    ASSERT_EQ(second.status, 201u) << second.body;
    const std::string second_id(second.json.at("id").as_string());
    PostingWhen(1, second_id, [](const auto&) { return true; });
    auto refused = On(1, "POST", "/api/v1/assistance/postings/" + second_id + "/withdraw", "{}");
    EXPECT_EQ(refused.status, 400u) << refused.body;
    EXPECT_NE(refused.body.find("that node withdraws it"), std::string::npos) << refused.body;
    auto withdrawn = On(0, "POST", "/api/v1/assistance/postings/" + second_id + "/withdraw", "{}");
    ASSERT_EQ(withdrawn.status, 200u) << withdrawn.body;
    PostingWhen(1, second_id, [](const auto& p) {
        return p.at("status").as_string() == "withdrawn";
    });

    // The secretariat matches the need with an offer it records for BE.
    const std::string offer_body =
        R"({"topic":"contact_point_24_7","languages":["fr"],"from":"2027-02-01",)"
        R"("to":"2027-04-30","description":"Our 24/7 desk trains yours","party":"BE"})";
    auto offer = On(1, "POST", "/api/v1/assistance/offers", offer_body);
    ASSERT_EQ(offer.status, 201u) << offer.body;
    const std::string offer_id(offer.json.at("id").as_string());
    auto engaged =
        On(1,
           "POST",
           "/api/v1/assistance/engagements",
           R"({"need":")" + need_id + R"(","offer":")" + offer_id + R"("})");
    ASSERT_EQ(engaged.status, 201u) << engaged.body;
    const std::string engagement_id(engaged.json.at("id").as_string());
    EXPECT_EQ(engaged.json.at("revision").as_int64(), 1);

    // The State's node learns of it: the engagement, its need matched, and BE's offer.
    auto at_fr = EngagementWhen(0, engagement_id, "agreed", 1);
    EXPECT_EQ(at_fr.at("beneficiary").as_string(), "FR");
    EXPECT_EQ(at_fr.at("provider").as_string(), "BE");
    PostingWhen(0, need_id, [](const auto& p) { return p.at("status").as_string() == "matched"; });
    auto be_offer = PostingWhen(0, offer_id, [](const auto&) { return true; });
    EXPECT_EQ(be_offer.at("party").as_string(), "BE");
    EXPECT_EQ(be_offer.at("description").as_string(), "Our 24/7 desk trains yours");
    EXPECT_EQ(be_offer.at("node").as_string(), inits_[1].entry.id);
    // A State's node attached to a secretariat does not engage by itself.
    auto own_engage =
        On(0,
           "POST",
           "/api/v1/assistance/engagements",
           R"({"need":")" + need_id + R"(","offer":")" + offer_id + R"("})");
    EXPECT_EQ(own_engage.status, 403u) << own_engage.body;

    // The State delivers; the secretariat takes the step and sends its view back.
    const std::string steps = "/api/v1/assistance/engagements/" + engagement_id + "/steps";
    auto delivered = On(0, "POST", steps, R"({"step":"deliver"})");
    ASSERT_EQ(delivered.status, 200u) << delivered.body;
    EXPECT_EQ(delivered.json.at("state").as_string(), "delivered");
    // The step as the State's node recorded it waits for the secretariat's answer.
    EXPECT_TRUE(delivered.json.at("awaiting").as_bool());
    EngagementWhen(1, engagement_id, "delivered", 2);
    auto answered = EngagementWhen(0, engagement_id, "delivered", 2);
    EXPECT_FALSE(answered.at("awaiting").as_bool());
    EXPECT_FALSE(EngagementWhen(1, engagement_id, "delivered", 2).at("awaiting").as_bool());
    // The secretariat evaluates; the State sees the evaluation.
    auto evaluated =
        On(1, "POST", steps, R"({"step":"evaluate","score":5,"comment":"Desk answers at night"})");
    ASSERT_EQ(evaluated.status, 200u) << evaluated.body;
    auto final_fr = EngagementWhen(0, engagement_id, "evaluated", 3);
    EXPECT_EQ(final_fr.at("evaluation").at("score").as_int64(), 5);
    EXPECT_EQ(final_fr.at("evaluation").at("comment").as_string(), "Desk answers at night");
    // A step the State's node's own view does not allow is refused there and sends nothing.
    auto late = On(0, "POST", steps, R"({"step":"cancel","comment":"late"})");
    EXPECT_EQ(late.status, 400u) << late.body;
    EngagementWhen(0, engagement_id, "evaluated", 3);
}

TEST_F(AssistanceBetweenNodesTest, WhatAStatesNodeMayNotSendIsRefusedAndChangesNothing) {
    auto offer =
        On(1,
           "POST",
           "/api/v1/assistance/offers",
           R"({"topic":"digital_forensics","languages":["en"],"from":"2027-02-01",)"
           R"("to":"2027-04-30","description":"A lab for a month","party":"BE"})");
    ASSERT_EQ(offer.status, 201u) << offer.body;
    const std::string offer_id(offer.json.at("id").as_string());
    const boost::json::object posting{
        {"id", "01900000-0000-7000-8000-000000000001"},
        {"kind", "need"},
        {"party", "FR"},
        {"topic", "digital_forensics"},
        {"languages", boost::json::array{"en"}},
        {"from", "2027-03-01"},
        {"to", "2027-03-31"},
        {"description", "A lab"}};
    auto for_de = posting;
    for_de["party"] = "DE";
    auto bad_topic = posting;
    bad_topic["topic"] = "hacking";
    auto bad_period = posting;
    bad_period["to"] = "2027-02-01";
    SendRaw({{"op", "post"}, {"posting", for_de}});
    SendRaw({{"op", "post"}, {"posting", bad_topic}});
    SendRaw({{"op", "post"}, {"posting", bad_period}});
    SendRaw({{"op", "post"}, {"posting", "not an object"}});
    SendRaw({{"op", "withdraw"}, {"posting", offer_id}});
    SendRaw(
        {{"op", "step"},
         {"engagement", "01900000-0000-7000-8000-000000000002"},
         {"step", "deliver"},
         {"score", 0},
         {"comment", ""}}
    );
    SendRaw({{"op", "engagement"}, {"engagement", boost::json::object{}}});
    SendRaw({{"op", "erase"}});
    // Each arrived and was refused: the secretariat holds its own offer, still open, only.
    auto listed = On(1, "GET", "/api/v1/assistance/postings");
    ASSERT_EQ(listed.status, 200u) << listed.body;
    ASSERT_EQ(listed.json.at("postings").as_array().size(), 1U) << listed.body;
    EXPECT_EQ(listed.json.at("postings").as_array()[0].at("id").as_string(), offer_id);
    EXPECT_EQ(listed.json.at("postings").as_array()[0].at("status").as_string(), "open");
    EXPECT_TRUE(
        On(1, "GET", "/api/v1/assistance/engagements").json.at("engagements").as_array().empty()
    );
    // A well-formed posting of the sender's own party is taken.
    SendRaw({{"op", "post"}, {"posting", posting}});
    EXPECT_EQ(Postings(1), 2U);
    // A withdrawal that overtook its post records the posting withdrawn; the post that
    // follows it is refused as recorded already.
    auto late = posting;
    late["id"] = "01900000-0000-7000-8000-000000000003";
    SendRaw({{"op", "withdraw"}, {"posting", late}});
    SendRaw({{"op", "post"}, {"posting", late}});
    auto overtaken =
        On(1, "GET", "/api/v1/assistance/postings/01900000-0000-7000-8000-000000000003");
    ASSERT_EQ(overtaken.status, 200u) << overtaken.body;
    EXPECT_EQ(overtaken.json.at("status").as_string(), "withdrawn");
    EXPECT_EQ(Postings(1), 3U);
}

}  // namespace
}  // namespace concord::server
