// /api/v1/assistance over HTTPS on two in-process nodes (docs/assistance.md): fr.central, a
// State's node, and hu.poc configured as a treaty secretariat's. Bad input is a typed 4xx that
// changes nothing; a State's node posts for its own party only; the secretariat records, ranks,
// matches and follows an engagement to its evaluation.

#include <algorithm>
#include <filesystem>
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
    // The node of a State holds no other party's offers: nothing travels between nodes.
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

}  // namespace
}  // namespace concord::server
