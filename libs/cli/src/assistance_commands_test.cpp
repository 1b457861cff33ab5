// concord assistance ... against two real nodes started in-process: fr.central (party FR) and
// hu.poc configured as a treaty secretariat's node, over their local APIs on loopback HTTPS.

#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "concord/crypto/init.hpp"
#include "concord/server/config.hpp"
#include "concord/server/init.hpp"
#include "concord/server/service.hpp"
#include "concord/server/testing/two_nodes.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

using testing::Output;
using testing::RunCli;

class AssistanceCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialize());
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-cli-assistance-" + std::to_string(std::random_device{}()));
        auto inits = server::test_util::InitTwoNodes(dir_, directory_key_);
        ASSERT_TRUE(inits) << inits.error().ToString();
        inits_ = std::move(*inits);
        auto written = server::test_util::WriteDirectory(dir_, inits_, directory_key_, 1);
        ASSERT_TRUE(written) << written.error().ToString();
        for (std::size_t i = 0; i < inits_.size(); ++i) {
            auto config = server::LoadConfig(inits_[i].config_file);
            ASSERT_TRUE(config) << config.error().ToString();
            config->assistance_secretariat = i == 1;
            auto service = server::NodeService::Start(*config);
            ASSERT_TRUE(service) << service.error().ToString();
            services_.push_back(std::move(*service));
        }
    }

    void TearDown() override {
        services_.clear();
        std::filesystem::remove_all(dir_);
    }

    // `concord ARGS... --api A --token T --tls-pin P` against node `i`.
    Output On(std::size_t i, std::vector<std::string> args) const {
        args.insert(
            args.end(),
            {"--api",
             "https://127.0.0.1:" + std::to_string(services_[i]->ApiPort()),
             "--token",
             inits_[i].api_token,
             "--tls-pin",
             inits_[i].entry.tls_sha256}
        );
        return RunCli(args);
    }

    // Posts a need or offer on node `i` and returns its JSON.
    boost::json::object Post(
        std::size_t i, const std::string& kind, const std::string& party, const std::string& to
    ) {
        std::vector<std::string> args{
            "assistance",
            kind,
            "--topic",
            "digital_forensics",
            "--language",
            "en",
            "--language",
            "fr",
            "--from",
            "2027-03-01",
            "--to",
            to,
            "--description",
            "Two forensic examiners for a week",
            "--json"};
        if (!party.empty()) {
            args.insert(args.end(), {"--party", party});
        }
        Output o = On(i, args);
        EXPECT_EQ(o.status, 0) << o.err;
        if (o.status != 0) {
            return {};
        }
        return boost::json::parse(o.out).as_object();
    }

    std::size_t Listed(std::size_t i) const {
        Output o = On(i, {"assistance", "list", "--json"});
        EXPECT_EQ(o.status, 0) << o.err;
        return o.status == 0 ? boost::json::parse(o.out).at("postings").as_array().size() : 0;
    }

    std::filesystem::path dir_;
    crypto::SigningKey directory_key_ = crypto::SigningKey::Generate();
    std::vector<server::InitResult> inits_;
    std::vector<std::unique_ptr<server::NodeService>> services_;
};

TEST_F(AssistanceCommandsTest, AStatePostsAndTheSecretariatMatchesAndFollowsTheEngagement) {
    Output topics = On(0, {"assistance", "topics"});
    ASSERT_EQ(topics.status, 0) << topics.err;
    EXPECT_NE(topics.out.find("contact_point_24_7\n"), std::string::npos) << topics.out;

    // fr.central posts for its own party only.
    const auto own = Post(0, "need", "", "2027-03-31");
    EXPECT_EQ(own.at("party").as_string(), "FR");
    Output for_de =
        On(0,
           {"assistance",
            "offer",
            "--topic",
            "digital_forensics",
            "--language",
            "de",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-02",
            "--description",
            "x",
            "--party",
            "DE"});
    EXPECT_NE(for_de.status, 0);
    EXPECT_NE(for_de.err.find("permission_denied"), std::string::npos) << for_de.err;
    Output bad_topic =
        On(0,
           {"assistance",
            "need",
            "--topic",
            "hacking",
            "--language",
            "en",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-02",
            "--description",
            "x"});
    EXPECT_NE(bad_topic.status, 0);
    EXPECT_NE(bad_topic.err.find("unknown topic 'hacking'"), std::string::npos) << bad_topic.err;
    EXPECT_EQ(Listed(0), 1U);
    EXPECT_EQ(Listed(1), 0U);  // another node's store: nothing travels between nodes

    // The secretariat records what States sent it, ranks and matches.
    const auto need = Post(1, "need", "FR", "2027-03-31");
    const auto offer = Post(1, "offer", "DE", "2027-03-15");
    const std::string need_id(need.at("id").as_string());
    const std::string offer_id(offer.at("id").as_string());
    Output match = On(1, {"assistance", "match", need_id});
    ASSERT_EQ(match.status, 0) << match.err;
    // 50 + 30 + 20 * 15/31 (rounded down) = 89.
    EXPECT_NE(match.out.find("89  offer " + offer_id + " of DE"), std::string::npos) << match.out;
    EXPECT_NE(match.out.find("- shared languages: en, fr"), std::string::npos) << match.out;

    Output engaged = On(1, {"assistance", "engage", need_id, offer_id, "--json"});
    ASSERT_EQ(engaged.status, 0) << engaged.err;
    const std::string id(boost::json::parse(engaged.out).at("id").as_string());
    Output early = On(1, {"assistance", "evaluate", id, "--score", "5"});
    EXPECT_NE(early.status, 0);
    EXPECT_NE(early.err.find("assistance_wrong_state"), std::string::npos) << early.err;
    Output delivered = On(1, {"assistance", "deliver", id});
    ASSERT_EQ(delivered.status, 0) << delivered.err;
    EXPECT_NE(
        delivered.out.find(": delivered (digital_forensics, DE assists FR)"), std::string::npos
    ) << delivered.out;
    Output too_high = On(1, {"assistance", "evaluate", id, "--score", "9"});
    EXPECT_NE(too_high.status, 0);
    Output evaluated =
        On(1, {"assistance", "evaluate", id, "--score", "4", "--comment", "Useful and on time"});
    ASSERT_EQ(evaluated.status, 0) << evaluated.err;
    EXPECT_NE(evaluated.out.find("evaluation: 4/5 Useful and on time"), std::string::npos)
        << evaluated.out;
    Output listed = On(1, {"assistance", "engagements"});
    ASSERT_EQ(listed.status, 0) << listed.err;
    EXPECT_NE(listed.out.find("evaluated"), std::string::npos) << listed.out;
    Output summary = On(1, {"assistance", "summary"});
    ASSERT_EQ(summary.status, 0) << summary.err;
    // digital_forensics: no open need or offer, one matched need, one engagement evaluated 4.
    std::istringstream lines(summary.out);
    std::vector<std::string> cells;
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("digital_forensics ")) {
            std::istringstream words(line);
            for (std::string w; words >> w;) {
                cells.push_back(w);
            }
        }
    }
    EXPECT_EQ(
        cells, (std::vector<std::string>{"digital_forensics", "0", "0", "1", "1", "1", "4.0"})
    ) << summary.out;
    Output matched = On(1, {"assistance", "list", "--status", "matched", "--json"});
    ASSERT_EQ(matched.status, 0) << matched.err;
    EXPECT_EQ(boost::json::parse(matched.out).at("postings").as_array().size(), 2U);

    // An open posting is withdrawn; a matched one is not.
    Output withdrawn = On(0, {"assistance", "withdraw", std::string(own.at("id").as_string())});
    ASSERT_EQ(withdrawn.status, 0) << withdrawn.err;
    EXPECT_NE(withdrawn.out.find("withdrawn"), std::string::npos) << withdrawn.out;
    Output not_open = On(1, {"assistance", "withdraw", need_id});
    EXPECT_NE(not_open.status, 0);
}

}  // namespace
}  // namespace concord::cli
