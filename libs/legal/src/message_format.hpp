#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

// Interface messages are ICU MessageFormat patterns (instruments/i18n/*.toml): whole sentences
// with named arguments, `plural` for counted nouns and `select` for words that change with an
// argument, so that no sentence is ever assembled from translated fragments. ICU is used only
// here; no ICU type appears in this header.
namespace concord::legal::detail {

/// A named argument of a message. Numbers feed `plural` and `{n, number}`; strings feed simple
/// arguments and `select`.
struct MessageArg {
    MessageArg(std::string n, std::string v) : name(std::move(n)), value(std::move(v)) {}
    MessageArg(std::string n, const char* v) : name(std::move(n)), value(std::string(v)) {}
    MessageArg(std::string n, std::int64_t v) : name(std::move(n)), value(v) {}
    MessageArg(std::string n, double v) : name(std::move(n)), value(v) {}

    std::string name;
    std::variant<std::string, std::int64_t, double> value;
};
using MessageArgs = std::vector<MessageArg>;

/// The ICU locale used for one of the six languages. Arabic uses Western digits
/// ("ar-u-nu-latn"), as United Nations Arabic documents and the article numbers cited do.
std::string IcuLocale(std::string_view lang);

/// Formats the ICU MessageFormat `pattern` in `lang` with `args`. kInvalidArgument when the
/// pattern is not valid ICU syntax or an argument it uses is missing or of the wrong kind.
Result<std::string> FormatPattern(
    std::string_view pattern, std::string_view lang, const MessageArgs& args
);

/// Formats message `key` of `catalog` in `lang`. Never fails: a formatting error (which
/// ValidateMessages and the tests rule out for shipped data) yields the raw pattern.
std::string FormatMessage(
    const Catalog& catalog, std::string_view key, std::string_view lang, const MessageArgs& args
);

/// How the items of a list relate.
enum class ListKind : std::uint8_t {
    kAnd,      ///< all of them: "a, b and c"
    kOr,       ///< any of them: "a, b or c"
    kClauses,  ///< clauses that hold commas themselves: "a; b; c" (Arabic "؛", Chinese "；")
};

/// Joins `items` the way `lang` writes a list (Arabic "،" and "و", Chinese "、" and "和", ...).
std::string JoinList(std::string_view lang, const std::vector<std::string>& items, ListKind kind);

/// `text` with its first letter in lower case when `lang` has letter case and the text starts
/// with a capitalised word (not an acronym): how a label reads inside a sentence or list.
std::string LowerInitial(const std::string& text, std::string_view lang);

/// Labels as items of a sentence's list: every item but the first through LowerInitial.
std::vector<std::string> ListItems(std::vector<std::string> labels, std::string_view lang);

/// The name of language `code` (e.g. "fr") in language `lang` (e.g. "ru" → "французский").
std::string LanguageName(std::string_view code, std::string_view lang);

/// How a pattern uses one argument.
struct PatternArgument {
    std::string name;
    bool numeric{false};                   ///< used by plural, selectordinal or number
    std::vector<std::string> plural_keys;  ///< keywords of its plural forms ("one", "=0", ...)
    std::vector<std::string> select_keys;  ///< keys of its select forms ("days", "other")
};

/// The arguments `pattern` uses, each once, in order of first use. kInvalidArgument when the
/// pattern is not valid ICU syntax.
Result<std::vector<PatternArgument>> PatternArguments(std::string_view pattern);

/// The plural categories of `lang` (CLDR, as ICU has them), each with sample integers.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> PluralSamples(std::string_view lang);

/// Checks every message of `catalog`: valid ICU syntax in every language, the same arguments
/// (name and kind) as the English text, and a form for every plural category of the language.
/// kInvalidArgument naming the message and language otherwise.
Result<void> ValidateMessages(const Catalog& catalog);

}  // namespace concord::legal::detail
