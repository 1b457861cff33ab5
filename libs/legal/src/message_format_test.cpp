#include "message_format.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "test_support.hpp"
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace concord::legal::detail {
namespace {

// Texts that are truly the same word in English and in another language.
bool SameAsEnglishAllowed(const std::string& key, std::string_view lang) {
    static const std::set<std::pair<std::string, std::string>> allowed = {
        {"field.imminent", "fr"},  // "Imminent"
        {"field.type", "fr"},      // "Type"
        {"field.service", "fr"},   // "Service"
        {"value.expert", "fr"},    // "Expert"
        {"value.suspect", "fr"},   // "Suspect"
        {"label.no", "es"},        // "no"
        {"severity.error", "es"},  // "error"
    };
    return allowed.contains({key, std::string(lang)});
}

// Latin-script tokens that belong in Arabic, Chinese and Russian texts: format names, protocol
// names and JSON literals a user must type as they are.
bool LatinTokenAllowed(const std::string& word) {
    static const std::set<std::string> allowed = {
        "IPv",
        "hh",
        "mm",
        "http",
        "https",
        "ftp",
        "ftps",
        "true",
        "false",
        "Keccak",
        // JSON member names of the request format, quoted as the user must type them.
        "emergency"};
    return allowed.contains(word);
}

// A string argument's sample value: no letters, so that it can be told apart from the text.
constexpr std::string_view kSample = "◆";

std::string StripArguments(const std::string& text) {
    static const std::regex argument(R"(\{[^{}]*\})");
    return std::regex_replace(text, argument, "");
}

// True when `text`, its arguments removed, holds a letter of any script.
bool HasLetters(const std::string& text) {
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(StripArguments(text));
    for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
        if (u_isalpha(u.char32At(i)) != 0) {
            return true;
        }
    }
    return false;
}

// Every combination of sample values for `args`: each select key, and one sample number of
// each plural category of `lang` (several for the categories with several shapes).
std::vector<MessageArgs> Samples(const std::vector<PatternArgument>& args, std::string_view lang) {
    std::vector<MessageArgs> out = {{}};
    const auto categories = PluralSamples(lang);
    for (const PatternArgument& a : args) {
        std::vector<MessageArg> values;
        if (!a.select_keys.empty()) {
            for (const std::string& k : a.select_keys) {
                values.emplace_back(a.name, k == "other" ? std::string(kSample) : k);
            }
        } else if (a.numeric) {
            for (const auto& [category, samples] : categories) {
                for (std::int64_t n : samples) {
                    values.emplace_back(a.name, n);
                }
            }
        } else {
            values.emplace_back(a.name, std::string(kSample));
        }
        std::vector<MessageArgs> next;
        for (const MessageArgs& prefix : out) {
            for (const MessageArg& v : values) {
                MessageArgs m = prefix;
                m.push_back(v);
                next.push_back(std::move(m));
            }
        }
        out = std::move(next);
    }
    return out;
}

TEST(MessageFormat, PluralFormsFollowTheLanguage) {
    const std::string days =
        "{n, plural, zero {# يوم} one {يوم واحد} two {يومين} few {# أيام} "
        "many {# يومًا} other {# يوم}}";
    EXPECT_EQ(*FormatPattern(days, "ar", {{"n", std::int64_t{60}}}), "60 يومًا");
    EXPECT_EQ(*FormatPattern(days, "ar", {{"n", std::int64_t{3}}}), "3 أيام");
    EXPECT_EQ(*FormatPattern(days, "ar", {{"n", std::int64_t{2}}}), "يومين");
    const std::string years = "{n, plural, one {# год} few {# года} many {# лет} other {# года}}";
    EXPECT_EQ(*FormatPattern(years, "ru", {{"n", std::int64_t{3}}}), "3 года");
    EXPECT_EQ(*FormatPattern(years, "ru", {{"n", std::int64_t{5}}}), "5 лет");
    EXPECT_EQ(*FormatPattern(years, "ru", {{"n", std::int64_t{21}}}), "21 год");
}

TEST(MessageFormat, NumbersUseTheLanguagesSeparators) {
    const MessageArgs n = {{"n", std::int64_t{1234567}}};
    EXPECT_EQ(*FormatPattern("{n, number}", "fr", n), "1\u202f234\u202f567");
    EXPECT_EQ(*FormatPattern("{n, number}", "en", n), "1,234,567");
    EXPECT_EQ(*FormatPattern("{n, number}", "ru", n), "1\u00a0234\u00a0567");
    EXPECT_EQ(*FormatPattern("{n, number}", "ar", n), "1,234,567");  // UN Arabic: Western digits
}

TEST(MessageFormat, ListsUseTheLanguagesConjunctionsAndCommas) {
    const std::vector<std::string> three = {"أ", "ب", "ج"};
    EXPECT_EQ(JoinList("ar", three, ListKind::kAnd), "أ وب وج");
    EXPECT_EQ(JoinList("zh", {"甲", "乙", "丙"}, ListKind::kAnd), "甲、乙和丙");
    EXPECT_EQ(JoinList("fr", {"a", "b", "c"}, ListKind::kOr), "a, b ou c");
    EXPECT_EQ(JoinList("zh", {"甲", "乙"}, ListKind::kClauses), "甲；乙");
    EXPECT_EQ(JoinList("ar", {"أ", "ب"}, ListKind::kClauses), "أ؛ ب");
    EXPECT_EQ(LanguageName("en", "ru"), "английский");
}

TEST(MessageFormat, BadPatternsAreRefused) {
    EXPECT_FALSE(FormatPattern("{n, plural, one {x}", "en", {}).has_value());
    EXPECT_FALSE(PatternArguments("{n, plural, one {# x}}").has_value());  // no "other"
    Catalog c;
    c.messages["x.y"] = {
        {"ar", "{a}"}, {"zh", "{a}"}, {"en", "{a}"}, {"fr", "{a}"}, {"ru", "{b}"}, {"es", "{a}"}};
    auto r = ValidateMessages(c);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("x.y (ru)"), std::string::npos) << r.error().message;
    c.messages["x.y"]["ru"] = "{a, plural, one {# a} other {# b}}";
    c.messages["x.y"]["en"] = "{a, plural, one {# a} other {# b}}";
    for (const char* l : {"ar", "zh", "fr", "es"}) {
        c.messages["x.y"][l] = c.messages["x.y"]["en"];
    }
    r = ValidateMessages(c);
    ASSERT_FALSE(r.has_value());  // Arabic has no form for zero, two, few, many
    EXPECT_NE(r.error().message.find("(ar)"), std::string::npos) << r.error().message;
}

// Renders every message of the shipped catalogue in every language with every select key and
// a sample number of every plural category, and checks what a reader would see.
TEST(MessageFormat, EveryMessageRendersInEveryLanguageAndPluralCategory) {
    const Catalog& catalog = testing::TestCatalog();
    ASSERT_GT(catalog.messages.size(), 150U);
    const std::regex latin_word("[A-Za-z]+");
    const std::regex latin_comma_in_arabic("[^0-9 ], ");
    const std::regex half_width_in_chinese("[;,?()]|(^|[^0-9A-Za-z]):|:($|[^0-9A-Za-z])");
    std::size_t rendered = 0;
    for (const auto& [key, texts] : catalog.messages) {
        ASSERT_EQ(texts.size(), kLanguages.size()) << key;
        const std::string& en = texts.at("en");
        auto en_args = PatternArguments(en);
        ASSERT_TRUE(en_args.has_value()) << key << ": " << en_args.error().message;
        for (std::string_view lang : kLanguages) {
            SCOPED_TRACE(std::string(key) + " (" + std::string(lang) + ")");
            auto it = texts.find(lang);
            ASSERT_NE(it, texts.end()) << "missing language";
            const std::string& text = it->second;
            if (lang != "en" && text == en && HasLetters(text)) {
                EXPECT_TRUE(SameAsEnglishAllowed(key, lang)) << "same as English: " << text;
            }
            auto args = PatternArguments(text);
            ASSERT_TRUE(args.has_value()) << args.error().message;
            for (const MessageArgs& sample : Samples(*args, lang)) {
                auto out = FormatPattern(text, lang, sample);
                ASSERT_TRUE(out.has_value()) << out.error().message;
                ++rendered;
                EXPECT_FALSE(out->empty());
                EXPECT_EQ(out->find_first_of("{}"), std::string::npos)
                    << "leftover placeholder: " << *out;
                EXPECT_EQ(out->find('#'), std::string::npos) << *out;
                if (args->empty()) {
                    // Plain labels are read with Catalog::Text too: both must agree.
                    EXPECT_EQ(*out, text);
                }
                if (lang == "ar" || lang == "zh" || lang == "ru") {
                    std::string rest = *out;
                    std::smatch m;
                    while (std::regex_search(rest, m, latin_word)) {
                        const std::string word = m.str();
                        const bool acronym = std::all_of(word.begin(), word.end(), [](char c) {
                            return c >= 'A' && c <= 'Z';
                        });
                        EXPECT_TRUE(acronym || LatinTokenAllowed(word))
                            << "Latin-script word '" << word << "' in: " << *out;
                        rest = m.suffix();
                    }
                }
                if (lang == "ar") {
                    EXPECT_EQ(out->find_first_of(";?"), std::string::npos)
                        << "Latin semicolon or question mark in Arabic: " << *out;
                    // A comma between words is "،"; a Latin one is allowed only between digits.
                    EXPECT_FALSE(std::regex_search(*out, latin_comma_in_arabic))
                        << "Latin comma in Arabic: " << *out;
                }
                if (lang == "zh") {
                    EXPECT_FALSE(std::regex_search(*out, half_width_in_chinese))
                        << "half-width punctuation in Chinese: " << *out;
                }
            }
        }
    }
    std::cout << "rendered " << rendered << " message variants\n";
}

// Deadlines are counted nouns in the instruments' data: every unit used there has its own form
// in every language, and the Arabic and Russian forms follow the number.
TEST(MessageFormat, EveryDeadlineUnitOfTheDataHasAForm) {
    const Catalog& catalog = testing::TestCatalog();
    std::set<std::pair<std::string, std::string>> used;
    for (const auto& [id, type] : catalog.request_types) {
        for (const Basis& b : type.bases) {
            for (const Deadline& d : b.deadlines) {
                if (!d.unit.empty()) {
                    used.emplace(d.kind, d.unit);
                }
            }
        }
    }
    ASSERT_FALSE(used.empty());
    for (const auto& [kind, unit] : used) {
        for (std::string_view lang : kLanguages) {
            auto args = PatternArguments(catalog.Text("deadline." + kind, lang));
            ASSERT_TRUE(args.has_value());
            auto u = std::find_if(args->begin(), args->end(), [](const PatternArgument& a) {
                return a.name == "unit";
            });
            ASSERT_NE(u, args->end()) << kind << " " << lang;
            EXPECT_NE(
                std::find(u->select_keys.begin(), u->select_keys.end(), unit), u->select_keys.end()
            ) << kind
              << " " << lang << " has no form for " << unit;
        }
    }
    const MessageArgs sixty = {{"amount", std::int64_t{60}}, {"unit", "days"}};
    EXPECT_EQ(
        FormatMessage(catalog, "deadline.respond_within", "ar", sixty), "يجب الرد في غضون 60 يومًا"
    );
    EXPECT_EQ(
        FormatMessage(catalog, "deadline.respond_within", "ru", sixty),
        "ответ должен быть дан в течение 60 дней"
    );
    const MessageArgs one = {{"amount", std::int64_t{1}}, {"unit", "days"}};
    EXPECT_EQ(
        FormatMessage(catalog, "deadline.respond_within", "ru", one),
        "ответ должен быть дан в течение 1 дня"
    );
    const MessageArgs three = {
        {"concept", "X"}, {"years", 3.0}, {"min", std::int64_t{4}}, {"instrument", "Y"}};
    const std::string ru = FormatMessage(catalog, "finding.penalty_threshold_not_met", "ru", three);
    EXPECT_NE(ru.find("(3 года)"), std::string::npos) << ru;
    EXPECT_NE(ru.find("в 4 года"), std::string::npos) << ru;
}

}  // namespace
}  // namespace concord::legal::detail
