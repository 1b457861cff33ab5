#include "concord/legal/mapping.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace concord::legal {
namespace {

std::vector<std::string> Ids(const Mapping& m, std::string_view instrument) {
    std::vector<std::string> out;
    for (const Counterpart& cp : m.counterparts) {
        if (cp.instrument == instrument) {
            for (const Article* a : cp.articles) {
                out.push_back(a->id);
            }
        }
    }
    return out;
}

TEST(MapArticle, BudapestIllegalAccessMapsToUnAndDraft) {
    auto m = MapArticle(testing::TestCatalog(), "budapest:2");
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->offence_concept->id, "illegal_access");
    EXPECT_EQ(Ids(*m, "un-2024"), std::vector<std::string>{"7"});
    EXPECT_EQ(Ids(*m, "ru-draft-2021"), std::vector<std::string>{"R1"});
    EXPECT_TRUE(Ids(*m, "uncac").empty());
}

TEST(MapArticle, CopyrightHasNoCounterpartInTheUnConvention) {
    auto m = MapArticle(testing::TestCatalog(), "budapest:10");
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(Ids(*m, "un-2024").empty());
    EXPECT_EQ(Ids(*m, "ru-draft-2021"), std::vector<std::string>{"R20"});
}

// Issue 8 §4: the 2021 draft's malicious software corresponds to misuse of devices at paragraph
// level, both ways round.
TEST(MapArticle, MaliciousSoftwareCorrespondsToMisuseOfDevicesInPart) {
    auto m = MapArticle(testing::TestCatalog(), "ru-draft-2021:R5");
    ASSERT_TRUE(m.has_value()) << m.error().message;
    std::vector<std::string> partial;
    for (const Counterpart& cp : m->counterparts) {
        partial.insert(partial.end(), cp.partial.begin(), cp.partial.end());
    }
    EXPECT_EQ(partial, (std::vector<std::string>{"budapest:6(1)(a)(i)", "un-2024:11(1)(a)(i)"}));
    auto back = MapArticle(testing::TestCatalog(), "budapest:6");
    ASSERT_TRUE(back.has_value());
    bool found = false;
    for (const Counterpart& cp : back->counterparts) {
        for (const std::string& c : cp.partial) {
            found = found || c == "ru-draft-2021:R5";
        }
    }
    EXPECT_TRUE(found);
}

TEST(MapArticle, UnknownCitationsFail) {
    EXPECT_EQ(MapArticle(testing::TestCatalog(), "budapest:99").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(MapArticle(testing::TestCatalog(), "nowhere:1").error().code, ErrorCode::kNotFound);
    EXPECT_EQ(
        MapArticle(testing::TestCatalog(), "budapest").error().code, ErrorCode::kInvalidArgument
    );
}

}  // namespace
}  // namespace concord::legal
