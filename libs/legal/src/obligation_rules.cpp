#include "concord/legal/obligation_rules.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "toml_reader.hpp"

namespace concord::legal {
namespace {

using detail::TomlReader;

constexpr std::string_view kFormat = "concord-obligations/1";
constexpr std::size_t kMaxIdBytes = 64;

bool IsIdChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

Result<ObligationRule> ReadRule(const TomlReader& r, const toml::table& t) {
    static const std::set<std::string, std::less<>> kKeys = {
        "id", "instrument", "request_types", "grounds", "cite", "verification", "source", "note"};
    for (const auto& [key, node] : t) {
        if (!kKeys.contains(key.str())) {
            return r.Fail(node, fmt::format("unknown key '{}'", key.str()));
        }
    }
    ObligationRule rule;
    CONCORD_ASSIGN_OR_RETURN(rule.id, r.String(t, "id", true));
    if (rule.id.empty() || rule.id.size() > kMaxIdBytes ||
        !std::all_of(rule.id.begin(), rule.id.end(), IsIdChar)) {
        return r.Fail(*t.get("id"), "'id' must be 1-64 of a-z 0-9 . _ -");
    }
    CONCORD_ASSIGN_OR_RETURN(rule.instrument, r.String(t, "instrument", true));
    CONCORD_ASSIGN_OR_RETURN(rule.request_types, r.Strings(t, "request_types"));
    if (rule.request_types.empty()) {
        return r.Fail(t, "'request_types' names no request type");
    }
    CONCORD_ASSIGN_OR_RETURN(rule.grounds, r.Strings(t, "grounds"));
    if (rule.grounds.empty()) {
        return r.Fail(t, "'grounds' names no refusal ground");
    }
    CONCORD_ASSIGN_OR_RETURN(rule.cite, r.String(t, "cite", true));
    if (!rule.cite.starts_with(rule.instrument + ":")) {
        return r.Fail(
            *t.get("cite"),
            fmt::format("'cite' must cite the rule's instrument '{}'", rule.instrument)
        );
    }
    CONCORD_ASSIGN_OR_RETURN(rule.verification, r.Status(t));
    CONCORD_ASSIGN_OR_RETURN(rule.source, r.String(t, "source", true));
    CONCORD_ASSIGN_OR_RETURN(rule.note, r.String(t, "note", false));
    return rule;
}

Error Unresolved(const ObligationRule& rule, std::string_view what) {
    return MakeError(
        ErrorCode::kInvalidArgument, fmt::format("obligation '{}': {}", rule.id, what)
    );
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

const ObligationRule* ObligationRules::Opens(
    std::string_view instrument,
    std::string_view request_type,
    const std::vector<std::string>& grounds
) const {
    for (const auto& rule : rules) {
        if (rule.instrument != instrument || !Contains(rule.request_types, request_type)) {
            continue;
        }
        for (const std::string& ground : grounds) {
            if (Contains(rule.grounds, ground)) {
                return &rule;
            }
        }
    }
    return nullptr;
}

const ObligationRule* ObligationRules::Find(std::string_view id) const {
    for (const auto& rule : rules) {
        if (rule.id == id) {
            return &rule;
        }
    }
    return nullptr;
}

Result<ObligationRules> LoadObligationRules(const std::filesystem::path& file) {
    TomlReader r(file);
    CONCORD_ASSIGN_OR_RETURN(toml::table root, r.Parse());
    for (const auto& [key, node] : root) {
        if (key.str() != "format" && key.str() != "obligation") {
            return r.Fail(node, fmt::format("unknown key '{}'", key.str()));
        }
    }
    CONCORD_ASSIGN_OR_RETURN(std::string format, r.String(root, "format", true));
    if (format != kFormat) {
        return r.Fail(*root.get("format"), fmt::format("'format' must be '{}'", kFormat));
    }
    CONCORD_ASSIGN_OR_RETURN(auto tables, r.Tables(root, "obligation"));
    if (tables.size() > kMaxObligationRules) {
        return r.Fail(root, fmt::format("more than {} rules", kMaxObligationRules));
    }
    ObligationRules out;
    std::set<std::string, std::less<>> ids;
    for (const toml::table* t : tables) {
        CONCORD_ASSIGN_OR_RETURN(auto rule, ReadRule(r, *t));
        if (!ids.insert(rule.id).second) {
            return r.Fail(*t->get("id"), fmt::format("duplicate id '{}'", rule.id));
        }
        out.rules.push_back(std::move(rule));
    }
    return out;
}

Result<void> CheckObligationRules(const ObligationRules& rules, const Catalog& catalog) {
    for (const auto& rule : rules.rules) {
        if (!catalog.instruments.contains(rule.instrument)) {
            return Unresolved(rule, fmt::format("unknown instrument '{}'", rule.instrument));
        }
        if (catalog.FindCitation(rule.cite) == nullptr) {
            return Unresolved(rule, fmt::format("'{}' names no article", rule.cite));
        }
        for (const std::string& ground : rule.grounds) {
            if (!catalog.refusal_grounds.contains(ground)) {
                return Unresolved(rule, fmt::format("unknown refusal ground '{}'", ground));
            }
        }
        for (const std::string& type_id : rule.request_types) {
            auto type = catalog.request_types.find(type_id);
            if (type == catalog.request_types.end()) {
                return Unresolved(rule, fmt::format("unknown request type '{}'", type_id));
            }
            const Basis* basis = type->second.FindBasis(rule.instrument);
            if (basis == nullptr) {
                return Unresolved(
                    rule, fmt::format("'{}' has no basis in '{}'", type_id, rule.instrument)
                );
            }
            for (const std::string& ground : rule.grounds) {
                if (!Contains(basis->refusal_grounds, ground)) {
                    return Unresolved(
                        rule,
                        fmt::format(
                            "'{}' is not a refusal ground of '{}' under '{}'",
                            ground,
                            type_id,
                            rule.instrument
                        )
                    );
                }
            }
        }
    }
    return {};
}

}  // namespace concord::legal
