#include "message_format.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <set>

#include <fmt/format.h>

#include <unicode/fmtable.h>
#include <unicode/listformatter.h>
#include <unicode/locid.h>
#include <unicode/messagepattern.h>
#include <unicode/msgfmt.h>
#include <unicode/plurrule.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace concord::legal::detail {
namespace {

icu::UnicodeString U(std::string_view s) {
    return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::string Utf8(const icu::UnicodeString& s) {
    std::string out;
    s.toUTF8String(out);
    return out;
}

std::string ParseErrorText(const UParseError& pe, UErrorCode status) {
    return fmt::format(
        "{} at offset {} near '{}'",
        u_errorName(status),
        pe.offset,
        Utf8(icu::UnicodeString(pe.preContext))
    );
}

std::string PartText(const icu::MessagePattern& mp, const icu::MessagePattern::Part& p) {
    return Utf8(mp.getSubstring(p));
}

}  // namespace

std::string IcuLocale(std::string_view lang) {
    if (lang == "ar") {
        return "ar-u-nu-latn";
    }
    return std::string(lang);
}

Result<std::string> FormatPattern(
    std::string_view pattern, std::string_view lang, const MessageArgs& args
) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError pe{};
    icu::MessageFormat mf(U(pattern), icu::Locale(IcuLocale(lang).c_str()), pe, status);
    if (U_FAILURE(status)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "invalid message pattern: " + ParseErrorText(pe, status)
        );
    }
    std::vector<icu::UnicodeString> names;
    std::vector<icu::Formattable> values;
    names.reserve(args.size());
    values.reserve(args.size());
    for (const MessageArg& a : args) {
        names.push_back(U(a.name));
        if (const auto* s = std::get_if<std::string>(&a.value)) {
            values.emplace_back(U(*s));
        } else if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
            values.emplace_back(static_cast<int64_t>(*i));
        } else {
            values.emplace_back(std::get<double>(a.value));
        }
    }
    icu::UnicodeString out;
    mf.format(names.data(), values.data(), static_cast<int32_t>(names.size()), out, status);
    if (U_FAILURE(status)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("message cannot be formatted: {}", u_errorName(status))
        );
    }
    return Utf8(out);
}

std::string FormatMessage(
    const Catalog& catalog, std::string_view key, std::string_view lang, const MessageArgs& args
) {
    std::string pattern = catalog.Text(key, lang);
    Result<std::string> text = FormatPattern(pattern, lang, args);
    return text ? *std::move(text) : pattern;
}

std::string JoinList(std::string_view lang, const std::vector<std::string>& items, ListKind kind) {
    if (kind == ListKind::kClauses) {
        // CLDR has no list pattern for clauses; these are the languages' semicolons.
        const std::string_view sep = lang == "ar"   ? "؛ "
                                     : lang == "zh" ? "；"
                                     : lang == "fr" ? " ; "
                                                    : "; ";
        std::string joined;
        for (const std::string& s : items) {
            if (!joined.empty()) {
                joined += sep;
            }
            joined += s;
        }
        return joined;
    }
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::ListFormatter> lf(icu::ListFormatter::createInstance(
        icu::Locale(IcuLocale(lang).c_str()),
        kind == ListKind::kOr ? ULISTFMT_TYPE_OR : ULISTFMT_TYPE_AND,
        ULISTFMT_WIDTH_WIDE,
        status
    ));
    std::vector<icu::UnicodeString> u;
    u.reserve(items.size());
    for (const std::string& s : items) {
        u.push_back(U(s));
    }
    icu::UnicodeString out;
    if (U_SUCCESS(status) && lf != nullptr) {
        lf->format(u.data(), static_cast<int32_t>(u.size()), out, status);
    }
    if (U_FAILURE(status) || lf == nullptr) {
        // ICU's data for the six UN languages is part of libicu; this is unreachable in practice.
        std::string joined;
        for (const std::string& s : items) {
            joined += (joined.empty() ? "" : ", ") + s;
        }
        return joined;
    }
    return Utf8(out);
}

std::string LowerInitial(const std::string& text, std::string_view lang) {
    if (lang == "ar" || lang == "zh") {
        return text;
    }
    const icu::UnicodeString u = U(text);
    if (u.length() < 2) {
        return text;
    }
    const UChar32 first = u.char32At(0);
    const UChar32 second = u.char32At(u.moveIndex32(0, 1));
    if (u_isupper(first) == 0 || u_islower(second) == 0) {
        return text;
    }
    icu::UnicodeString out(u);
    out.replace(0, U16_LENGTH(first), icu::UnicodeString(u_tolower(first)));
    return Utf8(out);
}

std::vector<std::string> ListItems(std::vector<std::string> labels, std::string_view lang) {
    for (std::size_t i = 1; i < labels.size(); ++i) {
        labels[i] = LowerInitial(labels[i], lang);
    }
    return labels;
}

std::string LanguageName(std::string_view code, std::string_view lang) {
    icu::UnicodeString name;
    icu::Locale(std::string(code).c_str())
        .getDisplayLanguage(icu::Locale(IcuLocale(lang).c_str()), name);
    std::string out = Utf8(name);
    return out.empty() ? std::string(code) : out;
}

Result<std::vector<PatternArgument>> PatternArguments(std::string_view pattern) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError pe{};
    icu::MessagePattern mp(U(pattern), &pe, status);
    if (U_FAILURE(status)) {
        return MakeError(
            ErrorCode::kInvalidArgument, "invalid message pattern: " + ParseErrorText(pe, status)
        );
    }
    std::vector<PatternArgument> out;
    const int32_t count = mp.countParts();
    for (int32_t i = 0; i + 1 < count; ++i) {
        const icu::MessagePattern::Part& start = mp.getPart(i);
        if (start.getType() != UMSGPAT_PART_TYPE_ARG_START) {
            continue;
        }
        const std::string name = PartText(mp, mp.getPart(i + 1));
        auto it = std::find_if(out.begin(), out.end(), [&](const PatternArgument& a) {
            return a.name == name;
        });
        if (it == out.end()) {
            out.push_back(PatternArgument{name, false, {}, {}});
            it = out.end() - 1;
        }
        const UMessagePatternArgType type = start.getArgType();
        const bool plural =
            type == UMSGPAT_ARG_TYPE_PLURAL || type == UMSGPAT_ARG_TYPE_SELECTORDINAL;
        if (plural) {
            it->numeric = true;
        } else if (type == UMSGPAT_ARG_TYPE_SIMPLE) {
            // {n, number}, {n, number, integer}...: the style keyword follows the name.
            if (i + 2 < count && mp.getPart(i + 2).getType() == UMSGPAT_PART_TYPE_ARG_TYPE &&
                PartText(mp, mp.getPart(i + 2)) == "number") {
                it->numeric = true;
            }
        }
        if (!plural && type != UMSGPAT_ARG_TYPE_SELECT) {
            continue;
        }
        std::vector<std::string>& keys = plural ? it->plural_keys : it->select_keys;
        const int32_t limit = mp.getLimitPartIndex(i);
        for (int32_t j = i + 2; j < limit;) {
            const icu::MessagePattern::Part& p = mp.getPart(j);
            if (p.getType() != UMSGPAT_PART_TYPE_ARG_SELECTOR) {
                ++j;
                continue;
            }
            std::string key = PartText(mp, p);
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
                keys.push_back(key);
            }
            ++j;
            while (j < limit && mp.getPart(j).getType() != UMSGPAT_PART_TYPE_MSG_START) {
                ++j;  // explicit value of "=0"
            }
            if (j < limit) {
                j = mp.getLimitPartIndex(j) + 1;
            }
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> PluralSamples(std::string_view lang
) {
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> out;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::PluralRules> rules(
        icu::PluralRules::forLocale(icu::Locale(IcuLocale(lang).c_str()), status)
    );
    if (U_FAILURE(status) || rules == nullptr) {
        return out;
    }
    std::unique_ptr<icu::StringEnumeration> keywords(rules->getKeywords(status));
    if (U_FAILURE(status) || keywords == nullptr) {
        return out;
    }
    while (const icu::UnicodeString* kw = keywords->snext(status)) {
        if (U_FAILURE(status)) {
            break;
        }
        // ICU's samples for the category, kept when they are integers that select the category
        // again (a sample written "1c6" is a compact number, which selects differently as 1000000
        // in some languages).
        std::vector<std::int64_t> samples;
        std::array<double, 16> buffer{};
        const int32_t n = rules->getSamples(*kw, buffer.data(), buffer.size(), status);
        for (int32_t k = 0; U_SUCCESS(status) && k < n && samples.size() < 3; ++k) {
            const double d = buffer[static_cast<std::size_t>(k)];
            const auto i = static_cast<std::int64_t>(d);
            if (static_cast<double>(i) == d && rules->select(d) == *kw) {
                samples.push_back(i);
            }
        }
        status = U_ZERO_ERROR;
        out.emplace_back(Utf8(*kw), std::move(samples));
    }
    return out;
}

Result<void> ValidateMessages(const Catalog& catalog) {
    for (const auto& [key, texts] : catalog.messages) {
        auto en = texts.find("en");
        if (en == texts.end()) {
            return MakeError(
                ErrorCode::kInvalidArgument, fmt::format("message {}: no English text", key)
            );
        }
        auto en_args = PatternArguments(en->second);
        if (!en_args) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                fmt::format("message {} (en): {}", key, en_args.error().message)
            );
        }
        for (std::string_view lang : kLanguages) {
            auto it = texts.find(lang);
            if (it == texts.end()) {
                return MakeError(
                    ErrorCode::kInvalidArgument, fmt::format("message {}: no {} text", key, lang)
                );
            }
            auto args = PatternArguments(it->second);
            if (!args) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    fmt::format("message {} ({}): {}", key, lang, args.error().message)
                );
            }
            std::set<std::pair<std::string, bool>> want;
            std::set<std::pair<std::string, bool>> have;
            for (const PatternArgument& a : *en_args) {
                want.emplace(a.name, a.numeric);
            }
            for (const PatternArgument& a : *args) {
                have.emplace(a.name, a.numeric);
            }
            if (want != have) {
                return MakeError(
                    ErrorCode::kInvalidArgument,
                    fmt::format(
                        "message {} ({}): its arguments differ from the English text's", key, lang
                    )
                );
            }
            const auto categories = PluralSamples(lang);
            for (const PatternArgument& a : *args) {
                if (a.plural_keys.empty()) {
                    continue;
                }
                for (const auto& [category, samples] : categories) {
                    if (std::find(a.plural_keys.begin(), a.plural_keys.end(), category) ==
                        a.plural_keys.end()) {
                        return MakeError(
                            ErrorCode::kInvalidArgument,
                            fmt::format(
                                "message {} ({}): plural '{}' has no form for '{}'",
                                key,
                                lang,
                                a.name,
                                category
                            )
                        );
                    }
                }
                for (const std::string& k : a.plural_keys) {
                    bool known =
                        k.starts_with("=") ||
                        std::any_of(categories.begin(), categories.end(), [&](const auto& c) {
                            return c.first == k;
                        });
                    if (!known) {
                        return MakeError(
                            ErrorCode::kInvalidArgument,
                            fmt::format(
                                "message {} ({}): plural '{}' has a form '{}' that {} does not use",
                                key,
                                lang,
                                a.name,
                                k,
                                lang
                            )
                        );
                    }
                }
            }
        }
    }
    return {};
}

}  // namespace concord::legal::detail
