#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "concord/core/result.hpp"

namespace concord::app {

/// What the retention rules of a node look at in a case (docs/operations.md "Retention and legal
/// holds"): its legal instrument, the other party, and the data categories its request names.
struct RetentionFacts {
    std::string instrument;  ///< catalogue id, e.g. "budapest"
    /// The other party of the case: the requested party of a request this node sent, the
    /// requesting party of one it received.
    std::string party;
    std::vector<std::string> categories;  ///< `fields.data_categories` of the request
};

/// One rule of `evidence.retention_rules`: a period for the packages of the cases it matches.
/// An empty member matches any case; at least one member is set.
struct RetentionRule {
    std::string instrument;
    std::string party;     ///< two capital letters
    std::string category;  ///< subscriber, identification, traffic or content
    std::int64_t period_ms{0};

    /// "instrument=budapest,party=US,category=content": the members it sets, in this order.
    std::string Describe() const;
};

/// The retention period a package gets when it is created, from the node's default and its rules.
class RetentionPolicy {
public:
    /// What the policy decided for one case.
    struct Decision {
        std::int64_t period_ms{0};
        std::string rule;  ///< RetentionRule::Describe of the rule applied; empty: the default
    };

    /// kInvalidArgument for a period under one day or over 36525 days (the default's or a
    /// rule's), a rule that sets no member, a member of the wrong shape, or two rules that set
    /// the same members to the same values (which one would apply is not said).
    static Result<RetentionPolicy> Create(
        std::int64_t default_ms, std::vector<RetentionRule> rules
    );

    /// A rule matches when every member it sets is the case's (its category among the case's
    /// categories). The rules setting the most members win; among them, the shortest period (data
    /// kept no longer than the strictest rule that applies allows). No match: the default.
    Decision For(const RetentionFacts& facts) const;

    /// The period of a package no rule matches.
    std::int64_t DefaultMs() const { return default_ms_; }

private:
    RetentionPolicy(std::int64_t default_ms, std::vector<RetentionRule> rules)
        : default_ms_(default_ms), rules_(std::move(rules)) {}

    std::int64_t default_ms_;
    std::vector<RetentionRule> rules_;
};

/// The data categories a retention rule may name (the values of the field `data_categories`).
inline constexpr std::string_view kRetentionCategories[] = {
    "subscriber", "identification", "traffic", "content"};

}  // namespace concord::app
