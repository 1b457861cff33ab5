#include "concord/legal/render.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "concord/legal/check.hpp"

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
    EXPECT_NE(text->find("données relatives au trafic"), std::string::npos);
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

// What a receiver reads (the rendered request) and an officer reads (the findings' messages)
// about the example request, in `lang`.
std::string Rendered(std::string_view lang) {
    std::string text = *RenderRequest(testing::TestCatalog(), ExampleJson(), lang);
    if (std::getenv("CONCORD_PRINT_RENDERED") != nullptr) {
        std::cout << "=== " << lang << "\n" << text;
    }
    return text;
}

std::string Messages(std::string_view lang) {
    std::string all;
    for (const Finding& f : CheckRequest(testing::TestCatalog(), ExampleJson(), lang)) {
        if (f.code != "reservations_not_encoded") {  // quotes its source, in English
            all += f.message + "\n";
        }
    }
    if (std::getenv("CONCORD_PRINT_RENDERED") != nullptr) {
        std::cout << "=== " << lang << "\n" << all;
    }
    return all;
}

// The translation errors of the review of issue 8, §5, each a sentence built from fragments.
TEST(RenderRequest, NumbersGendersAndCasesAreWholeSentences) {
    const std::string ar = Messages("ar");
    EXPECT_EQ(ar.find("60 أيام"), std::string::npos) << ar;  // 11..99 take the singular
    EXPECT_NE(ar.find("60 يومًا"), std::string::npos) << ar;
    EXPECT_EQ(ar.find(';'), std::string::npos) << ar;  // the refusal grounds are joined by "؛"
    EXPECT_NE(ar.find("؛"), std::string::npos) << ar;
    const std::string ru = Messages("ru");
    EXPECT_NE(ru.find("не менее 60 дней"), std::string::npos) << ru;
    const std::string fr = Rendered("fr") + Messages("fr");
    EXPECT_EQ(fr.find("(e)"), std::string::npos) << fr;
    EXPECT_EQ(fr.find(" de Hongrie"), std::string::npos) << fr;
    EXPECT_EQ(fr.find(" à Convention"), std::string::npos) << fr;
    EXPECT_NE(fr.find("Partie requise : Hongrie (HU)"), std::string::npos) << fr;
    EXPECT_NE(fr.find("abonnés et données relatives au trafic"), std::string::npos) << fr;
    const std::string zh = Rendered("zh") + Messages("zh");
    EXPECT_NE(zh.find("匈牙利（HU）"), std::string::npos) << zh;
    EXPECT_NE(zh.find("订户信息和流量数据"), std::string::npos) << zh;
    EXPECT_EQ(Messages("zh").find_first_of(":;,("), std::string::npos) << zh;
    for (std::string_view lang : {"ar", "zh", "ru", "fr", "es"}) {
        const std::string all = Rendered(lang) + Messages(lang);
        for (const char* english : {"verified", "secondary", "needs translation", "English"}) {
            EXPECT_EQ(all.find(english), std::string::npos) << lang << ": " << english;
        }
    }
}

// The Arabic title of the Budapest reservation 29(4) speaks of refusing preservation (طلب
// التحفظ على البيانات), not of refusing a reservation (التحفظ alone means both).
TEST(RenderRequest, ArabicReservationTitleSaysPreservation) {
    const Reservation* r =
        testing::TestCatalog().instruments.at("budapest").FindReservation("29(4)");
    ASSERT_NE(r, nullptr);
    const std::string ar(Pick(r->title, "ar"));
    EXPECT_NE(ar.find("رفض طلب التحفظ على البيانات"), std::string::npos) << ar;
}

TEST(RenderRequest, RejectsUnknownLanguageAndBadJson) {
    EXPECT_FALSE(RenderRequest(testing::TestCatalog(), ExampleJson(), "de").has_value());
    EXPECT_FALSE(RenderRequest(testing::TestCatalog(), "[1,2", "en").has_value());
}

}  // namespace
}  // namespace concord::legal
