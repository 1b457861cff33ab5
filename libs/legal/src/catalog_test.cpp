#include "concord/legal/catalog.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

using testing::TestCatalog;

TEST(Catalog, LoadsAllSevenInstruments) {
    const Catalog& c = TestCatalog();
    for (const char* id :
         {"ru-draft-2021",
          "un-2024",
          "budapest",
          "budapest-2ap",
          "eu-2023-1543",
          "uncac",
          "untoc"}) {
        EXPECT_TRUE(c.instruments.contains(id)) << id;
    }
    EXPECT_EQ(
        c.instruments.at("budapest").FindArticle("29")->verification, Verification::kVerified
    );
    EXPECT_EQ(
        c.instruments.at("un-2024").FindArticle("42")->verification, Verification::kUnverified
    );
}

TEST(Catalog, RussianDraftHasTwentyThreeOffencesWithoutArticleNumbers) {
    const Instrument& draft = TestCatalog().instruments.at("ru-draft-2021");
    int offences = 0;
    for (const Article& a : draft.articles) {
        if (a.kind == "offence") {
            ++offences;
            EXPECT_TRUE(a.number.empty()) << a.id;  // never an invented article number
            EXPECT_NE(a.verification, Verification::kVerified) << a.id;
        }
    }
    EXPECT_EQ(offences, 23);
}

TEST(Catalog, EveryTextExistsInAllSixLanguages) {
    const Catalog& c = TestCatalog();
    auto check = [](const Localized& text, const std::string& where) {
        for (std::string_view lang : kLanguages) {
            auto it = text.find(lang);
            ASSERT_NE(it, text.end()) << where << " lacks " << lang;
            EXPECT_FALSE(it->second.empty()) << where << " " << lang;
        }
    };
    for (const auto& [key, text] : c.messages) {
        check(text, key);
    }
    for (const auto& [id, ins] : c.instruments) {
        check(ins.title, id);
        for (const Article& a : ins.articles) {
            check(a.title, id + ":" + a.id);
        }
        for (const Definition& d : ins.definitions) {
            check(d.text, id + " definition " + d.term);
        }
    }
    for (const auto& [id, rt] : c.request_types) {
        check(rt.name, id);
        for (const FieldSpec& f : rt.fields) {
            ASSERT_TRUE(c.messages.contains("field." + f.name)) << f.name;
        }
    }
    for (const auto& [id, concept_entry] : c.concepts) {
        check(concept_entry.title, id);
    }
    for (const auto& [id, g] : c.refusal_grounds) {
        check(g.text, id);
    }
    EXPECT_GT(c.messages.size(), 150U);
}

TEST(Catalog, EveryFindingCodeTheCheckerUsesHasAText) {
    const Catalog& c = TestCatalog();
    for (const char* code :
         {"request_malformed",
          "request_type_unknown",
          "party_unknown",
          "same_party",
          "instrument_unknown",
          "request_type_not_allowed",
          "party_not_bound",
          "basis_selected",
          "alternative_basis",
          "no_common_basis",
          "field_missing",
          "field_invalid",
          "checksum_not_verified",
          "field_unknown",
          "issuer_not_competent",
          "emergency_established",
          "emergency_not_established",
          "offence_unspecified",
          "concept_unknown",
          "offence_unknown",
          "citation_unverified",
          "excluded_by_reservation",
          "reservation_applies",
          "offence_reservation",
          "channel_reservation",
          "reservations_not_encoded",
          "dual_criminality_not_required",
          "dual_criminality_satisfied",
          "dual_criminality_not_established",
          "deadline",
          "refusal_grounds",
          "translation_needed",
          "penalty_threshold_not_met",
          "penalty_threshold_met",
          "penalty_unknown",
          "penalty_threshold_exempt",
          "member_unknown",
          "emergency_not_applicable",
          "basis_offence_scope",
          "other_channels",
          "group_instrument_applies",
          "reservation_out_of_scope",
          "dual_criminality_national",
          "dual_criminality_partial",
          "dual_criminality_may_refuse",
          "dual_criminality_unknown",
          "refusal_grounds_stated",
          "refusal_under_law"}) {
        EXPECT_TRUE(c.messages.contains(std::string("finding.") + code)) << code;
    }
}

TEST(Catalog, TheIssueRequestTypesAreAllPresent) {
    const Catalog& c = TestCatalog();
    for (const char* id :
         {"expedited_preservation",
          "preserved_traffic_disclosure",
          "mla_stored_data",
          "emergency_disclosure",
          "emergency_mla",
          "direct_subscriber_order",
          "giving_effect_to_order",
          "domain_registration_info",
          "epoc",
          "epoc_pr",
          "realtime_traffic",
          "interception",
          "extradition",
          "provisional_arrest",
          "freezing_seizure",
          "confiscation",
          "asset_return",
          "spontaneous_information",
          "video_hearing",
          "joint_investigation",
          "technical_assistance"}) {
        ASSERT_TRUE(c.request_types.contains(id)) << id;
        EXPECT_FALSE(c.request_types.at(id).bases.empty()) << id;
    }
}

TEST(Catalog, PartyStatusComesWithSourceAndDate) {
    const Catalog& c = TestCatalog();
    for (const auto& [code, party] : c.parties) {
        for (const PartyInstrument& pi : party.instruments) {
            EXPECT_FALSE(pi.source.empty()) << code;
            EXPECT_EQ(pi.as_of.size(), 10U) << code;
        }
    }
    EXPECT_TRUE(c.parties.at("FR").BoundBy("budapest", "2026-03-02"));
    EXPECT_FALSE(c.parties.at("FR").BoundBy("budapest", "2006-04-30"));
    EXPECT_FALSE(c.parties.at("VN").BoundBy("un-2024", "2026-03-02"));
}

class MalformedCatalog : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("concord-legal-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::copy(
            std::string(CONCORD_SOURCE_DIR) + "/instruments",
            dir_,
            std::filesystem::copy_options::recursive
        );
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void Append(const std::string& file, const std::string& text) {
        std::ofstream(dir_ / file, std::ios::app) << text;
    }
    std::filesystem::path dir_;
};

TEST_F(MalformedCatalog, SyntaxErrorNamesFileLineAndReason) {
    Append("budapest.toml", "\n[[article]]\nid = \"99\nkind = \"offence\"\n");
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    const std::string& msg = c.error().message;
    EXPECT_NE(msg.find("budapest.toml:"), std::string::npos) << msg;
    const std::size_t lines = [&] {
        std::ifstream in(dir_ / "budapest.toml");
        return static_cast<std::size_t>(
            std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n')
        );
    }();
    EXPECT_NE(msg.find(":" + std::to_string(lines - 1) + ":"), std::string::npos) << msg;
}

TEST_F(MalformedCatalog, MissingTranslationNamesFileLineAndLanguage) {
    Append(
        "budapest.toml",
        "\n[[article]]\nid = \"99\"\nkind = \"final\"\nverification = \"unverified\"\n"
        "source = \"x\"\ntitle = { en = \"Only English\" }\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("budapest.toml:"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("missing the 'ar' text"), std::string::npos)
        << c.error().message;
}

TEST_F(MalformedCatalog, UnknownCitationIsRefused) {
    Append(
        "refusal-grounds.toml",
        "\n[[ground]]\nid = \"bogus\"\ncite = [\"budapest:999\"]\ntext = { ar = \"a\", zh = \"b\", "
        "en = \"c\", fr = \"d\", ru = \"e\", es = \"f\" }\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("refusal-grounds.toml:"), std::string::npos);
    EXPECT_NE(c.error().message.find("budapest:999"), std::string::npos) << c.error().message;
}

TEST_F(MalformedCatalog, AValueRuleNamesAnEnumFieldOfItsFormAndValuesOfThatField) {
    // The last request type's last basis gets a rule on a field its form does not have.
    Append(
        "request-types.toml",
        "\n[[request_type.basis.value_rule]]\nfield = \"hearing_role\"\nvalues = [\"witness\"]\n"
        "cite = \"uncac:46(18)\"\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("request-types.toml:"), std::string::npos);
    EXPECT_NE(c.error().message.find("'hearing_role' is not an enum field"), std::string::npos)
        << c.error().message;

    // On the hearing form, a value the field does not have.
    const auto file = dir_ / "request-types.toml";
    std::string text = [&] {
        std::ifstream in(file);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }();
    text = text.substr(0, text.rfind("\n[[request_type.basis.value_rule]]"));
    const std::string rule = "values = [\"witness\", \"expert\"]";
    ASSERT_NE(text.find(rule), std::string::npos);
    text.replace(text.find(rule), rule.size(), "values = [\"witness\", \"bystander\"]");
    std::ofstream(file, std::ios::trunc) << text;
    auto bad_value = LoadCatalog(dir_);
    ASSERT_FALSE(bad_value.has_value());
    EXPECT_NE(
        bad_value.error().message.find("'bystander' is not a value of 'hearing_role'"),
        std::string::npos
    ) << bad_value.error().message;
}

TEST_F(MalformedCatalog, PenaltyThresholdCitingAnUnknownArticleIsRefused) {
    Append(
        "un-2024.toml",
        "\n[[penalty_threshold]]\nid = \"bogus\"\nmin_years = 4\napplies_to = \"all_offences\"\n"
        "cite = [\"999(1)\"]\nverification = \"unverified\"\nsource = \"x\"\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("un-2024.toml:"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("'999(1)'"), std::string::npos) << c.error().message;
}

TEST_F(MalformedCatalog, PenaltyThresholdWithAnUnknownRequestTypeIsRefused) {
    Append(
        "un-2024.toml",
        "\n[[penalty_threshold]]\nid = \"bogus\"\nmin_years = 4\napplies_to = \"all_offences\"\n"
        "request_types = [\"telepathy\"]\ncite = [\"35\"]\nverification = \"unverified\"\n"
        "source = \"x\"\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("un-2024.toml"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("'telepathy'"), std::string::npos) << c.error().message;
}

TEST(Catalog, PenaltyThresholdsComeFromTheData) {
    const Catalog& c = TestCatalog();
    const auto& un = c.instruments.at("un-2024").penalty_thresholds;
    ASSERT_EQ(un.size(), 1U);
    EXPECT_EQ(un[0].min_years, 4);
    EXPECT_TRUE(un[0].other_offences_only);
    EXPECT_EQ(un[0].cites.front(), "un-2024:35(1)(c)");
    EXPECT_EQ(un[0].definition, "serious_crime");
    const auto& eu = c.instruments.at("eu-2023-1543").penalty_thresholds;
    ASSERT_EQ(eu.size(), 1U);
    EXPECT_EQ(eu[0].min_years, 3);
    EXPECT_FALSE(eu[0].other_offences_only);
    EXPECT_EQ(eu[0].categories, (std::vector<std::string>{"traffic", "content"}));
    EXPECT_EQ(eu[0].cites.front(), "eu-2023-1543:5(4)");
}

TEST(Catalog, DemoPartiesNameTheirDesignatedAuthoritiesWithSources) {
    const Catalog& c = TestCatalog();
    for (const char* code : {"FR", "HU"}) {
        const Party& p = c.parties.at(code);
        std::set<std::string> roles;
        for (const Authority& a : p.authorities) {
            roles.insert(a.role);
            EXPECT_FALSE(a.name.empty()) << code;
            EXPECT_FALSE(a.source.empty()) << code << " " << a.name;
            EXPECT_EQ(a.as_of.size(), 10U) << code << " " << a.name;
            EXPECT_NE(c.FindCitation(a.instrument + ":" + a.article), nullptr) << code;
        }
        EXPECT_TRUE(roles.contains("central_authority")) << code;
        EXPECT_TRUE(roles.contains("contact_point_24_7")) << code;
    }
}

TEST_F(MalformedCatalog, AuthorityWithAnUnknownRoleIsRefused) {
    Append(
        "parties/HU.toml",
        "\n[[authority]]\nrole = \"oracle\"\nname = \"x\"\nsource = \"x\"\n"
        "as_of = 2020-01-01\nverification = \"unverified\"\n"
    );
    auto c = LoadCatalog(dir_);
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("HU.toml:"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("'oracle'"), std::string::npos) << c.error().message;
}

TEST(Catalog, MissingDirectoryIsNotFound) {
    auto c = LoadCatalog("/nonexistent/instruments");
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace concord::legal
