#include "toml_reader.hpp"

#include <fmt/format.h>

namespace concord::legal::detail {
namespace {

std::string DateText(const toml::date& d) {
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

}  // namespace

Result<toml::table> TomlReader::Parse() const {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file_, ec)) {
        return MakeError(ErrorCode::kNotFound, fmt::format("{}: no such file", file_.string()));
    }
    try {
        return toml::parse_file(file_.string());
    } catch (const toml::parse_error& e) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format(
                "{}:{}:{}: {}",
                file_.string(),
                e.source().begin.line,
                e.source().begin.column,
                e.description()
            )
        );
    }
}

Error TomlReader::Fail(const toml::node& node, std::string_view reason) const {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format(
            "{}:{}:{}: {}",
            file_.string(),
            node.source().begin.line,
            node.source().begin.column,
            reason
        )
    );
}

Result<std::string> TomlReader::String(const toml::table& t, std::string_view key, bool required)
    const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        if (required) {
            return Fail(t, fmt::format("missing key '{}'", key));
        }
        return std::string{};
    }
    if (const auto* s = n->as_string()) {
        if (required && s->get().empty()) {
            return Fail(*n, fmt::format("'{}' must not be empty", key));
        }
        return s->get();
    }
    if (const auto* d = n->as_date()) {
        return DateText(d->get());
    }
    return Fail(*n, fmt::format("'{}' must be a string", key));
}

Result<std::vector<std::string>> TomlReader::Strings(const toml::table& t, std::string_view key)
    const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        return out;
    }
    const auto* arr = n->as_array();
    if (arr == nullptr) {
        return Fail(*n, fmt::format("'{}' must be an array of strings", key));
    }
    for (const toml::node& e : *arr) {
        const auto* s = e.as_string();
        if (s == nullptr || s->get().empty()) {
            return Fail(e, fmt::format("'{}' must hold non-empty strings", key));
        }
        out.push_back(s->get());
    }
    return out;
}

Result<bool> TomlReader::Bool(const toml::table& t, std::string_view key, bool fallback) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        return fallback;
    }
    if (const auto* b = n->as_boolean()) {
        return b->get();
    }
    return Fail(*n, fmt::format("'{}' must be true or false", key));
}

Result<std::int64_t> TomlReader::Int(
    const toml::table& t, std::string_view key, std::int64_t fallback
) const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        return fallback;
    }
    if (const auto* i = n->as_integer()) {
        return i->get();
    }
    return Fail(*n, fmt::format("'{}' must be an integer", key));
}

Result<Localized> TomlReader::LanguageTable(const toml::table& t, std::string_view what) const {
    Localized out;
    for (const auto& [k, v] : t) {
        if (!IsSupportedLanguage(k.str())) {
            return Fail(
                v, fmt::format("{}: '{}' is not one of ar, zh, en, fr, ru, es", what, k.str())
            );
        }
        const auto* s = v.as_string();
        if (s == nullptr || s->get().empty()) {
            return Fail(
                v, fmt::format("{}: text in '{}' must be a non-empty string", what, k.str())
            );
        }
        out.emplace(std::string(k.str()), s->get());
    }
    for (std::string_view lang : kLanguages) {
        if (!out.contains(lang)) {
            return Fail(t, fmt::format("{}: missing the '{}' text", what, lang));
        }
    }
    return out;
}

Result<Localized> TomlReader::Texts(const toml::table& t, std::string_view key, bool required)
    const {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        if (required) {
            return Fail(t, fmt::format("missing key '{}' (texts in the six languages)", key));
        }
        return Localized{};
    }
    const auto* table = n->as_table();
    if (table == nullptr) {
        return Fail(*n, fmt::format("'{}' must be a table of the six languages", key));
    }
    return LanguageTable(*table, key);
}

Result<Verification> TomlReader::Status(const toml::table& t) const {
    CONCORD_ASSIGN_OR_RETURN(std::string s, String(t, "verification", true));
    if (auto v = VerificationNamed(s)) {
        return *v;
    }
    return Fail(
        *t.get("verification"), "verification must be 'verified', 'secondary' or 'unverified'"
    );
}

Result<std::vector<const toml::table*>> TomlReader::Tables(
    const toml::table& t, std::string_view key
) const {
    std::vector<const toml::table*> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) {
        return out;
    }
    const auto* arr = n->as_array();
    if (arr == nullptr) {
        return Fail(*n, fmt::format("'{}' must be an array of tables ([[{}]])", key, key));
    }
    for (const toml::node& e : *arr) {
        const auto* table = e.as_table();
        if (table == nullptr) {
            return Fail(e, fmt::format("'{}' must hold tables", key));
        }
        out.push_back(table);
    }
    return out;
}

}  // namespace concord::legal::detail
