#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "concord/core/result.hpp"
#include "concord/legal/catalog.hpp"

namespace concord::legal {

/// One duty that a refusal opens at the requested party (instruments/obligations.toml,
/// docs/legal-data.md "Obligations"): under `instrument`, refusing a request of one of
/// `request_types` on one of `grounds` obliges the requested party to submit the case to its
/// authorities for prosecution and to report the outcome (aut dedere aut judicare).
struct ObligationRule {
    std::string id;  ///< unique, e.g. "budapest.extradite_or_prosecute"
    std::string instrument;
    std::vector<std::string> request_types;
    std::vector<std::string> grounds;  ///< refusal-ground ids of the request types' bases
    std::string cite;                  ///< "INSTRUMENT:ARTICLE(paragraph)"
    Verification verification{Verification::kUnverified};
    std::string source;
    std::string note;
};

/// The rules of one file, in file order.
struct ObligationRules {
    std::vector<ObligationRule> rules;

    /// The first rule that a refusal of a `request_type` request under `instrument` on
    /// `grounds` opens, or nullptr (no duty follows that refusal).
    [[nodiscard]] const ObligationRule* Opens(
        std::string_view instrument,
        std::string_view request_type,
        const std::vector<std::string>& grounds
    ) const;
    /// The rule `id`, or nullptr.
    [[nodiscard]] const ObligationRule* Find(std::string_view id) const;
};

inline constexpr std::size_t kMaxObligationRules = 1000;

/// Reads and validates an obligations file. kNotFound when it cannot be read; otherwise
/// kInvalidArgument "<file>:<line>:<column>: <reason>" on the first problem: bad TOML, wrong
/// `format`, an unknown, missing or mistyped key, a duplicate or malformed id, no request type or
/// no ground, or a citation of another instrument than the rule's.
Result<ObligationRules> LoadObligationRules(const std::filesystem::path& file);

/// Checks the rules against the catalogue: the instrument, every request type, the cited article
/// and every ground exist, and each ground is a refusal ground of the request type's basis under
/// that instrument. kInvalidArgument naming the rule and what does not resolve.
Result<void> CheckObligationRules(const ObligationRules& rules, const Catalog& catalog);

}  // namespace concord::legal
