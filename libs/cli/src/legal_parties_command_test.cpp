// Tests of `concord legal parties` through cli::Run, on the shipped instruments directory.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "concord/legal/catalog.hpp"

#include "cli_test_util.hpp"

namespace concord::cli {
namespace {

const std::string kInstrumentsDir = std::string(CONCORD_SOURCE_DIR) + "/instruments";

using testing::RunCli;

const legal::Catalog& Catalog() {
    static const legal::Catalog catalog = [] {
        auto c = legal::LoadCatalog(kInstrumentsDir);
        EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
        return c ? std::move(*c) : legal::Catalog{};
    }();
    return catalog;
}

TEST(LegalParties, JsonListsEveryPartyWithStatusAndSource) {
    auto r = RunCli(
        {"legal",
         "parties",
         "--instruments",
         kInstrumentsDir,
         "--instrument",
         "budapest",
         "--date",
         "2026-03-01",
         "--json"}
    );
    ASSERT_EQ(r.status, 0) << r.err;
    const auto root = boost::json::parse(r.out).as_object();
    EXPECT_EQ(root.at("date").as_string(), "2026-03-01");
    const auto& instruments = root.at("instruments").as_array();
    ASSERT_EQ(instruments.size(), 1U);
    const auto& budapest = instruments[0].as_object();
    const auto& parties = budapest.at("parties").as_array();
    const auto expected = legal::PartiesTo(Catalog(), "budapest", "2026-03-01");
    ASSERT_EQ(parties.size(), expected.size());
    std::size_t in_force = 0;
    for (std::size_t i = 0; i < parties.size(); ++i) {
        const auto& p = parties[i].as_object();
        EXPECT_EQ(p.at("code").as_string(), expected[i].party->code);
        EXPECT_EQ(p.at("status").as_string(), legal::PartyStatusName(expected[i].status));
        EXPECT_FALSE(p.at("source").as_string().empty());
        in_force += p.at("status").as_string() == "in_force" ? 1U : 0U;
    }
    EXPECT_EQ(budapest.at("counts").as_object().at("in_force").to_number<std::size_t>(), in_force);
    std::cout << "[ counts   ] budapest " << boost::json::serialize(budapest.at("counts")) << "\n";
}

TEST(LegalParties, HumanOutputFollowsTheLanguage) {
    for (const char* lang : {"ar", "zh", "en", "fr", "ru", "es"}) {
        auto r = RunCli(
            {"legal",
             "parties",
             "--instruments",
             kInstrumentsDir,
             "--instrument",
             "budapest",
             "--date",
             "2026-03-01",
             "--lang",
             lang}
        );
        ASSERT_EQ(r.status, 0) << r.err;
        const legal::Party& al = Catalog().parties.at("AL");
        EXPECT_NE(r.out.find(std::string(legal::Pick(al.name, lang))), std::string::npos) << lang;
        EXPECT_NE(r.out.find(Catalog().Text("party_status.in_force", lang)), std::string::npos)
            << lang;
        EXPECT_EQ(r.out.find("party_status."), std::string::npos) << lang;
    }
}

TEST(LegalParties, UnknownInstrumentIsAnError) {
    auto r = RunCli({"legal", "parties", "--instruments", kInstrumentsDir, "--instrument", "nope"});
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("unknown instrument 'nope'"), std::string::npos) << r.err;
}

TEST(LegalParties, AllInstrumentsByDefault) {
    auto r = RunCli({"legal", "parties", "--instruments", kInstrumentsDir, "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto root = boost::json::parse(r.out).as_object();
    EXPECT_EQ(root.at("instruments").as_array().size(), Catalog().instruments.size());
}

}  // namespace
}  // namespace concord::cli
