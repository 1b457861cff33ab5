#include "concord/legal/render.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

std::string ExampleJson() {
    std::ifstream in(
        std::string(CONCORD_SOURCE_DIR) + "/instruments/examples/expedited-preservation.json"
    );
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(RenderRequest, LabelsFieldsInTheReceiversLanguageAndMarksFreeText) {
    auto text = RenderRequest(testing::TestCatalog(), ExampleJson(), "fr");
    ASSERT_TRUE(text.has_value()) << text.error().message;
    EXPECT_NE(text->find("Résumé des faits"), std::string::npos) << *text;
    EXPECT_NE(text->find("Hongrie (HU)"), std::string::npos);
    EXPECT_NE(text->find("Données relatives au trafic"), std::string::npos);
    EXPECT_NE(text->find("à traduire"), std::string::npos);  // English free text
    EXPECT_NE(text->find("budapest:29"), std::string::npos);
}

TEST(RenderRequest, EveryLanguageRendersWithoutRawKeys) {
    for (std::string_view lang : kLanguages) {
        auto text = RenderRequest(testing::TestCatalog(), ExampleJson(), lang);
        ASSERT_TRUE(text.has_value()) << lang;
        EXPECT_EQ(text->find("field."), std::string::npos) << lang << *text;
        EXPECT_EQ(text->find("value."), std::string::npos) << lang;
    }
    auto en = RenderRequest(testing::TestCatalog(), ExampleJson(), "en");
    EXPECT_EQ(en->find("needs translation"), std::string::npos);  // already English
}

TEST(RenderRequest, RejectsUnknownLanguageAndBadJson) {
    EXPECT_FALSE(RenderRequest(testing::TestCatalog(), ExampleJson(), "de").has_value());
    EXPECT_FALSE(RenderRequest(testing::TestCatalog(), "[1,2", "en").has_value());
}

}  // namespace
}  // namespace concord::legal
