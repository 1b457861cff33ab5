// The request forms as the web UI builds them: every type and field of the catalogue, labels in
// the asked language, allowed values with their labels, citations with their status, and an
// example that passes the check.

#include "concord/legal/json_view.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "concord/legal/check.hpp"

#include "test_support.hpp"

namespace concord::legal {
namespace {

const boost::json::object* FindById(const boost::json::array& items, std::string_view id) {
    for (const auto& item : items) {
        if (item.as_object().at("id").as_string() == id) {
            return &item.as_object();
        }
    }
    return nullptr;
}

TEST(FormsJson, EveryTypeAndFieldWithLabelsValuesCitationsAndACheckedExample) {
    const Catalog& catalog = testing::TestCatalog();
    const boost::json::array forms = boost::json::parse(FormsJson(catalog, "fr")).as_array();
    ASSERT_EQ(forms.size(), catalog.request_types.size());
    for (const auto& [id, type] : catalog.request_types) {
        const boost::json::object* form = FindById(forms, id);
        ASSERT_NE(form, nullptr) << id;
        EXPECT_EQ(form->at("name").as_string(), Pick(type.name, "fr")) << id;
        const auto& fields = form->at("fields").as_array();
        ASSERT_EQ(fields.size(), type.fields.size()) << id;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const auto& f = fields[i].as_object();
            EXPECT_EQ(f.at("name").as_string(), type.fields[i].name);
            EXPECT_EQ(
                f.at("label").as_string(),
                Pick(catalog.messages.at("field." + type.fields[i].name), "fr")
            );
            EXPECT_EQ(f.at("values").as_array().size(), type.fields[i].values.size());
            EXPECT_EQ(f.at("cites").as_array().size(), type.fields[i].cites.size());
        }
        const auto& example = form->at("example");
        ASSERT_TRUE(example.is_object()) << id << " has no example";
        const auto findings = CheckRequest(catalog, boost::json::serialize(example), "en");
        EXPECT_FALSE(HasErrors(findings)) << id;
    }
}

TEST(FormsJson, EnumValuesCarryTheirLabelAndCitationsTheirStatus) {
    const Catalog& catalog = testing::TestCatalog();
    const boost::json::array forms = boost::json::parse(FormsJson(catalog, "es")).as_array();
    const auto* hearing = FindById(forms, "video_hearing");
    ASSERT_NE(hearing, nullptr);
    bool seen_role = false;
    for (const auto& f : hearing->at("fields").as_array()) {
        if (f.as_object().at("name") != "hearing_role") {
            continue;
        }
        seen_role = true;
        const auto& values = f.as_object().at("values").as_array();
        ASSERT_FALSE(values.empty());
        for (const auto& v : values) {
            const std::string value(v.as_object().at("value").as_string());
            EXPECT_EQ(
                v.as_object().at("label").as_string(),
                Pick(catalog.messages.at("value." + value), "es")
            );
        }
    }
    EXPECT_TRUE(seen_role);
    for (const auto& b : hearing->at("bases").as_array()) {
        const std::string verification(b.as_object().at("verification").as_string());
        EXPECT_TRUE(
            verification == "verified" || verification == "secondary" ||
            verification == "unverified"
        ) << verification;
    }
}

TEST(FormsJson, EachBasisListsTheRefusalGroundsTheLifecycleAcceptsInTheLanguageAsked) {
    const Catalog& catalog = testing::TestCatalog();
    const boost::json::array forms = boost::json::parse(FormsJson(catalog, "ru")).as_array();
    std::size_t grounds_seen = 0;
    for (const auto& [id, type] : catalog.request_types) {
        const boost::json::object* form = FindById(forms, id);
        ASSERT_NE(form, nullptr) << id;
        const auto& bases = form->at("bases").as_array();
        ASSERT_EQ(bases.size(), type.bases.size()) << id;
        for (std::size_t i = 0; i < bases.size(); ++i) {
            const auto& listed = bases[i].as_object().at("refusal_grounds").as_array();
            ASSERT_EQ(listed.size(), type.bases[i].refusal_grounds.size()) << id;
            for (std::size_t k = 0; k < listed.size(); ++k) {
                const auto& g = listed[k].as_object();
                const std::string ground(g.at("id").as_string());
                EXPECT_EQ(ground, type.bases[i].refusal_grounds[k]);
                const RefusalGround& known = catalog.refusal_grounds.at(ground);
                EXPECT_EQ(g.at("text").as_string(), Pick(known.text, "ru")) << ground;
                EXPECT_EQ(g.at("cites").as_array().size(), known.cites.size()) << ground;
                ++grounds_seen;
            }
            EXPECT_EQ(
                bases[i].as_object().at("refusal_law_cite").as_string(),
                type.bases[i].refusal_law_cite
            );
        }
    }
    EXPECT_GT(grounds_seen, 0U);
}

}  // namespace
}  // namespace concord::legal
