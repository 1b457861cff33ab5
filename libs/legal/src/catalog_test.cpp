#include "concord/legal/catalog.hpp"

#include <filesystem>
#include <fstream>

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
          "translation_needed"}) {
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

TEST(Catalog, MissingDirectoryIsNotFound) {
    auto c = LoadCatalog("/nonexistent/instruments");
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace concord::legal
